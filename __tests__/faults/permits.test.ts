import { createBreaker, isCircuitOpenError } from '../../src/index.js';
import { manualClock } from '../../src/testing/index.js';
import { trapEscapes } from './trap.js';

trapEscapes();

const reports = ['success', 'failure', 'ignore'] as const;

test.each(reports.flatMap((first) => reports.map((second) => [first, second] as const)))(
  'a permit reported %s then %s counts only the first',
  (first, second) => {
    const breaker = createBreaker({ clock: manualClock(), failureThreshold: 1 });
    const permit = breaker.acquire();
    permit[first]();
    const after = breaker.stats();
    permit[second]();
    permit[first]();
    expect(breaker.stats()).toEqual(after);
    expect(after.inFlight).toBe(0);
    expect(after.totals).toMatchObject({
      calls: 1,
      successes: +(first === 'success'),
      failures: +(first === 'failure'),
      ignored: +(first === 'ignore'),
    });
  },
);

test('a probe permit never settled holds its slot only until the probe expiry, then reopens with attempt + 1', () => {
  const clock = manualClock();
  const resets: number[] = [];
  const breaker = createBreaker({
    clock,
    failureThreshold: 1,
    resetTimeoutMs: (attempt) => {
      resets.push(attempt);
      return 100 * attempt;
    },
  });
  breaker.open();
  clock.advance(100);
  const forgotten = breaker.acquire();
  expect(() => breaker.acquire()).toThrow(expect.objectContaining({ state: 'halfOpen', retryAfterMs: 100 }));
  clock.advance(99);
  expect(breaker.stats()).toMatchObject({ state: 'halfOpen', retryAfterMs: 1, inFlight: 1 });
  clock.advance(1);
  expect(breaker.stats()).toMatchObject({ state: 'open', retryAfterMs: 200, inFlight: 1 });
  clock.advance(200);
  const probe = breaker.acquire();
  probe.success();
  expect(breaker.state).toBe('closed');
  // The forgotten permit, settled at last, belongs to an older generation: totals only.
  forgotten.failure();
  expect(breaker.stats()).toMatchObject({
    state: 'closed',
    inFlight: 0,
    consecutiveFailures: 0,
    window: { calls: 0 },
    totals: { calls: 2, successes: 1, failures: 1 },
  });
  expect(resets.every((a) => a >= 1)).toBe(true);
});

test('a permit from before a state change never moves the state: a late success while open does not close it', () => {
  const clock = manualClock();
  const breaker = createBreaker({ clock, failureThreshold: 1, resetTimeoutMs: 1000 });
  const early = breaker.acquire();
  breaker.acquire().failure();
  expect(breaker.state).toBe('open');
  early.success();
  expect(breaker.stats()).toMatchObject({ state: 'open', retryAfterMs: 1000, totals: { successes: 1, failures: 1 } });
});

test('failure() without an argument is a failure whatever isFailure says; with one, isFailure decides', () => {
  const breaker = createBreaker({ clock: manualClock(), failureThreshold: 10, isFailure: () => false });
  breaker.acquire().failure();
  breaker.acquire().failure(new Error('ignored by isFailure'));
  breaker.acquire().failure(undefined);
  expect(breaker.stats().totals).toMatchObject({ failures: 1, ignored: 2 });
});

test('an ignored probe frees its slot; a rejected acquire counts as rejected and runs nothing', () => {
  const clock = manualClock();
  const breaker = createBreaker({ clock, failureThreshold: 1, resetTimeoutMs: 5 });
  breaker.open();
  expect(() => breaker.acquire()).toThrow(expect.objectContaining({ name: 'CircuitOpenError', retryAfterMs: 5 }));
  clock.advance(5);
  breaker.acquire().ignore();
  breaker.acquire().success();
  expect(breaker.stats()).toMatchObject({ state: 'closed', totals: { calls: 2, ignored: 1, successes: 1, rejected: 1 } });
});

test('an aborted caller signal rejects with its reason, counts as ignored and frees the probe slot', async () => {
  const clock = manualClock();
  const breaker = createBreaker({ clock, resetTimeoutMs: 5 });
  breaker.open();
  clock.advance(5);
  const controller = new AbortController();
  const call = breaker.execute(() => new Promise(() => {}), { signal: controller.signal });
  expect(() => breaker.acquire()).toThrow();
  controller.abort('stop');
  await expect(call).rejects.toBe('stop');
  breaker.acquire().success();
  expect(breaker.stats()).toMatchObject({ state: 'closed', inFlight: 0, totals: { ignored: 1, successes: 1, rejected: 1 } });
  const aborted = breaker.execute(() => 'never', { signal: AbortSignal.abort('already') });
  await expect(aborted).rejects.toBe('already');
  expect(breaker.stats().totals.calls).toBe(2);
  expect(isCircuitOpenError(await aborted.catch((e) => e))).toBe(false);
});
