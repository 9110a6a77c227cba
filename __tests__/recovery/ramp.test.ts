import { CircuitOpenError, createBreaker } from '../../src/index.js';
import { manualClock, memoryStore } from '../../src/testing/index.js';
import { fail, flush, recordEvents, setup, succeed, types } from '../helpers.js';

/** A breaker that has just closed from half-open with `rampUpMs`, on a manual clock. */
async function closedFromHalfOpen(options: Parameters<typeof setup>[0] = {}) {
  const ctx = setup({ failureThreshold: 1, resetTimeoutMs: 1000, rampUpMs: 1000, ...options });
  await fail(ctx.breaker);
  ctx.clock.advance(1000);
  await succeed(ctx.breaker);
  expect(ctx.breaker.state).toBe('closed');
  return ctx;
}

/** Sends `n` calls at once; returns which were let through (true) or turned away (false). */
async function burst(breaker: ReturnType<typeof createBreaker>, n: number): Promise<boolean[]> {
  const results = await Promise.all(
    Array.from({ length: n }, () =>
      breaker
        .execute(() => 'ok')
        .then(
          () => true,
          (error: unknown) => {
            if (!(error instanceof CircuitOpenError)) throw error;
            return false;
          },
        ),
    ),
  );
  return results;
}

describe('rampUpMs', () => {
  test('lets t / rampUpMs of calls through, spread evenly over calls rather than in bursts', async () => {
    const { breaker, clock } = await closedFromHalfOpen();
    expect(breaker.stats().ramp).toBe(0);
    expect(await burst(breaker, 4)).toEqual([false, false, false, false]);
    clock.advance(250);
    expect(breaker.stats().ramp).toBe(0.25);
    // One call in four, every fourth.
    expect(await burst(breaker, 12)).toEqual([false, false, false, true, false, false, false, true, false, false, false, true]);
    clock.advance(250);
    expect(await burst(breaker, 6)).toEqual([false, true, false, true, false, true]);
    clock.advance(499);
    expect(breaker.stats().ramp).toBe(0.999);
    clock.advance(1);
    expect(breaker.stats().ramp).toBe(1);
    expect(await burst(breaker, 5)).toEqual([true, true, true, true, true]);
  });

  test("a call turned away rejects with state 'closed' and a short retryAfterMs, and is counted as rejected", async () => {
    const { breaker, clock } = await closedFromHalfOpen({ rampUpMs: 10_000 });
    const seen = recordEvents(breaker);
    const before = breaker.stats().totals.rejected;
    const error = await breaker.execute(() => 'ok').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CircuitOpenError);
    // A tenth of the ramp.
    expect(error).toMatchObject({ state: 'closed', retryAfterMs: 1000, code: 'ERR_CIRCUIT_OPEN' });
    expect(seen).toEqual([['reject', { name: 'breaker', state: 'closed', retryAfterMs: 1000 }]]);
    expect((error as Error).message).toBe('Circuit "breaker" is ramping up after closing: retry after 1000 ms');
    expect(breaker.stats().totals.rejected).toBe(before + 1);
    expect(() => breaker.acquire()).toThrow(CircuitOpenError);
    // Near its end (a share of 0.97: still turned away), what is left of the ramp.
    clock.advance(9_700);
    const late = await breaker.execute(() => 'ok').catch((e: unknown) => e);
    expect(late).toMatchObject({ state: 'closed', retryAfterMs: 300 });
    expect(breaker.stats()).toMatchObject({ state: 'closed', retryAfterMs: 0 });
  });

  test('a manual close, or a close by hand from open, does not ramp', async () => {
    const { breaker } = await closedFromHalfOpen();
    expect(breaker.stats().ramp).toBe(0);
    breaker.close();
    expect(breaker.stats().ramp).toBe(1);
    breaker.open();
    breaker.close();
    expect(await burst(breaker, 3)).toEqual([true, true, true]);
  });

  test('the failure thresholds keep counting during the ramp, and an opening uses attempt + 1', async () => {
    const attempts: number[] = [];
    const clock = manualClock();
    const resetTimeoutMs = (attempt: number) => {
      attempts.push(attempt);
      return attempt * 1000;
    };
    const breaker = createBreaker({ clock, failureThreshold: 2, resetTimeoutMs, rampUpMs: 1000 });
    await fail(breaker, 2);
    clock.advance(1000);
    await succeed(breaker);
    // Opened at attempt 1, and its probe was given attempt 1's time.
    expect(attempts).toEqual([1, 1]);
    const seen = recordEvents(breaker);
    clock.advance(500);
    // A share of 1/2: every other call is let through, and both let through fail.
    const ran: boolean[] = [];
    for (let i = 0; i < 4; i++) {
      const error = await breaker
        .execute(() => {
          ran.push(true);
          return Promise.reject(new Error('down'));
        })
        .catch((e: unknown) => e);
      if (error instanceof CircuitOpenError) ran.push(false);
    }
    expect(ran).toEqual([false, true, false, true]);
    expect(seen.filter(([type]) => type === 'open')).toEqual([
      ['open', { name: 'breaker', reason: 'failures', retryAfterMs: 2000 }],
    ]);
    expect(attempts.at(-1)).toBe(2);
    expect(breaker.toJSON()).toMatchObject({ state: 'open', attempt: 2 });
  });

  test('after the ramp, an opening starts again at attempt 1', async () => {
    const { breaker, clock } = await closedFromHalfOpen({ failureThreshold: 1, resetTimeoutMs: (attempt) => attempt * 1000 });
    clock.advance(1000);
    await fail(breaker);
    expect(breaker.toJSON()).toMatchObject({ state: 'open', attempt: 1, retryAfterMs: 1000 });
  });

  test('rampUpMs 0 (the default) closes straight to all traffic', async () => {
    const { breaker } = await closedFromHalfOpen({ rampUpMs: 0 });
    expect(breaker.stats().ramp).toBe(1);
    expect(await burst(breaker, 3)).toEqual([true, true, true]);
  });

  test('a ramp is per breaker state: its events are the usual ones, and a snapshot restores without it', async () => {
    const clock = manualClock();
    const breaker = createBreaker({ clock, failureThreshold: 1, resetTimeoutMs: 10, rampUpMs: 100 });
    const seen = recordEvents(breaker);
    await fail(breaker);
    clock.advance(10);
    await succeed(breaker);
    const expected = ['failure', 'open', 'stateChange', 'halfOpen', 'stateChange', 'success', 'close', 'stateChange'];
    expect(types(seen)).toEqual(expected);
    const restored = createBreaker({ clock, failureThreshold: 1, rampUpMs: 100, initialState: breaker.toJSON() });
    expect(restored.stats().ramp).toBe(1);
    // The ramp's end emits nothing: the breaker was closed all along.
    clock.advance(100);
    expect(breaker.stats().ramp).toBe(1);
    expect(types(seen)).toEqual(expected);
  });

  test('rampUpMs is checked like every duration', () => {
    expect(() => createBreaker({ rampUpMs: -1 })).toThrow(new RangeError('rampUpMs must be a finite number >= 0, got -1'));
    expect(() => createBreaker({ rampUpMs: '5' as never })).toThrow(new TypeError('rampUpMs must be a number, got "5"'));
  });
});

describe('rampUpMs with a store', () => {
  test("is per process: a process that takes up the fleet's close from half-open ramps its own traffic", async () => {
    const clock = manualClock(1_000_000);
    const store = memoryStore({ clock });
    const settle = async (): Promise<void> => {
      await store.flush();
      await flush();
    };
    const make = () => createBreaker({ name: 'dep', store, clock, failureThreshold: 1, resetTimeoutMs: 100, rampUpMs: 1000 });
    const [a, b] = [make(), make()];
    await settle();
    await fail(a);
    await settle();
    clock.advance(100);
    const probe = a.execute(() => 'ok');
    await settle();
    await probe;
    await settle();
    expect([a.state, b.state]).toEqual(['closed', 'closed']);
    expect([a.stats().ramp, b.stats().ramp]).toEqual([0, 0]);
    clock.advance(500);
    expect(await burst(b, 4)).toEqual([false, true, false, true]);
    a.dispose();
    b.dispose();
  });

  test('dispose() detaches a breaker from its store: it decides alone from then on', async () => {
    const clock = manualClock();
    const store = memoryStore({ clock });
    const [a, b] = [createBreaker({ name: 'x', store, clock }), createBreaker({ name: 'x', store, clock })];
    await store.flush();
    b.dispose();
    a.isolate();
    await store.flush();
    await flush();
    expect([a.state, b.state]).toEqual(['isolated', 'closed']);
    await expect(b.execute(() => 'alone')).resolves.toBe('alone');
    a.dispose();
  });
});
