import { type BreakerEvents, createBreaker } from '../../src/index.js';
import { manualClock } from '../../src/testing/index.js';
import { trapEscapes } from './trap.js';

trapEscapes();

type Reported = BreakerEvents['callbackError'];
const boom = (label: string) => () => {
  throw new Error(label);
};

/** Runs `body` with process warnings captured, and returns their messages. */
async function warned(body: () => Promise<void> | void): Promise<string[]> {
  const spy = jest.spyOn(process, 'emitWarning').mockImplementation(() => {});
  try {
    await body();
    return spy.mock.calls.map((call) => String(call[0]));
  } finally {
    spy.mockRestore();
  }
}

test('throwing listeners are reported via callbackError; results, state and other listeners are untouched', async () => {
  const clock = manualClock();
  const breaker = createBreaker({ clock, failureThreshold: 2, resetTimeoutMs: 10 });
  const reported: Reported[] = [];
  const seen: string[] = [];
  breaker.on('callbackError', (e) => reported.push(e));
  for (const type of ['success', 'failure', 'open', 'stateChange', 'reject'] as const) {
    breaker.on(type, boom(type));
    breaker.on(type, () => seen.push(type));
  }
  // (A throwing wildcard listener and callbackError: model/wildcard-callback-error.test.ts.)
  breaker.on('*', (type) => {
    if (type !== 'callbackError') throw new Error('wildcard');
  });
  await expect(breaker.execute(() => 'ok')).resolves.toBe('ok');
  await expect(breaker.execute(() => Promise.reject(new Error('x')))).rejects.toThrow('x');
  await expect(breaker.execute(() => Promise.reject(new Error('y')))).rejects.toThrow('y');
  await expect(breaker.execute(() => 'never runs')).rejects.toMatchObject({ name: 'CircuitOpenError' });
  expect(breaker.state).toBe('open');
  expect(seen).toEqual(['success', 'failure', 'failure', 'open', 'stateChange', 'reject']);
  expect(reported.every((r) => r.callback === 'listener' && r.name === 'breaker')).toBe(true);
  expect(reported.map((r) => (r.error as Error).message).filter((m) => m !== 'wildcard')).toEqual(seen);
  expect(breaker.stats().totals).toMatchObject({ calls: 3, successes: 1, failures: 2, rejected: 1 });
});

test('with no callbackError listener, a listener error is a process warning, never swallowed nor a crash', async () => {
  const breaker = createBreaker({ clock: manualClock() });
  breaker.on('success', boom('listener'));
  const warnings = await warned(async () => {
    await expect(breaker.execute(() => 1)).resolves.toBe(1);
  });
  expect(warnings).toEqual([expect.stringMatching(/the listener callback of breaker "breaker" threw: Error: listener/)]);
});

test('a throwing callbackError listener is a process warning, not reported in a loop', async () => {
  const breaker = createBreaker({ clock: manualClock() });
  breaker.on('success', boom('listener'));
  breaker.on('callbackError', boom('reporter'));
  const warnings = await warned(async () => {
    await breaker.execute(() => 1);
  });
  expect(warnings).toEqual([expect.stringMatching(/threw: Error: reporter/)]);
});

test('throwing predicates: isFailure counts a failure, isResultFailure a success, both reported', async () => {
  const reported: Reported[] = [];
  const breaker = createBreaker({
    clock: manualClock(),
    failureThreshold: 1,
    isFailure: boom('isFailure'),
    isResultFailure: boom('isResultFailure'),
  });
  breaker.on('callbackError', (e) => reported.push(e));
  await expect(breaker.execute(() => 'value')).resolves.toBe('value');
  expect(breaker.stats().totals.successes).toBe(1);
  await expect(breaker.execute(() => Promise.reject(new Error('e')))).rejects.toThrow('e');
  expect(breaker.state).toBe('open');
  expect(reported.map((r) => r.callback)).toEqual(['isResultFailure', 'isFailure']);
});

test.each([
  ['throws', boom('reset')],
  ['returns NaN', () => Number.NaN],
  ['returns -1', () => -1],
  ['returns Infinity', () => Number.POSITIVE_INFINITY],
  ['returns a string', () => '5' as unknown as number],
])('a resetTimeoutMs function that %s falls back to 30000 and is reported', (_label, reset) => {
  const clock = manualClock();
  const reported: Reported[] = [];
  const breaker = createBreaker({ clock, resetTimeoutMs: reset });
  breaker.on('callbackError', (e) => reported.push(e));
  breaker.open();
  expect(breaker.stats().retryAfterMs).toBe(30_000);
  clock.advance(29_999);
  expect(breaker.state).toBe('open');
  clock.advance(1);
  expect(breaker.state).toBe('halfOpen');
  expect(reported.length).toBeGreaterThan(0);
  expect(reported.every((r) => r.callback === 'resetTimeoutMs')).toBe(true);
});

test('a listener that changes the state mid-call does not let the outcome count twice', async () => {
  const breaker = createBreaker({ clock: manualClock(), failureThreshold: 1 });
  breaker.on('failure', () => breaker.close());
  await expect(breaker.execute(() => Promise.reject(new Error('f')))).rejects.toThrow('f');
  // The failure belonged to the generation the listener ended: the fresh closed breaker has not counted it.
  expect(breaker.stats()).toMatchObject({
    state: 'closed',
    consecutiveFailures: 0,
    window: { calls: 0 },
    totals: { failures: 1 },
  });
});
