import { CallTimeoutError, CircuitOpenError, createBreaker, wrap } from '../src/index.js';
import { manualClock } from '../src/testing/index.js';
import { boom, setup } from './helpers.js';

describe('wrap', () => {
  test('passes arguments through and resolves with the result; keeps the name', async () => {
    const add = wrap(function add(a: number, b: number) {
      return a + b;
    });
    await expect(add(2, 3)).resolves.toBe(5);
    expect(add.name).toBe('add');
    expect(add.breaker.state).toBe('closed');
    expect(add.breaker.stats().totals.successes).toBe(1);
  });

  test('passes `this` through', async () => {
    const counter = {
      count: 41,
      next: wrap(function (this: { count: number }, by: number) {
        return (this.count += by);
      }),
    };
    await expect(counter.next(1)).resolves.toBe(42);
    const slow = {
      base: 'x',
      read: wrap(
        function (this: { base: string }) {
          return this.base;
        },
        { timeoutMs: 100, clock: manualClock() },
      ),
    };
    await expect(slow.read()).resolves.toBe('x');
  });

  test('a synchronous throw is a rejection like any other', async () => {
    const thrower = wrap(
      () => {
        throw boom;
      },
      { failureThreshold: 1 },
    );
    const result = thrower();
    expect(result).toBeInstanceOf(Promise);
    await expect(result).rejects.toBe(boom);
    expect(thrower.breaker.state).toBe('open');
  });

  test('fn that is not a function throws at once', () => {
    expect(() => wrap(undefined as never)).toThrow(/fn must be a function, got undefined/);
    expect(() => createBreaker().wrap('x' as never)).toThrow(TypeError);
    expect(() => wrap(() => 1, { fallback: 5 as never })).toThrow(/fallback must be a function/);
    expect(() => wrap(() => 1, 'options' as never)).toThrow(/options must be an object/);
  });

  test('validates breaker options', () => {
    expect(() => wrap(() => 1, { failureThreshold: 0 })).toThrow(RangeError);
    expect(() => wrap(() => 1, { bogus: true } as never)).toThrow(/unknown option "bogus"/);
  });
});

describe('fallback', () => {
  test('runs on a failure with the error and the arguments, and gives the result', async () => {
    const fallback = jest.fn((_error: unknown, id: string) => `cached ${id}`);
    const read = wrap((id: string): Promise<string> => Promise.reject(new Error(id)), { fallback });
    await expect(read('7')).resolves.toBe('cached 7');
    expect(fallback).toHaveBeenCalledWith(new Error('7'), '7');
    expect(read.breaker.stats().totals.failures).toBe(1);
  });

  test('runs when the breaker rejects, with the CircuitOpenError', async () => {
    const fallback = jest.fn(() => 'fallback');
    const fn = jest.fn(() => 'fresh');
    const read = wrap(fn, { fallback });
    read.breaker.isolate();
    await expect(read()).resolves.toBe('fallback');
    expect(fn).not.toHaveBeenCalled();
    expect(fallback.mock.calls[0]).toEqual([expect.any(CircuitOpenError)]);
  });

  test('runs on a timeout', async () => {
    const clock = manualClock();
    const read = wrap(() => new Promise<string>(() => {}), { clock, timeoutMs: 50, fallback: (e) => (e as Error).name });
    const result = read();
    clock.advance(50);
    await expect(result).resolves.toBe('CallTimeoutError');
    expect(clock.pending).toBe(0);
  });

  test('gets `this`', async () => {
    const obj = {
      label: 'obj',
      read: wrap(
        function (this: { label: string }): string {
          throw boom;
        },
        {
          fallback: function (this: { label: string }) {
            return `fallback for ${this.label}`;
          },
        },
      ),
    };
    await expect(obj.read()).resolves.toBe('fallback for obj');
  });

  test('does not run for an ignored error', async () => {
    const fallback = jest.fn(() => 'no');
    const read = wrap((): Promise<string> => Promise.reject('skip'), { isFailure: () => false, fallback });
    await expect(read()).rejects.toBe('skip');
    expect(fallback).not.toHaveBeenCalled();
  });

  test('does not run for a result failure: the caller gets the value', async () => {
    const fallback = jest.fn(() => 'no');
    const read = wrap(() => 'bad', { isResultFailure: () => true, fallback });
    await expect(read()).resolves.toBe('bad');
    expect(fallback).not.toHaveBeenCalled();
    expect(read.breaker.stats().totals.failures).toBe(1);
  });

  test('a fallback that throws or rejects makes the call reject with its error', async () => {
    const fallbackError = new Error('fallback failed');
    const sync = wrap(() => Promise.reject(boom), {
      fallback: () => {
        throw fallbackError;
      },
    });
    await expect(sync()).rejects.toBe(fallbackError);
    const async = wrap(() => Promise.reject(boom), { fallback: () => Promise.reject(fallbackError) });
    await expect(async()).rejects.toBe(fallbackError);
    const rejected = wrap(() => 'x', { fallback: () => Promise.reject(fallbackError) });
    rejected.breaker.isolate();
    await expect(rejected()).rejects.toBe(fallbackError);
  });

  test('breaker.wrap takes a fallback too', async () => {
    const breaker = createBreaker();
    const read = breaker.wrap((n: number): Promise<number> => Promise.reject(new Error(String(n))), {
      fallback: (_e, n) => n * 2,
    });
    await expect(read(21)).resolves.toBe(42);
    expect(read.breaker).toBe(breaker);
    expect(() => breaker.wrap(() => 1, 'x' as never)).toThrow(TypeError);
  });
});

describe('the breaker option', () => {
  test('shares one breaker between functions', async () => {
    const { breaker } = setup({ failureThreshold: 2 });
    const a = wrap(() => Promise.reject(boom), { breaker });
    const b = wrap(() => 'b', { breaker, fallback: () => 'fallback' });
    expect(a.breaker).toBe(breaker);
    await a().catch(() => undefined);
    await a().catch(() => undefined);
    expect(breaker.state).toBe('open');
    await expect(b()).resolves.toBe('fallback');
  });

  test('with a breaker option is a TypeError naming both', () => {
    const breaker = createBreaker();
    expect(() => wrap(() => 1, { breaker, timeoutMs: 5 } as never)).toThrow(TypeError);
    expect(() => wrap(() => 1, { breaker, failureThreshold: 5 } as never)).toThrow(/breaker.*failureThreshold/);
    expect(() => wrap(() => 1, { breaker, name: 'x' } as never)).toThrow(/breaker and name/);
  });

  test('breaker options given as undefined count as not given', async () => {
    const breaker = createBreaker();
    const fn = wrap(() => 1, { breaker, timeoutMs: undefined, name: undefined });
    await expect(fn()).resolves.toBe(1);
  });

  test('must be a breaker made by createBreaker', () => {
    expect(() => wrap(() => 1, { breaker: { state: 'closed' } as never })).toThrow(/breaker must be a breaker/);
  });

  test('a shared breaker with a timeout times wrapped calls out', async () => {
    const { clock, breaker } = setup({ timeoutMs: 5 });
    const slow = wrap(() => new Promise<void>(() => {}), { breaker });
    const result = slow();
    clock.advance(5);
    await expect(result).rejects.toBeInstanceOf(CallTimeoutError);
  });
});
