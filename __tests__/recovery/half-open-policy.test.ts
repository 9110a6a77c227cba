import { type Breaker, type BreakerOptions, createBreaker } from '../../src/index.js';
import { type ManualClock, manualClock } from '../../src/testing/index.js';
import { deferred, fail, recordEvents } from '../helpers.js';

/** A rate-mode breaker with halfOpenPolicy 'rate', 4 probes, opened and now half-open. */
async function halfOpened(options: Record<string, unknown> = {}): Promise<{ breaker: Breaker; clock: ManualClock }> {
  const clock = manualClock();
  const breaker = createBreaker({
    clock,
    window: { size: 10 },
    minimumCalls: 2,
    failureRateThreshold: 0.5,
    resetTimeoutMs: 1000,
    halfOpenMaxCalls: 4,
    halfOpenPolicy: 'rate',
    ...options,
  });
  await fail(breaker, 2);
  clock.advance(1000);
  expect(breaker.state).toBe('halfOpen');
  return { breaker, clock };
}

/** Runs one probe per ending, one after the other: true succeeds, false fails. */
async function probes(breaker: Breaker, endings: boolean[]): Promise<void> {
  for (const ok of endings) await breaker.execute(() => (ok ? 'ok' : Promise.reject(new Error('down')))).catch(() => undefined);
}

describe("halfOpenPolicy: 'rate'", () => {
  test('a failed probe does not reopen at once: the rate of the settled probes decides', async () => {
    const { breaker } = await halfOpened();
    const seen = recordEvents(breaker);
    await probes(breaker, [false, true, true]);
    expect(breaker.stats()).toMatchObject({ state: 'halfOpen', totals: { failures: 3, successes: 2 } });
    await probes(breaker, [true]);
    // 1 failure in 4: 0.25 is below 0.5.
    expect(breaker.state).toBe('closed');
    expect(seen.filter(([type]) => type === 'close')).toEqual([['close', { name: 'breaker', reason: 'probesSucceeded' }]]);
  });

  test('reopens (probeFailed, attempt + 1) when the probes fail at the threshold or above', async () => {
    const { breaker } = await halfOpened({ resetTimeoutMs: (attempt: number) => attempt * 1000 });
    const seen = recordEvents(breaker);
    await probes(breaker, [true, false, true, false]);
    expect(breaker.state).toBe('open');
    expect(seen.filter(([type]) => type === 'open')).toEqual([
      ['open', { name: 'breaker', reason: 'probeFailed', retryAfterMs: 2000 }],
    ]);
  });

  test('slow probes count against the slow-call threshold', async () => {
    const { breaker, clock } = await halfOpened({ slowCallDurationMs: 100, slowCallRateThreshold: 0.5 });
    for (let i = 0; i < 4; i++) {
      const slow = i < 2;
      const done = deferred<string>();
      const call = breaker.execute(() => done.promise);
      if (slow) clock.advance(100);
      done.resolve('ok');
      await call;
    }
    // Two of four probes slow: 0.5 is not below 0.5.
    expect(breaker.state).toBe('open');
  });

  test('never lets more than halfOpenMaxCalls probes through in one period', async () => {
    const { breaker } = await halfOpened({ halfOpenMaxCalls: 2 });
    const first = deferred<string>();
    const calls = [breaker.execute(() => first.promise), breaker.execute(() => first.promise)];
    await expect(breaker.execute(() => 'third')).rejects.toMatchObject({ state: 'halfOpen' });
    first.resolve('ok');
    await Promise.all(calls);
    expect(breaker.state).toBe('closed');
  });

  test('a probe past its expiry counts as a failed probe among the rest', async () => {
    const { breaker, clock } = await halfOpened({ halfOpenMaxCalls: 2, failureRateThreshold: 0.75 });
    const hung = breaker.execute(() => new Promise(() => {}));
    void hung;
    clock.advance(1000);
    // One failed (expired) so far, one slot left: still half-open.
    expect(breaker.stats()).toMatchObject({ state: 'halfOpen', inFlight: 1 });
    await probes(breaker, [true]);
    // 1 in 2 failed, below 0.75.
    expect(breaker.state).toBe('closed');
  });

  test('a call that finds the probes judged (an expired one among them) meets the ramp of the close', async () => {
    const { breaker, clock } = await halfOpened({ halfOpenMaxCalls: 2, failureRateThreshold: 0.75, rampUpMs: 100 });
    void breaker.execute(() => new Promise(() => {}));
    await probes(breaker, [true]);
    clock.advance(1000);
    // This call's look at the state counts the expired probe: 1 failed in 2, so the breaker
    // closes, ramping from a share of 0: the call itself is turned away by the ramp.
    await expect(breaker.execute(() => 'ok')).rejects.toMatchObject({ state: 'closed', retryAfterMs: 10 });
    expect(breaker.stats()).toMatchObject({ state: 'closed', ramp: 0 });
  });

  test("is a rate-mode option: a TypeError in consecutive mode naming halfOpenPolicy and window; 'all' or 'rate' only", () => {
    expect(() => createBreaker({ halfOpenPolicy: 'rate' } as BreakerOptions)).toThrow(
      new TypeError(
        'halfOpenPolicy is a rate-mode option: it needs window (e.g. window: { size: 100 }), else failures in a row count',
      ),
    );
    expect(() => createBreaker({ halfOpenPolicy: 'all' })).not.toThrow();
    expect(() => createBreaker({ window: { size: 5 }, halfOpenPolicy: 'most' as never })).toThrow(
      new TypeError(`halfOpenPolicy must be 'all' or 'rate', got "most"`),
    );
  });

  test("'all' (the default) still reopens on the first failed probe", async () => {
    const { breaker } = await halfOpened({ halfOpenPolicy: 'all' });
    await probes(breaker, [true, false]);
    expect(breaker.state).toBe('open');
  });
});
