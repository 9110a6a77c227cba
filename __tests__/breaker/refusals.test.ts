import { CircuitOpenError, type Clock, createBreaker } from '../../src/index.js';

/** A clock that moves 1 ms every time it is read, like a busy system clock. */
function tickingClock(): Clock & { reads: number; last: number } {
  const clock = {
    reads: 0,
    last: -1,
    now: () => {
      clock.reads++;
      clock.last = clock.reads;
      return clock.last;
    },
    setTimeout: () => undefined,
    clearTimeout: () => undefined,
  };
  return clock;
}

describe('a call turned away by an open breaker', () => {
  // The retry time a caller is told is the time left at the one reading the refusal made.
  test('reads the clock once, and its retryAfterMs is the open period left at that reading', async () => {
    const clock = tickingClock();
    const breaker = createBreaker({ clock });
    breaker.open(1000);
    const until = clock.last + 1000;
    const before = clock.reads;
    const error = await breaker.execute(() => 'never').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(clock.reads - before).toBe(1);
    expect((error as CircuitOpenError).retryAfterMs).toBe(until - clock.last);
  });

  test('the same through acquire()', () => {
    const clock = tickingClock();
    const breaker = createBreaker({ clock });
    breaker.open(1000);
    const until = clock.last + 1000;
    const before = clock.reads;
    let error: unknown;
    try {
      breaker.acquire();
    } catch (thrown) {
      error = thrown;
    }
    expect(clock.reads - before).toBe(1);
    expect((error as CircuitOpenError).retryAfterMs).toBe(until - clock.last);
  });
});
