import { CallTimeoutError, createBreaker, isCallTimeoutError } from '../src/index.js';
import { manualClock } from '../src/testing/index.js';
import { boom, deferred, setup } from './helpers.js';

/** Counts the AbortControllers made while `run` runs. */
async function countControllers(run: () => Promise<unknown>): Promise<number> {
  const Original = globalThis.AbortController;
  let made = 0;
  globalThis.AbortController = class extends Original {
    constructor() {
      super();
      made++;
    }
  };
  try {
    await run();
  } finally {
    globalThis.AbortController = Original;
  }
  return made;
}

describe('execute', () => {
  test('passes a context; ctx.signal is made only when read', async () => {
    const { breaker } = setup();
    expect(await countControllers(() => breaker.execute(() => 'untouched'))).toBe(0);
    expect(
      await countControllers(() =>
        breaker.execute((ctx) => {
          expect(ctx.signal).toBe(ctx.signal);
          expect(ctx.signal.aborted).toBe(false);
        }),
      ),
    ).toBe(1);
  });

  test('no timer is created without timeoutMs', async () => {
    const clock = manualClock();
    const setTimeout = jest.spyOn(clock, 'setTimeout');
    const breaker = createBreaker({ clock });
    const gate = deferred<string>();
    const running = breaker.execute(() => gate.promise);
    expect(setTimeout).not.toHaveBeenCalled();
    gate.resolve('ok');
    await running;
  });

  test('a signal given as undefined counts as not given: no controller, no timer', async () => {
    const clock = manualClock();
    const setTimeout = jest.spyOn(clock, 'setTimeout');
    const breaker = createBreaker({ clock });
    expect(await countControllers(() => breaker.execute(() => 'ok', { signal: undefined }))).toBe(0);
    expect(setTimeout).not.toHaveBeenCalled();
  });

  test('rejects with a TypeError when fn is not a function or options are bad', async () => {
    const { breaker } = setup();
    await expect(breaker.execute(42 as never)).rejects.toThrow(/fn must be a function, got 42/);
    await expect(breaker.execute(() => 1, 'x' as never)).rejects.toThrow(TypeError);
    await expect(breaker.execute(() => 1, { signal: {} as AbortSignal })).rejects.toThrow(
      /options\.signal must be an AbortSignal/,
    );
    expect(breaker.stats().totals.calls).toBe(0);
  });

  test('a synchronous throw is a rejection and a failure', async () => {
    const { breaker } = setup({ failureThreshold: 1 });
    await expect(
      breaker.execute(() => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(breaker.state).toBe('open');
  });
});

describe('timeoutMs', () => {
  test('rejects with CallTimeoutError, aborts ctx.signal with it, counts a failure and a timeout', async () => {
    const { clock, breaker } = setup({ name: 'slow', timeoutMs: 100, failureThreshold: 1 });
    let signal!: AbortSignal;
    const call = breaker.execute((ctx) => {
      signal = ctx.signal;
      return new Promise(() => {});
    });
    clock.advance(99);
    expect(signal.aborted).toBe(false);
    clock.advance(1);
    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallTimeoutError);
    expect(isCallTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ breaker: 'slow', timeoutMs: 100 });
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(error);
    expect(breaker.state).toBe('open');
    expect(breaker.stats().totals).toMatchObject({ failures: 1, timeouts: 1, calls: 1 });
    expect(clock.pending).toBe(0);
  });

  test('a signal read after the timeout is already aborted', async () => {
    const { clock, breaker } = setup({ timeoutMs: 10 });
    let read!: () => AbortSignal;
    const call = breaker.execute((ctx) => {
      read = () => ctx.signal;
      return new Promise(() => {});
    });
    clock.advance(10);
    const error = await call.catch((e: unknown) => e);
    expect(read().aborted).toBe(true);
    expect(read().reason).toBe(error);
  });

  test('the late settlement is dropped, with no unhandled rejection', async () => {
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const { clock, breaker } = setup({ timeoutMs: 10 });
      const late = deferred<string>();
      const lateSuccess = deferred<string>();
      const a = breaker.execute(() => late.promise);
      const b = breaker.execute(() => lateSuccess.promise);
      clock.advance(10);
      await expect(a).rejects.toBeInstanceOf(CallTimeoutError);
      await expect(b).rejects.toBeInstanceOf(CallTimeoutError);
      late.reject(boom);
      lateSuccess.resolve('too late');
      await new Promise(setImmediate);
      expect(unhandled).not.toHaveBeenCalled();
      expect(breaker.stats().totals).toMatchObject({ failures: 2, successes: 0, timeouts: 2 });
      expect(breaker.stats().inFlight).toBe(0);
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  test('a call that settles in time clears its timer', async () => {
    const { clock, breaker } = setup({ timeoutMs: 10 });
    await expect(breaker.execute(() => 'ok')).resolves.toBe('ok');
    await expect(breaker.execute(() => Promise.reject(boom))).rejects.toBe(boom);
    await expect(
      breaker.execute(() => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(clock.pending).toBe(0);
    clock.advance(100);
    expect(breaker.stats().totals).toMatchObject({ timeouts: 0, successes: 1, failures: 2 });
  });

  test('no timer when the breaker rejects the call', async () => {
    const { clock, breaker } = setup({ timeoutMs: 10 });
    breaker.isolate();
    await expect(breaker.execute(() => 'x')).rejects.toMatchObject({ state: 'isolated' });
    expect(clock.pending).toBe(0);
  });

  test('ignored errors and result failures on the timed path', async () => {
    const { breaker } = setup({ timeoutMs: 10, isFailure: (e) => e !== 'skip', isResultFailure: (r) => r === 'bad' });
    await expect(breaker.execute(() => Promise.reject('skip'))).rejects.toBe('skip');
    await expect(breaker.execute(() => 'bad')).resolves.toBe('bad');
    expect(breaker.stats().totals).toMatchObject({ ignored: 1, failures: 1 });
  });
});
