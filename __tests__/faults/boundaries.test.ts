import { type BreakerOptions, createBreaker } from '../../src/index.js';
import { manualClock } from '../../src/testing/index.js';
import { trapEscapes } from './trap.js';

trapEscapes();

const ok = () => 'ok';
const fail = () => Promise.reject(new Error('x'));
async function run(options: BreakerOptions, outcomes: string) {
  const clock = manualClock();
  const breaker = createBreaker({ clock, ...options });
  for (const c of outcomes) await breaker.execute(c === 'F' ? fail : ok).catch(() => {});
  return { breaker, clock };
}

test('failureRateThreshold 1 opens only when every call in the window failed', async () => {
  const options = { window: { size: 4 }, minimumCalls: 4, failureRateThreshold: 1 };
  expect((await run(options, 'FFFS')).breaker.state).toBe('closed');
  expect((await run(options, 'SFFFF')).breaker.state).toBe('open');
});

test('a tiny failureRateThreshold opens on the first failure once minimumCalls is reached', async () => {
  const options = { window: { size: 6 }, minimumCalls: 6, failureRateThreshold: Number.MIN_VALUE };
  expect((await run(options, 'SSSSSS')).breaker.state).toBe('closed');
  expect((await run(options, 'SSSSSF')).breaker.state).toBe('open');
});

test('minimumCalls 1 and window size 1: the last call alone decides', async () => {
  const { breaker } = await run({ window: { size: 1 }, minimumCalls: 1 }, 'SSS');
  expect(breaker.state).toBe('closed');
  await breaker.execute(fail).catch(() => {});
  expect(breaker.stats()).toMatchObject({ state: 'open', window: { calls: 1, failures: 1, failureRate: 1 } });
});

test('minimumCalls above the count window size uses the size', async () => {
  expect((await run({ window: { size: 2 }, minimumCalls: 100 }, 'FF')).breaker.state).toBe('open');
});

test('a time window of one bucket forgets everything once durationMs has passed', async () => {
  const { breaker, clock } = await run({ window: { durationMs: 100, buckets: 1 }, minimumCalls: 3 }, 'FF');
  clock.advance(100);
  expect(breaker.stats().window.calls).toBe(0);
  await breaker.execute(fail).catch(() => {});
  expect(breaker.state).toBe('closed');
});

test('resetTimeoutMs 0: half-open at the next look, and a probe gets through', async () => {
  const { breaker } = await run({ failureThreshold: 1, resetTimeoutMs: 0 }, 'F');
  expect(breaker.state).toBe('halfOpen');
  await expect(breaker.execute(ok)).resolves.toBe('ok');
  expect(breaker.state).toBe('closed');
});

test('halfOpenMaxCalls large: that many successful probes are needed to close, one failure reopens', async () => {
  const { breaker, clock } = await run({ failureThreshold: 1, resetTimeoutMs: 10, halfOpenMaxCalls: 1000 }, 'F');
  clock.advance(10);
  for (let i = 0; i < 999; i++) await breaker.execute(ok);
  expect(breaker.stats()).toMatchObject({ state: 'halfOpen', retryAfterMs: 0 });
  await breaker.execute(ok);
  expect(breaker.state).toBe('closed');
});

test('slowCallDurationMs 0 makes every call slow; slowCallRateThreshold 1 then opens once minimumCalls is reached', async () => {
  const { breaker } = await run({ window: { size: 3 }, minimumCalls: 3, slowCallDurationMs: 0 }, 'SS');
  expect(breaker.stats()).toMatchObject({ state: 'closed', window: { slowCalls: 2 } });
  await breaker.execute(ok);
  expect(breaker.state).toBe('open');
});

test('failureThreshold 1 opens on the first failure; a huge one never opens', async () => {
  expect((await run({ failureThreshold: 1 }, 'F')).breaker.state).toBe('open');
  expect((await run({ failureThreshold: Number.MAX_SAFE_INTEGER }, 'FFFFFFFFFF')).breaker.state).toBe('closed');
});

test.each<[string, BreakerOptions, RegExp, ErrorConstructor]>([
  [
    'failureRateThreshold 0',
    { window: { size: 1 }, failureRateThreshold: 0 },
    /failureRateThreshold must be in \(0, 1\], got 0/,
    RangeError,
  ],
  ['failureRateThreshold 1.5', { failureRateThreshold: 1.5 }, /failureRateThreshold.*1\.5/, RangeError],
  ['failureRateThreshold NaN', { failureRateThreshold: Number.NaN }, /failureRateThreshold.*NaN/, TypeError],
  ['minimumCalls 0', { minimumCalls: 0 }, /minimumCalls.*0/, RangeError],
  ['minimumCalls 1.5', { minimumCalls: 1.5 }, /minimumCalls.*1\.5/, RangeError],
  ['window size 0', { window: { size: 0 } }, /window\.size.*0/, RangeError],
  ['window buckets 0', { window: { durationMs: 10, buckets: 0 } }, /window\.buckets.*0/, RangeError],
  [
    'window durationMs Infinity',
    { window: { durationMs: Number.POSITIVE_INFINITY } },
    /window\.durationMs.*Infinity/,
    RangeError,
  ],
  ['resetTimeoutMs -1', { resetTimeoutMs: -1 }, /resetTimeoutMs.*-1/, RangeError],
  ['resetTimeoutMs Infinity', { resetTimeoutMs: Number.POSITIVE_INFINITY }, /resetTimeoutMs.*Infinity/, RangeError],
  ['halfOpenMaxCalls 0', { halfOpenMaxCalls: 0 }, /halfOpenMaxCalls.*0/, RangeError],
  ['timeoutMs 0', { timeoutMs: 0 }, /timeoutMs.*0/, RangeError],
  ['failureThreshold "3"', { failureThreshold: '3' as unknown as number }, /failureThreshold.*3/, TypeError],
  ['an unknown key', { failureTreshold: 3 } as BreakerOptions, /unknown option "failureTreshold"/, TypeError],
  ['failureThreshold with window', { failureThreshold: 3, window: { size: 3 } }, /failureThreshold.*window/, TypeError],
])('%s is rejected at creation, naming the option and value', (_label, options, message, type) => {
  expect(() => createBreaker(options)).toThrow(type);
  expect(() => createBreaker(options)).toThrow(message);
});

test('open(0) half-opens at the next look; open(Infinity) and open(-1) are rejected', () => {
  const clock = manualClock();
  const breaker = createBreaker({ clock });
  breaker.open(0);
  expect(breaker.state).toBe('halfOpen');
  expect(() => breaker.open(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  expect(() => breaker.open(-1)).toThrow(RangeError);
});
