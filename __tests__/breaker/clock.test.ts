import type { Clock } from '../../src/index.js';
import { createBreaker } from '../../src/index.js';
import { manualClock } from '../../src/testing/index.js';
import { fail, setup, succeed } from '../helpers.js';

describe('a clock that goes backwards', () => {
  test('never throws and never opens the breaker; time stands still until it moves forward', async () => {
    const { clock, breaker } = setup({ window: { durationMs: 1000 }, minimumCalls: 2, resetTimeoutMs: 1000 });
    clock.set(10_000);
    await succeed(breaker);
    clock.set(0);
    await succeed(breaker, 3);
    expect(breaker.state).toBe('closed');
    expect(breaker.stats().window.calls).toBe(4);
    clock.set(-50_000);
    expect(() => breaker.stats()).not.toThrow();
    expect(breaker.state).toBe('closed');
  });

  test('no open period is stretched by a jump back', async () => {
    const { clock, breaker } = setup({ failureThreshold: 1, resetTimeoutMs: 1000 });
    clock.set(5000);
    await fail(breaker);
    clock.set(5600); // 600 of 1000
    expect(breaker.stats().retryAfterMs).toBe(400);
    clock.set(0); // stands still
    expect(breaker.stats().retryAfterMs).toBe(400);
    clock.set(400); // moves 400 forward
    expect(breaker.state).toBe('halfOpen');
  });

  test('a window does not lose or gain outcomes from a jump back', async () => {
    const { clock, breaker } = setup({ window: { durationMs: 100, buckets: 2 }, minimumCalls: 100 });
    clock.set(1000);
    await fail(breaker);
    clock.set(900);
    await fail(breaker);
    clock.set(999);
    expect(breaker.stats().window.calls).toBe(2);
    clock.set(1000); // 100 past the first outcome in breaker time
    expect(breaker.stats().window.calls).toBe(0);
  });

  test('a clock returning NaN or Infinity never throws', async () => {
    let value = 0;
    const base = manualClock();
    const clock: Clock = { now: () => value, setTimeout: base.setTimeout, clearTimeout: base.clearTimeout };
    const breaker = createBreaker({ clock, failureThreshold: 1, resetTimeoutMs: 100 });
    value = Number.NaN;
    await fail(breaker);
    value = Number.POSITIVE_INFINITY;
    expect(breaker.state).toBe('open');
    value = 50;
    expect(breaker.stats().retryAfterMs).toBe(50);
    value = 100;
    expect(breaker.state).toBe('halfOpen');
  });

  test('a clock that starts at NaN', () => {
    const base = manualClock();
    const breaker = createBreaker({ clock: { ...base, now: () => Number.NaN } });
    expect(breaker.stats().state).toBe('closed');
    expect(breaker.toJSON().savedAt).toBe(0);
  });
});
