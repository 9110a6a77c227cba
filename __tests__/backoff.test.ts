import { exponentialBackoff } from '../src/index.js';

describe('exponentialBackoff', () => {
  test('defaults: 1000 ms doubling up to 60000 ms, no jitter', () => {
    const backoff = exponentialBackoff();
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(backoff)).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000]);
    expect(backoff(10_000)).toBe(60_000);
  });

  test('min(maxMs, initialMs * factor^(attempt-1))', () => {
    const backoff = exponentialBackoff({ initialMs: 100, maxMs: 1000, factor: 3 });
    expect([1, 2, 3, 4].map(backoff)).toEqual([100, 300, 900, 1000]);
    expect(exponentialBackoff({ factor: 1, initialMs: 7 })(50)).toBe(7);
  });

  test('jitter spreads the value within value x (1 +/- jitter)', () => {
    const at = (r: number) => exponentialBackoff({ initialMs: 1000, jitter: 0.2, random: () => r })(1);
    expect(at(0)).toBeCloseTo(800);
    expect(at(0.5)).toBeCloseTo(1000);
    expect(at(0.75)).toBeCloseTo(1100);
    expect(at(0.999999)).toBeCloseTo(1200, 1);
    expect(at(-5)).toBeCloseTo(800);
    expect(at(7)).toBeCloseTo(1200);
    const random = jest.fn(Math.random);
    const backoff = exponentialBackoff({ initialMs: 1000, maxMs: 4000, jitter: 0.5, random });
    for (let attempt = 1; attempt <= 20; attempt++) {
      const base = Math.min(4000, 1000 * 2 ** (attempt - 1));
      const value = backoff(attempt);
      expect(value).toBeGreaterThanOrEqual(base * 0.5);
      expect(value).toBeLessThanOrEqual(base * 1.5);
    }
    expect(random).toHaveBeenCalledTimes(20);
  });

  test('without jitter, random is never called', () => {
    const random = jest.fn(() => 0.5);
    exponentialBackoff({ random })(3);
    expect(random).not.toHaveBeenCalled();
  });

  test.each([
    [{ initialMs: -1 }, RangeError, /initialMs must be a finite number >= 0, got -1/],
    [{ initialMs: '1' }, TypeError, /initialMs must be a number/],
    [{ maxMs: 10, initialMs: 100 }, RangeError, /maxMs must be >= initialMs \(100\), got 10/],
    [{ factor: 0.5 }, RangeError, /factor must be >= 1, got 0.5/],
    [{ factor: 'x' }, TypeError, /factor/],
    [{ jitter: 1.5 }, RangeError, /jitter must be in \[0, 1\], got 1.5/],
    [{ jitter: -0.1 }, RangeError, /jitter/],
    [{ random: 0.5 }, TypeError, /random must be a function/],
    [{ initial: 5 }, TypeError, /unknown option "initial"/],
  ])('%p is rejected', (options, type, message) => {
    expect(() => exponentialBackoff(options as never)).toThrow(type);
    expect(() => exponentialBackoff(options as never)).toThrow(message);
  });

  test('options given as undefined use the defaults; options must be an object', () => {
    expect(exponentialBackoff({ initialMs: undefined, jitter: undefined })(2)).toBe(2000);
    expect(() => exponentialBackoff(5 as never)).toThrow(TypeError);
  });

  test.each([0, -1, 1.5, Number.NaN, '2'])('attempt %p is a RangeError', (attempt) => {
    expect(() => exponentialBackoff()(attempt as number)).toThrow(RangeError);
  });
});
