import { type Clock, createBreaker } from '../../src/index.js';
import { manualClock } from '../../src/testing/index.js';
import { trapEscapes } from './trap.js';

trapEscapes();

const YEARS = 5 * 365 * 24 * 3600 * 1000;

test('a clock jumping backwards stands still for the breaker: the open period is neither stretched nor cut', () => {
  const clock = manualClock(1_000_000);
  const breaker = createBreaker({ clock, resetTimeoutMs: 100 });
  breaker.open();
  clock.advance(40);
  // The breaker samples the clock only when used: time it has not seen before a jump back is lost to it.
  expect(breaker.state).toBe('open');
  clock.set(0); // back by a million ms
  expect(breaker.stats()).toMatchObject({ state: 'open', retryAfterMs: 60 });
  clock.advance(59);
  expect(breaker.state).toBe('open');
  clock.advance(1);
  expect(breaker.state).toBe('halfOpen');
});

test('a clock jumping backwards never opens the breaker, empties no window and makes no negative duration', async () => {
  const clock = manualClock(10_000);
  const durations: number[] = [];
  const breaker = createBreaker({
    clock,
    window: { durationMs: 1000, buckets: 4 },
    minimumCalls: 2,
    slowCallDurationMs: 1,
    slowCallRateThreshold: 0.5,
  });
  breaker.on('success', (e) => durations.push(e.durationMs));
  let finish: (v: string) => void = () => {};
  const hanging = breaker.execute(() => new Promise<string>((resolve) => (finish = resolve)));
  clock.set(-5_000_000);
  finish('late');
  await hanging;
  clock.set(-10_000_000);
  await breaker.execute(() => 'now');
  expect(durations).toEqual([0, 0]);
  expect(breaker.stats()).toMatchObject({ state: 'closed', window: { calls: 2, failures: 0, slowCalls: 0 } });
});

test('a clock jumping years forwards: open turns half-open, a time window is emptied, nothing throws', async () => {
  const clock = manualClock(0);
  const breaker = createBreaker({ clock, window: { durationMs: 1000, buckets: 10 }, minimumCalls: 10, resetTimeoutMs: 500 });
  await breaker.execute(() => Promise.reject(new Error('x'))).catch(() => {});
  expect(breaker.stats().window.calls).toBe(1);
  clock.advance(YEARS);
  expect(breaker.stats().window).toEqual({ calls: 0, failures: 0, slowCalls: 0, failureRate: 0, slowCallRate: 0 });
  breaker.open();
  clock.advance(YEARS);
  expect(breaker.state).toBe('halfOpen');
  await expect(breaker.execute(() => 'probe')).resolves.toBe('probe');
  expect(breaker.state).toBe('closed');
});

test('a clock starting near Number.MAX_SAFE_INTEGER or far below zero still times periods exactly', () => {
  for (const start of [Number.MAX_SAFE_INTEGER - 1e6, -1e15]) {
    const clock = manualClock(start);
    const breaker = createBreaker({ clock, resetTimeoutMs: 250 });
    breaker.open();
    clock.advance(249);
    expect(breaker.state).toBe('open');
    clock.advance(1);
    expect(breaker.state).toBe('halfOpen');
  }
});

test('a clock returning NaN or Infinity never throws and never opens the breaker by itself', async () => {
  let value = Number.NaN;
  const clock: Clock = {
    now: () => value,
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  };
  const breaker = createBreaker({ clock, window: { durationMs: 100 }, minimumCalls: 1, resetTimeoutMs: 10 });
  await expect(breaker.execute(() => 1)).resolves.toBe(1);
  value = Number.POSITIVE_INFINITY;
  await expect(breaker.execute(() => 2)).resolves.toBe(2);
  value = 0;
  expect(breaker.stats()).toMatchObject({ state: 'closed', window: { failures: 0 } });
});
