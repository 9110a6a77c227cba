import { type BreakerOptions, CallTimeoutError, type Clock, createBreaker, systemClock } from '../../src/index.js';
import { manualClock, memoryStore } from '../../src/testing/index.js';
import { boom, deferred, fail, flush, recordEvents, types } from '../helpers.js';

/** An open breaker (attempt 1, due in 1000 ms) whose health check the test controls. */
async function opened(check: (signal: AbortSignal) => Promise<unknown>, options: BreakerOptions = {}) {
  const clock = manualClock();
  const signals: AbortSignal[] = [];
  const healthCheck = jest.fn(({ signal }: { signal: AbortSignal }) => {
    signals.push(signal);
    return check(signal);
  });
  const breaker = createBreaker({
    clock,
    failureThreshold: 1,
    resetTimeoutMs: (attempt) => attempt * 1000,
    healthCheck,
    healthCheckIntervalMs: 500,
    ...options,
  });
  expect(clock.pending).toBe(0);
  await fail(breaker);
  expect(breaker.state).toBe('open');
  return { clock, breaker, healthCheck, signals };
}

describe('healthCheck', () => {
  test('resolving counts as a successful probe: an idle breaker closes, and the timer stops', async () => {
    const { clock, breaker, healthCheck } = await opened(async () => 'healthy');
    expect(clock.pending).toBe(1);
    const seen = recordEvents(breaker);
    clock.advance(500);
    // Not yet due: the check waits.
    expect(healthCheck).not.toHaveBeenCalled();
    clock.advance(500);
    expect(healthCheck).toHaveBeenCalledTimes(1);
    await flush();
    expect(breaker.state).toBe('closed');
    expect(types(seen)).toEqual(['halfOpen', 'stateChange', 'success', 'close', 'stateChange']);
    expect(breaker.stats().totals).toMatchObject({ calls: 2, successes: 1, failures: 1 });
    clock.advance(500);
    expect(clock.pending).toBe(0);
    clock.advance(10_000);
    expect(healthCheck).toHaveBeenCalledTimes(1);
  });

  test('rejecting counts as a failed probe: reopens with attempt + 1, and checks again when due', async () => {
    const { clock, breaker, healthCheck } = await opened(() => Promise.reject(boom));
    const seen = recordEvents(breaker);
    clock.advance(1000);
    await flush();
    expect(seen.filter(([type]) => type === 'open')).toEqual([
      ['open', { name: 'breaker', reason: 'probeFailed', retryAfterMs: 2000 }],
    ]);
    expect(breaker.state).toBe('open');
    clock.advance(1500);
    expect(healthCheck).toHaveBeenCalledTimes(1);
    clock.advance(500);
    expect(healthCheck).toHaveBeenCalledTimes(2);
  });

  test('hanging counts as failed after the probe expiry, and its signal aborts', async () => {
    const { clock, breaker, signals } = await opened(() => new Promise(() => {}));
    clock.advance(1000);
    expect(signals).toHaveLength(1);
    expect(breaker.state).toBe('halfOpen');
    clock.advance(500);
    expect(signals[0].aborted).toBe(false);
    // The probe was given resetTimeoutMs(1) = 1000 ms.
    clock.advance(500);
    expect(signals[0].aborted).toBe(true);
    expect(signals[0].reason).toBeInstanceOf(CallTimeoutError);
    expect(breaker.toJSON()).toMatchObject({ state: 'open', attempt: 2 });
  });

  test('never runs while a call already probes', async () => {
    // Looks at 300, 600, 900, 1200, ...: the call at 1000 probes first.
    const { clock, breaker, healthCheck } = await opened(async () => 'healthy', { healthCheckIntervalMs: 300 });
    clock.advance(1000);
    expect(healthCheck).not.toHaveBeenCalled();
    const probe = deferred<string>();
    const probing = breaker.execute(() => probe.promise);
    clock.advance(200);
    clock.advance(300);
    expect(healthCheck).not.toHaveBeenCalled();
    probe.resolve('ok');
    await probing;
    expect(breaker.state).toBe('closed');
    clock.advance(1000);
    expect(healthCheck).not.toHaveBeenCalled();
  });

  test('a breaker with calls of its own is probed by them; with no option there is no timer', async () => {
    const clock = manualClock();
    const breaker = createBreaker({ clock, failureThreshold: 1 });
    await fail(breaker);
    expect(clock.pending).toBe(0);
  });

  test('dispose() stops the timer and aborts a running check; calls still work after it', async () => {
    const { clock, breaker, signals } = await opened(() => new Promise(() => {}));
    clock.advance(1000);
    expect(clock.pending).toBe(1);
    breaker.dispose();
    expect(clock.pending).toBe(0);
    expect(signals[0].aborted).toBe(true);
    clock.advance(5000);
    expect(signals).toHaveLength(1);
    breaker.close();
    await expect(breaker.execute(() => 'still works')).resolves.toBe('still works');
    // Disposed for good: a configure does not start it again.
    breaker.configure({ healthCheck: async () => 'x' });
    await fail(breaker);
    expect(clock.pending).toBe(0);
  });

  test('on the system clock, the timer is unref d: it never keeps the process alive', async () => {
    const handles: { hasRef(): boolean }[] = [];
    const clock: Clock = {
      now: () => systemClock.now(),
      setTimeout: (callback, ms) => {
        const handle = systemClock.setTimeout(callback, ms) as { hasRef(): boolean };
        handles.push(handle);
        return handle;
      },
      clearTimeout: (handle) => systemClock.clearTimeout(handle),
    };
    const breaker = createBreaker({ clock, failureThreshold: 1, healthCheck: async () => 'ok' });
    await fail(breaker);
    expect(handles).toHaveLength(1);
    expect(handles[0].hasRef()).toBe(false);
    breaker.dispose();
  });

  test('given later by configure, it starts on an open breaker; a check that throws at once is a failed probe', async () => {
    const clock = manualClock();
    const breaker = createBreaker({ clock, failureThreshold: 1, resetTimeoutMs: 1000 });
    await fail(breaker);
    expect(clock.pending).toBe(0);
    const healthCheck = jest.fn((): Promise<unknown> => {
      throw boom;
    });
    breaker.configure({ healthCheck, healthCheckIntervalMs: 1000 });
    expect(clock.pending).toBe(1);
    clock.advance(1000);
    await flush();
    expect(healthCheck).toHaveBeenCalledTimes(1);
    expect(breaker.toJSON()).toMatchObject({ state: 'open', attempt: 2 });
    breaker.dispose();
  });

  test('is checked like every option', () => {
    expect(() => createBreaker({ healthCheck: 'ping' as never })).toThrow(
      new TypeError('healthCheck must be a function, got "ping"'),
    );
    expect(() => createBreaker({ healthCheckIntervalMs: 0 })).toThrow(
      new RangeError('healthCheckIntervalMs must be a finite number > 0, got 0'),
    );
    expect(() => createBreaker({ healthCheckIntervalMs: 2 ** 31 })).toThrow(RangeError);
  });

  test("with a store, a health check probes under the fleet's lease: one check per period for the fleet", async () => {
    const clock = manualClock(1_000_000);
    const store = memoryStore({ clock });
    const settle = async (): Promise<void> => {
      await store.flush();
      await flush();
    };
    const check = deferred<string>();
    const healthCheck = jest.fn(() => check.promise);
    const make = () =>
      createBreaker({
        name: 'dep',
        store,
        clock,
        failureThreshold: 1,
        resetTimeoutMs: 4000,
        healthCheck,
        healthCheckIntervalMs: 1000,
      });
    const [a, b] = [make(), make()];
    await settle();
    await a.execute(() => Promise.reject(boom)).catch(() => undefined);
    await settle();
    expect([a.state, b.state]).toEqual(['open', 'open']);
    clock.advance(4000);
    await settle();
    expect(healthCheck).toHaveBeenCalledTimes(1);
    check.resolve('healthy');
    await settle();
    expect([a.state, b.state]).toEqual(['closed', 'closed']);
    a.dispose();
    b.dispose();
    clock.advance(10_000);
    expect(clock.pending).toBe(0);
  });
});
