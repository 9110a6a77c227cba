import { type BreakerOptions, createBreaker, createRegistry, wrap } from '../src/index.js';
import { manualClock } from '../src/testing/index.js';
import { deepFreeze } from './helpers.js';

const create = (options: unknown) => () => createBreaker(options as BreakerOptions);

describe('option validation', () => {
  test.each<[string, unknown, RegExp]>([
    ['name', 42, /name must be a string, got 42/],
    ['failureThreshold', '5', /failureThreshold must be a number, got "5"/],
    ['failureThreshold', Number.NaN, /failureThreshold must be a number, got NaN/],
    ['window', 10, /window must be an object, got 10/],
    ['window', [], /window must be an object, got an array/],
    ['failureRateThreshold', '0.5', /failureRateThreshold must be a number/],
    ['minimumCalls', null, /minimumCalls must be a number, got null/],
    ['slowCallDurationMs', {}, /slowCallDurationMs must be a number, got an object/],
    ['slowCallRateThreshold', true, /slowCallRateThreshold must be a number, got true/],
    ['resetTimeoutMs', '100', /resetTimeoutMs must be a number or a function, got "100"/],
    ['resetTimeoutMs', Number.NaN, /resetTimeoutMs must be a number/],
    ['halfOpenMaxCalls', 2n, /halfOpenMaxCalls must be a number, got 2/],
    ['timeoutMs', Symbol('t'), /timeoutMs must be a number, got Symbol\(t\)/],
    ['isFailure', true, /isFailure must be a function, got true/],
    ['isResultFailure', 'yes', /isResultFailure must be a function, got "yes"/],
    ['clock', 5, /clock must be an object, got 5/],
    ['clock', null, /clock must be an object, got null/],
    ['clock', { now: () => 0, setTimeout: () => 0 }, /clock\.clearTimeout must be a function, got undefined/],
    ['clock', { now: 1, setTimeout: () => 0, clearTimeout: () => {} }, /clock\.now must be a function, got 1/],
    ['initialState', 'saved', /initialState must be an object, got "saved"/],
  ])('%s: %p is a TypeError', (option, value, message) => {
    expect(create({ [option]: value })).toThrow(TypeError);
    expect(create({ [option]: value })).toThrow(message);
  });

  test.each([
    ['name', '', /name must not be empty/],
    ['failureThreshold', 0, /failureThreshold must be an integer >= 1, got 0/],
    ['failureThreshold', 2.5, /failureThreshold must be an integer >= 1, got 2.5/],
    ['failureThreshold', Number.POSITIVE_INFINITY, /got Infinity/],
    ['failureRateThreshold', 1.5, /failureRateThreshold must be in \(0, 1\], got 1.5/],
    ['failureRateThreshold', 0, /failureRateThreshold must be in \(0, 1\], got 0/],
    ['minimumCalls', 0, /minimumCalls must be an integer >= 1, got 0/],
    ['slowCallDurationMs', -1, /slowCallDurationMs must be a finite number >= 0, got -1/],
    ['slowCallRateThreshold', -0.1, /slowCallRateThreshold must be in \(0, 1\], got -0.1/],
    ['resetTimeoutMs', -5, /resetTimeoutMs must be a finite number >= 0, got -5/],
    ['resetTimeoutMs', Number.POSITIVE_INFINITY, /resetTimeoutMs .*got Infinity/],
    ['halfOpenMaxCalls', 0, /halfOpenMaxCalls must be an integer >= 1, got 0/],
    ['timeoutMs', 0, /timeoutMs must be a finite number > 0, got 0/],
    ['timeoutMs', Number.POSITIVE_INFINITY, /timeoutMs must be a finite number > 0, got Infinity/],
  ])('%s: %p is a RangeError', (option, value, message) => {
    expect(create({ [option]: value })).toThrow(RangeError);
    expect(create({ [option]: value })).toThrow(message);
  });

  test.each([
    [{ size: 0 }, RangeError, /window\.size must be an integer >= 1, got 0/],
    [{ size: '10' }, TypeError, /window\.size must be a number, got "10"/],
    [{ durationMs: 0 }, RangeError, /window\.durationMs must be a finite number > 0, got 0/],
    [{ durationMs: 1000, buckets: 0 }, RangeError, /window\.buckets must be an integer >= 1, got 0/],
    [{ durationMs: 1000, buckets: 1.5 }, RangeError, /window\.buckets/],
    [{ size: 10, durationMs: 1000 }, TypeError, /either size or durationMs/],
    [{ size: 10, buckets: 2 }, TypeError, /window\.buckets goes with window\.durationMs/],
    [{}, TypeError, /window must have a size or a durationMs/],
  ])('window %p', (window, type, message) => {
    expect(create({ window })).toThrow(type);
    expect(create({ window })).toThrow(message);
  });

  test('failureThreshold with window is a TypeError naming both', () => {
    expect(create({ failureThreshold: 3, window: { size: 10 } })).toThrow(TypeError);
    expect(create({ failureThreshold: 3, window: { size: 10 } })).toThrow(/failureThreshold.*window/);
  });

  test('an unknown key is a TypeError', () => {
    expect(create({ failureTreshold: 3 })).toThrow(/unknown option "failureTreshold"/);
    expect(create({ fallback: () => 1 })).toThrow(TypeError);
  });

  test('an unknown key inside window, or in the options of execute and breaker.wrap, is a TypeError', async () => {
    expect(create({ window: { durationMs: 1000, bucket: 5 } })).toThrow(/unknown option window\."bucket"/);
    const breaker = createBreaker();
    expect(() => breaker.wrap(() => 1, { fallbak: () => 2 } as never)).toThrow(/unknown option "fallbak"/);
    await expect(breaker.execute(() => 1, { sigal: AbortSignal.abort() } as never)).rejects.toThrow(/unknown option "sigal"/);
    expect(breaker.stats().totals.calls).toBe(0);
  });

  test('an empty name is a RangeError that shows the value', () => {
    expect(create({ name: '' })).toThrow(RangeError);
    expect(create({ name: '' })).toThrow('name must not be empty, got ""');
  });

  test('options that are not an object', () => {
    expect(create(null)).toThrow(/options must be an object, got null/);
    expect(create('fast')).toThrow(TypeError);
    expect(create(() => ({}))).toThrow(/got a function/);
  });

  test('an option given as undefined counts as not given', () => {
    const all: Record<string, undefined> = {};
    for (const key of [
      'name',
      'failureThreshold',
      'window',
      'failureRateThreshold',
      'minimumCalls',
      'slowCallDurationMs',
      'slowCallRateThreshold',
      'resetTimeoutMs',
      'halfOpenMaxCalls',
      'timeoutMs',
      'isFailure',
      'isResultFailure',
      'clock',
      'initialState',
    ]) {
      all[key] = undefined;
    }
    const breaker = createBreaker(all);
    expect(breaker.name).toBe('breaker');
    expect(breaker.state).toBe('closed');
    expect(() => createBreaker({ failureThreshold: undefined, window: { size: 3 } })).not.toThrow();
    expect(() => createBreaker({ window: { durationMs: 100, buckets: undefined } })).not.toThrow();
    expect(() => createBreaker({ window: { size: 3, durationMs: undefined } as never })).not.toThrow();
  });

  test('valid edge values are accepted', () => {
    expect(() =>
      createBreaker({ window: { size: 5 }, failureRateThreshold: 1, slowCallRateThreshold: 1, resetTimeoutMs: 0 }),
    ).not.toThrow();
    expect(() => createBreaker({ slowCallDurationMs: 0, timeoutMs: 0.5 })).not.toThrow();
    const clockFunction = Object.assign(() => 0, manualClock());
    expect(() => createBreaker({ clock: clockFunction })).not.toThrow();
  });

  test("the caller's options object is never mutated", async () => {
    const options = deepFreeze({
      name: 'frozen',
      window: { durationMs: 1000 },
      resetTimeoutMs: (attempt: number) => attempt * 10,
      clock: manualClock(),
      timeoutMs: 100,
    });
    const copy = JSON.stringify(options);
    const breaker = createBreaker(options);
    await breaker.execute(() => 'ok');
    breaker.open();
    const guarded = wrap(() => 1, { ...options, name: 'guarded', fallback: () => 2 });
    await guarded();
    const registry = createRegistry(deepFreeze({ window: { size: 5 }, maxSize: 2 }));
    registry.get('a');
    expect(JSON.stringify(options)).toBe(copy);
    expect(breaker.name).toBe('frozen');
  });
});
