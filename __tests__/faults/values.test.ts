import { createBreaker, isCallTimeoutError } from '../../src/index.js';
import { manualClock } from '../../src/testing/index.js';
import { trapEscapes } from './trap.js';

trapEscapes();

const settled = (p: Promise<unknown>) =>
  p.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, value: error }),
  );

describe('what fn returns', () => {
  test.each([
    ['a number', 42],
    ['undefined', undefined],
    ['null', null],
    ['an object', { a: 1 }],
  ])('a plain value (%s) resolves as itself and counts as a success', async (_label, value) => {
    const breaker = createBreaker({ clock: manualClock() });
    await expect(breaker.execute(() => value)).resolves.toBe(value);
    await expect(breaker.wrap(() => value)()).resolves.toBe(value);
    expect(breaker.stats().totals).toMatchObject({ calls: 2, successes: 2, failures: 0 });
  });

  test('a thenable that resolves, one that rejects, and one whose then throws', async () => {
    const breaker = createBreaker({ clock: manualClock(), failureThreshold: 10 });
    // biome-ignore lint/suspicious/noThenProperty: thenables are what this test feeds the breaker
    const resolving = { then: (ok: (v: string) => void) => ok('yes') };
    // biome-ignore lint/suspicious/noThenProperty: thenables are what this test feeds the breaker
    const rejecting = { then: (_ok: unknown, no: (e: unknown) => void) => no('no') };
    const throwing = {
      // biome-ignore lint/suspicious/noThenProperty: thenables are what this test feeds the breaker
      then() {
        throw new Error('then threw');
      },
    };
    await expect(breaker.execute(() => resolving as PromiseLike<string>)).resolves.toBe('yes');
    await expect(breaker.execute(() => rejecting as PromiseLike<string>)).rejects.toBe('no');
    await expect(breaker.execute(() => throwing as unknown as PromiseLike<string>)).rejects.toThrow('then threw');
    expect(breaker.stats().totals).toMatchObject({ calls: 3, successes: 1, failures: 2 });
    expect(breaker.stats().inFlight).toBe(0);
  });

  test('a promise that never settles is cut off by timeoutMs: CallTimeoutError, failure, signal aborted, timer gone', async () => {
    const clock = manualClock();
    const breaker = createBreaker({ clock, timeoutMs: 50, failureThreshold: 1, resetTimeoutMs: 1000 });
    let signal: AbortSignal | undefined;
    const call = settled(
      breaker.execute((ctx) => {
        signal = ctx.signal;
        return new Promise(() => {});
      }),
    );
    clock.advance(49);
    expect(breaker.stats().inFlight).toBe(1);
    clock.advance(1);
    const result = await call;
    expect(result.ok).toBe(false);
    expect(isCallTimeoutError(result.value)).toBe(true);
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBe(result.value);
    expect(breaker.stats()).toMatchObject({ state: 'open', inFlight: 0, totals: { calls: 1, failures: 1, timeouts: 1 } });
    expect(clock.pending).toBe(0);
  });

  test('a never-calling thenable is cut off by timeoutMs too', async () => {
    const clock = manualClock();
    const breaker = createBreaker({ clock, timeoutMs: 5 });
    // biome-ignore lint/suspicious/noThenProperty: thenables are what this test feeds the breaker
    const never = { then() {} };
    const call = settled(breaker.execute(() => never as unknown as PromiseLike<never>));
    clock.advance(5);
    expect(isCallTimeoutError((await call).value)).toBe(true);
  });

  test('a rejection arriving after the timeout is dropped: never unhandled, never counted again', async () => {
    const clock = manualClock();
    const breaker = createBreaker({ clock, timeoutMs: 5, failureThreshold: 10 });
    let lateReject: (e: unknown) => void = () => {};
    const call = settled(breaker.execute(() => new Promise((_ok, no) => (lateReject = no))));
    clock.advance(5);
    await call;
    lateReject(new Error('late'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(breaker.stats().totals).toMatchObject({ calls: 1, failures: 1, timeouts: 1, successes: 0 });
  });
});

describe('what fn throws', () => {
  test.each([
    ['undefined', undefined],
    ['null', null],
    ['a string', 'bad'],
    ['a number', 0],
    ['a plain object', { code: 'E' }],
    [
      'an object with a throwing getter',
      Object.defineProperty({}, 'message', {
        get: () => {
          throw new Error('getter');
        },
      }),
    ],
  ])('throwing %s rejects with exactly that value and counts as a failure', async (_label, thrown) => {
    const seen: unknown[] = [];
    const breaker = createBreaker({
      clock: manualClock(),
      failureThreshold: 2,
      isFailure: (e) => {
        seen.push(e);
        return true;
      },
    });
    const sync = await settled(
      breaker.execute(() => {
        throw thrown;
      }),
    );
    const async = await settled(breaker.execute(() => Promise.reject(thrown)));
    expect(sync).toEqual({ ok: false, value: thrown });
    expect(async.value).toBe(thrown);
    expect(seen).toEqual([thrown, thrown]);
    expect(breaker.stats()).toMatchObject({ state: 'open', totals: { failures: 2 } });
  });

  test('a guarded function throwing undefined with a fallback gets the fallback, which sees undefined', async () => {
    const breaker = createBreaker({ clock: manualClock() });
    const guarded = breaker.wrap(
      (): string => {
        throw undefined;
      },
      { fallback: (error) => `fallback:${String(error)}` },
    );
    await expect(guarded()).resolves.toBe('fallback:undefined');
  });
});
