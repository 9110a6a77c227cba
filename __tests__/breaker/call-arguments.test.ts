import { createBreaker, wrap } from '../../src/index.js';
import { manualClock, memoryStore } from '../../src/testing/index.js';
import { setup } from '../helpers.js';

describe('execute() checks its options before anything runs', () => {
  const fn = jest.fn(() => 'ran');
  const aFunctionLikeASignal = Object.assign(() => undefined, { aborted: false, addEventListener: () => undefined });

  test.each([
    ['null', null, /options\.signal must be an AbortSignal, got null$/],
    ['a string', 'stop', /options\.signal must be an AbortSignal, got "stop"$/],
    ['aborted not a boolean', { aborted: 'no', addEventListener: () => undefined }, /got an object$/],
    ['addEventListener not a function', { aborted: false, addEventListener: 1 }, /got an object$/],
    ['a function with the same members', aFunctionLikeASignal, /got a function$/],
  ])('a signal that is %s is a TypeError naming it', async (_label, signal, message) => {
    const { breaker } = setup();
    const error = await breaker.execute(fn, { signal: signal as unknown as AbortSignal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(message);
    expect(fn).not.toHaveBeenCalled();
    expect(breaker.stats().totals.calls).toBe(0);
  });

  test('options that are null are a TypeError saying options must be an object', async () => {
    const { breaker } = setup();
    await expect(breaker.execute(fn, null as never)).rejects.toThrow(/^options must be an object, got null$/);
    expect(fn).not.toHaveBeenCalled();
  });
});

describe('with nothing wrapping the call, the caller gets the function’s own promise', () => {
  test('execute(fn) and execute(fn, {}), with a plain promise and a subclass', async () => {
    class Tagged<T> extends Promise<T> {}
    const { breaker } = setup();
    const plain = Promise.resolve('a');
    const tagged = Tagged.resolve('b');
    expect(breaker.execute(() => plain)).toBe(plain);
    expect(breaker.execute(() => plain, {})).toBe(plain);
    expect(breaker.execute(() => tagged)).toBe(tagged);
    await expect(breaker.execute(() => tagged)).resolves.toBe('b');
  });

  test('a guarded function without fallback or timeout, with and without a store', async () => {
    const promise = Promise.resolve(42);
    const guarded = createBreaker().wrap(() => promise);
    expect(guarded()).toBe(promise);
    const standalone = wrap(() => promise);
    expect(standalone()).toBe(promise);
    const clock = manualClock();
    const inFleet = createBreaker({ clock, store: memoryStore({ clock }) }).wrap(() => promise);
    expect(inFleet()).toBe(promise);
  });

  test('a timeout or a fallback puts the call behind a promise of the breaker’s', async () => {
    const promise = Promise.resolve(42);
    const timed = createBreaker({ timeoutMs: 1000 });
    const viaTimeout = timed.execute(() => promise);
    expect(viaTimeout).not.toBe(promise);
    await expect(viaTimeout).resolves.toBe(42);
    const withFallback = createBreaker().wrap(() => promise, { fallback: () => 0 });
    const viaFallback = withFallback();
    expect(viaFallback).not.toBe(promise);
    await expect(viaFallback).resolves.toBe(42);
  });
});

describe('a guarded function', () => {
  test('keeps the name of the function and shows its breaker as an enumerable property', () => {
    const breaker = createBreaker();
    function fetchUser(): string {
      return 'u';
    }
    const guarded = breaker.wrap(fetchUser);
    expect(guarded.name).toBe('fetchUser');
    expect(Object.keys(guarded)).toEqual(['breaker']);
    expect(guarded.breaker).toBe(breaker);
  });
});
