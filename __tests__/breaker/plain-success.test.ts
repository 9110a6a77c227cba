import type { BreakerOptions } from '../../src/index.js';
import { deferred, fail, setup, succeed } from '../helpers.js';

// A plain call's success (no probe, no duration, no result to classify) is counted on a
// shorter path than other outcomes: it must count exactly as the general path does.
const MODES: [string, BreakerOptions][] = [
  ['consecutive', {}],
  ['count window', { window: { size: 4 }, minimumCalls: 4 }],
  ['time window', { window: { durationMs: 1_000 }, minimumCalls: 4 }],
];

describe.each(MODES)('a plain success, %s', (_mode, options) => {
  test('counts in the totals and the window, and ends a run of failures', async () => {
    const { breaker } = setup({ ...options, failureThreshold: undefined });
    await fail(breaker);
    await succeed(breaker, 2);
    const stats = breaker.stats();
    expect(stats.totals).toMatchObject({ calls: 3, successes: 2, failures: 1 });
    expect(stats.window).toMatchObject({ calls: 3, failures: 1 });
    expect(stats.consecutiveFailures).toBe(0);
    expect(stats.inFlight).toBe(0);
  });

  test('a success listener added while the call runs still hears it', async () => {
    const { breaker } = setup(options);
    const gate = deferred<string>();
    const call = breaker.execute(() => gate.promise);
    const heard: unknown[] = [];
    breaker.on('success', (event) => heard.push(event));
    gate.resolve('done');
    await expect(call).resolves.toBe('done');
    expect(heard).toEqual([{ name: breaker.name, durationMs: 0 }]);
    expect(breaker.stats().totals.successes).toBe(1);
  });

  test('a success from before a state change adds to the totals only', async () => {
    const { breaker } = setup(options);
    const gate = deferred();
    const call = breaker.wrap(() => gate.promise)();
    breaker.close();
    gate.resolve();
    await call;
    const stats = breaker.stats();
    expect(stats.totals.successes).toBe(1);
    expect(stats.window.calls).toBe(0);
    expect(stats.inFlight).toBe(0);
  });
});

describe('a plain success in rate mode', () => {
  test.each([
    ['count window', { size: 4 }],
    ['time window', { durationMs: 1_000 }],
  ] as const)('that brings the %s to minimumCalls decides, and can open', async (_kind, window) => {
    const { breaker } = setup({ window, minimumCalls: 4, failureRateThreshold: 0.5 });
    await fail(breaker, 3);
    expect(breaker.state).toBe('closed');
    await succeed(breaker);
    expect(breaker.state).toBe('open');
    expect(breaker.stats().totals).toMatchObject({ calls: 4, successes: 1, failures: 3 });
  });

  test('with isResultFailure, a value it flags is a failure (the general path)', async () => {
    const { breaker } = setup({ window: { size: 2 }, minimumCalls: 2, isResultFailure: (value) => value === 'bad' });
    await breaker.execute(() => 'bad');
    await breaker.execute(() => 'bad');
    expect(breaker.state).toBe('open');
    expect(breaker.stats().totals).toMatchObject({ successes: 0, failures: 2 });
  });
});
