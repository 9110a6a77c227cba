import { type BreakerSnapshot, type Clock, createBreaker } from '../../src/index.js';
import { manualClock } from '../../src/testing/index.js';
import { fail, setup, succeed } from '../helpers.js';

const roundTrip = (s: BreakerSnapshot): BreakerSnapshot => JSON.parse(JSON.stringify(s));
const windowOf = (s: BreakerSnapshot): Record<string, unknown> => s.window as unknown as Record<string, unknown>;

describe('a snapshot window that does not fit the breaker restores without its window', () => {
  test('a time window with another duration, same buckets', async () => {
    const { clock, breaker } = setup({ window: { durationMs: 1000, buckets: 10 }, minimumCalls: 100 });
    await fail(breaker, 3);
    const saved = roundTrip(breaker.toJSON());
    const restored = createBreaker({
      clock: manualClock(clock.now()),
      window: { durationMs: 2000, buckets: 10 },
      minimumCalls: 100,
      initialState: saved,
    });
    expect(restored.stats().window.calls).toBe(0);
    // The same settings keep it.
    const same = createBreaker({
      clock: manualClock(clock.now()),
      window: { durationMs: 1000, buckets: 10 },
      minimumCalls: 100,
      initialState: saved,
    });
    expect(same.stats().window.calls).toBe(3);
  });

  test('a time window with other buckets, same duration', async () => {
    const { clock, breaker } = setup({ window: { durationMs: 1000, buckets: 10 }, minimumCalls: 100 });
    await fail(breaker, 3);
    const saved = roundTrip(breaker.toJSON());
    const restored = createBreaker({
      clock: manualClock(clock.now()),
      window: { durationMs: 1000, buckets: 5 },
      minimumCalls: 100,
      initialState: saved,
    });
    expect(restored.stats().window.calls).toBe(0);
  });

  test('a count window into a breaker counting failures in a row', async () => {
    const { clock, breaker } = setup({ window: { size: 4 }, minimumCalls: 100 });
    await fail(breaker, 2);
    const saved = roundTrip(breaker.toJSON());
    const restored = createBreaker({ clock: manualClock(clock.now()), failureThreshold: 5, initialState: saved });
    expect(restored.stats().window).toEqual({ calls: 0, failures: 0, slowCalls: 0, failureRate: 0, slowCallRate: 0 });
    expect(restored.stats().consecutiveFailures).toBe(0);
  });

  test('a consecutive window holding more failures than calls', async () => {
    const { clock, breaker } = setup({ failureThreshold: 5 });
    await fail(breaker, 2);
    const saved = roundTrip(breaker.toJSON());
    const broken = { ...saved, window: { ...windowOf(saved), failures: 3 } } as unknown as BreakerSnapshot;
    const restored = createBreaker({ clock: manualClock(clock.now()), failureThreshold: 5, initialState: broken });
    expect(restored.stats().window.calls).toBe(0);
    const slow = { ...saved, window: { ...windowOf(saved), slowCalls: 3 } } as unknown as BreakerSnapshot;
    expect(createBreaker({ clock: manualClock(clock.now()), initialState: slow }).stats().window.calls).toBe(0);
  });
});

test('a time window snapshot lists only the slices that hold calls', async () => {
  const { clock, breaker } = setup({ window: { durationMs: 1000, buckets: 10 }, minimumCalls: 100 });
  await fail(breaker);
  clock.advance(300);
  await succeed(breaker);
  const slices = windowOf(breaker.toJSON()).slices as number[][];
  expect(slices).toEqual([
    [0, 1, 0, 0],
    [3, 1, 1, 0],
  ]);
});

test('a clock that reads NaN when the breaker is made: the breaker starts at 0 and follows the clock once it reads a number', async () => {
  let reading = Number.NaN;
  const clock: Clock = {
    now: () => reading,
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (t) => clearTimeout(t as never),
  };
  const breaker = createBreaker({ clock, failureThreshold: 1, resetTimeoutMs: 1000 });
  expect(breaker.toJSON().savedAt).toBe(0);
  reading = 5000;
  await fail(breaker);
  expect(breaker.stats().retryAfterMs).toBe(1000);
  reading = 5600;
  expect(breaker.stats().retryAfterMs).toBe(400);
});
