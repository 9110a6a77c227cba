import { type BreakerOptions, createBreaker, createRegistry, systemClock, wrap } from '../src/index.js';
import { manualClock } from '../src/testing/index.js';

const create = (options: unknown) => () => createBreaker(options as BreakerOptions);
const MAX_TIMER_MS = 2 ** 31 - 1;

describe('durations that feed a timer', () => {
  test('timeoutMs above the largest timer delay is refused at creation, naming the option and the value', () => {
    expect(create({ timeoutMs: 2 ** 31 })).toThrow(RangeError);
    expect(create({ timeoutMs: 2 ** 31 })).toThrow(/timeoutMs must be at most 2147483647 .*got 2147483648/);
    expect(() => wrap(() => 1, { timeoutMs: 2 ** 40 })).toThrow(/timeoutMs must be at most/);
    expect(() => createRegistry({ timeoutMs: 2 ** 31 })).toThrow(RangeError);
  });

  test('the largest timer delay is accepted and does not time a call out early', async () => {
    const clock = manualClock();
    const breaker = createBreaker({ clock, timeoutMs: MAX_TIMER_MS });
    let finish: (value: string) => void = () => {};
    const call = breaker.execute(() => new Promise<string>((resolve) => (finish = resolve)));
    clock.advance(MAX_TIMER_MS - 1);
    finish('done');
    await expect(call).resolves.toBe('done');
  });

  test.each([
    ['systemClock', systemClock],
    ['manualClock', manualClock()],
  ])('%s refuses a delay it cannot keep instead of firing early', (_name, clock) => {
    expect(() => clock.setTimeout(() => {}, 2 ** 31)).toThrow(RangeError);
    expect(() => clock.setTimeout(() => {}, 2 ** 31)).toThrow(/ms must be at most 2147483647 .*got 2147483648/);
    clock.clearTimeout(clock.setTimeout(() => {}, MAX_TIMER_MS));
  });
});

describe('rate-mode options without window', () => {
  test.each([
    ['failureRateThreshold', 0.2],
    ['minimumCalls', 4],
    ['slowCallRateThreshold', 0.5],
  ])('%s without window is a TypeError saying it needs window', (option, value) => {
    expect(create({ [option]: value })).toThrow(TypeError);
    expect(create({ [option]: value })).toThrow(new RegExp(`${option} is a rate-mode option: it needs window`));
    expect(create({ [option]: value, window: { size: 10 } })).not.toThrow();
  });

  test('slowCallDurationMs alone stays valid', () => {
    expect(create({ slowCallDurationMs: 100 })).not.toThrow();
  });

  test('the registry and wrap say the same', () => {
    expect(() => createRegistry({ minimumCalls: 4 } as never)).toThrow(/minimumCalls is a rate-mode option/);
    expect(() => wrap(() => 1, { failureRateThreshold: 0.2 } as never)).toThrow(/failureRateThreshold is a rate-mode option/);
  });
});

describe('messages that point the way', () => {
  test('a time window whose buckets are shorter than 1 ms is a RangeError', () => {
    expect(create({ window: { durationMs: 5, buckets: 10 } })).toThrow(RangeError);
    expect(create({ window: { durationMs: 5, buckets: 10 } })).toThrow(
      /window\.buckets must be at most window\.durationMs \(5\): a bucket spans at least 1 ms, got 10/,
    );
    expect(create({ window: { durationMs: 10, buckets: 10 } })).not.toThrow();
  });

  test('execute(fn, { timeoutMs }) says that timeoutMs is a breaker option', async () => {
    const breaker = createBreaker();
    await expect(breaker.execute(() => 1, { timeoutMs: 100 } as never)).rejects.toThrow(
      /unknown option "timeoutMs": timeoutMs is a breaker option; give it to createBreaker/,
    );
  });
});
