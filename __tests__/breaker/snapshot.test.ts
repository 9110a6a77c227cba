import { type BreakerSnapshot, createBreaker } from '../../src/index.js';
import { manualClock } from '../../src/testing/index.js';
import { deferred, fail, setup, succeed } from '../helpers.js';

const roundTrip = (s: BreakerSnapshot): BreakerSnapshot => JSON.parse(JSON.stringify(s));

describe('toJSON() and initialState', () => {
  test('a snapshot is plain JSON data with a version', async () => {
    const { clock, breaker } = setup({ name: 'api', failureThreshold: 3 });
    clock.set(5000);
    await fail(breaker, 2);
    const snapshot = breaker.toJSON();
    expect(roundTrip(snapshot)).toEqual(snapshot);
    expect(snapshot).toMatchObject({
      version: 1,
      name: 'api',
      state: 'closed',
      savedAt: 5000,
      retryAfterMs: null,
      attempt: 1,
      consecutiveFailures: 2,
    });
    expect(JSON.stringify(breaker)).toBe(JSON.stringify(snapshot));
  });

  test('restores state, retry time, attempt, window and totals', async () => {
    const { clock, breaker } = setup({ failureThreshold: 2, resetTimeoutMs: (a) => a * 1000 });
    await fail(breaker, 2);
    clock.advance(1000);
    await fail(breaker); // attempt 2: open for 2000
    clock.advance(500);
    const saved = roundTrip(breaker.toJSON());
    const clock2 = manualClock(clock.now());
    const restored = createBreaker({ clock: clock2, failureThreshold: 2, resetTimeoutMs: (a) => a * 1000, initialState: saved });
    expect(restored.stats()).toEqual({ ...breaker.stats() });
    expect(restored.stats()).toMatchObject({ state: 'open', retryAfterMs: 1500, consecutiveFailures: 3 });
    clock2.advance(1500);
    await fail(restored);
    expect(restored.stats().retryAfterMs).toBe(3000); // attempt 3
  });

  test('time elapsed since the snapshot counts against the open period', () => {
    const { clock, breaker } = setup({ resetTimeoutMs: 10_000 });
    breaker.open();
    const saved = breaker.toJSON();
    const later = manualClock(clock.now() + 4000);
    const restored = createBreaker({ clock: later, initialState: saved });
    expect(restored.stats()).toMatchObject({ state: 'open', retryAfterMs: 6000 });
    const muchLater = createBreaker({ clock: manualClock(clock.now() + 20_000), initialState: saved });
    expect(muchLater.state).toBe('halfOpen');
  });

  test('a snapshot from a clock that is ahead never lengthens the open period', () => {
    const { breaker } = setup({ resetTimeoutMs: 10_000 });
    breaker.open();
    const saved = { ...breaker.toJSON(), savedAt: 1_000_000 };
    const restored = createBreaker({ clock: manualClock(0), initialState: saved });
    expect(restored.stats().retryAfterMs).toBe(10_000);
  });

  test('a half-open snapshot restores as open with its probe due at once', async () => {
    const { clock, breaker } = setup({ failureThreshold: 1, resetTimeoutMs: 1000 });
    await fail(breaker);
    clock.advance(1000);
    breaker.acquire();
    const saved = breaker.toJSON();
    expect(saved).toMatchObject({ state: 'halfOpen', retryAfterMs: null });
    const restored = createBreaker({ clock: manualClock(clock.now()), initialState: saved });
    const changes: string[] = [];
    restored.on('stateChange', (e) => changes.push(`${e.from}->${e.to}`));
    expect(restored.state).toBe('halfOpen');
    expect(changes).toEqual(['open->halfOpen']);
    await succeed(restored);
    expect(restored.state).toBe('closed');
  });

  test.each(['isolated', 'disabled'] as const)('restores %s', (state) => {
    const { breaker } = setup();
    if (state === 'isolated') breaker.isolate();
    else breaker.disable();
    const restored = createBreaker({ initialState: roundTrip(breaker.toJSON()) });
    expect(restored.state).toBe(state);
  });

  test('restores a count window in order', async () => {
    const { breaker } = setup({ window: { size: 3 }, failureRateThreshold: 1 });
    await succeed(breaker, 2);
    await fail(breaker, 2); // the ring has wrapped: [s, f, f]
    const restored = createBreaker({ window: { size: 3 }, failureRateThreshold: 1, initialState: roundTrip(breaker.toJSON()) });
    expect(restored.stats().window).toEqual(breaker.stats().window);
    await fail(restored); // drops the oldest, a success: [f, f, f]
    expect(restored.state).toBe('open');
  });

  test('restores a time window, aging it by the time elapsed', async () => {
    const options = { window: { durationMs: 1000, buckets: 10 }, minimumCalls: 100 };
    const { clock, breaker } = setup(options);
    await fail(breaker); // at 0
    clock.advance(500);
    await fail(breaker, 2); // at 500
    const saved = roundTrip(breaker.toJSON());
    const now = createBreaker({ ...options, clock: manualClock(clock.now()), initialState: saved });
    expect(now.stats().window).toMatchObject({ calls: 3, failures: 3 });
    const clock2 = manualClock(clock.now() + 500);
    const later = createBreaker({ ...options, clock: clock2, initialState: saved });
    expect(later.stats().window.calls).toBe(2);
    clock2.advance(500);
    expect(later.stats().window.calls).toBe(0);
  });

  test('a snapshot from different window settings restores without its window', async () => {
    const { breaker } = setup({ window: { size: 5 }, minimumCalls: 100 });
    await fail(breaker, 3);
    const saved = breaker.toJSON();
    for (const window of [{ size: 6 }, { durationMs: 1000 }]) {
      const restored = createBreaker({ window, initialState: saved });
      expect(restored.stats()).toMatchObject({ consecutiveFailures: 0, window: { calls: 0 }, totals: { failures: 3 } });
    }
    const consecutive = createBreaker({ initialState: saved });
    expect(consecutive.stats().window.calls).toBe(0);
    const timed = setup({ window: { durationMs: 1000, buckets: 5 } });
    await fail(timed.breaker);
    const otherBuckets = createBreaker({ window: { durationMs: 1000, buckets: 4 }, initialState: timed.breaker.toJSON() });
    expect(otherBuckets.stats().window.calls).toBe(0);
    const consecutiveSaved = setup();
    await fail(consecutiveSaved.breaker);
    expect(createBreaker({ window: { size: 5 }, initialState: consecutiveSaved.breaker.toJSON() }).stats().window.calls).toBe(0);
  });

  test('restores a consecutive-mode run and window', async () => {
    const { breaker } = setup({ failureThreshold: 3 });
    await succeed(breaker);
    await fail(breaker, 2);
    const restored = createBreaker({ failureThreshold: 3, initialState: breaker.toJSON() });
    expect(restored.stats().window).toEqual(breaker.stats().window);
    await fail(restored);
    expect(restored.state).toBe('open');
  });

  test('snapshots keep the caller-visible state while calls are in flight', async () => {
    const { breaker } = setup();
    const gate = deferred<string>();
    const running = breaker.execute(() => gate.promise);
    expect(breaker.toJSON().totals.calls).toBe(1);
    gate.resolve('ok');
    await running;
  });
});
