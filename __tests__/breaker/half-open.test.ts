import { CircuitOpenError } from '../../src/index.js';
import { deferred, fail, flush, recordEvents, setup, succeed, types } from '../helpers.js';

async function halfOpened(options: Parameters<typeof setup>[0] = {}) {
  const ctx = setup({ failureThreshold: 1, resetTimeoutMs: 1000, ...options });
  await fail(ctx.breaker);
  ctx.clock.advance(1000);
  expect(ctx.breaker.state).toBe('halfOpen');
  return ctx;
}

describe('half-open', () => {
  test('lets one probe through by default; others are rejected with state halfOpen', async () => {
    const { breaker } = await halfOpened();
    const probe = deferred<string>();
    const first = breaker.execute(() => probe.promise);
    const second = await breaker.execute(() => 'never').catch((e: unknown) => e);
    expect(second).toBeInstanceOf(CircuitOpenError);
    expect(second).toMatchObject({ state: 'halfOpen', retryAfterMs: 1000 });
    probe.resolve('ok');
    await expect(first).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
  });

  test('many calls at once: exactly halfOpenMaxCalls probes run', async () => {
    const { breaker } = await halfOpened({ halfOpenMaxCalls: 3 });
    const gate = deferred();
    let ran = 0;
    const calls = Array.from({ length: 20 }, () =>
      breaker.execute(async () => {
        ran++;
        await gate.promise;
        return 'ok';
      }),
    );
    const settled = Promise.allSettled(calls);
    await flush();
    expect(ran).toBe(3);
    expect(breaker.stats().inFlight).toBe(3);
    gate.resolve();
    const results = await settled;
    const rejected = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect(rejected).toHaveLength(17);
    for (const r of rejected) expect(r.reason).toMatchObject({ name: 'CircuitOpenError', state: 'halfOpen' });
    expect(breaker.state).toBe('closed');
  });

  test('a probe that succeeded keeps its slot until all halfOpenMaxCalls succeed', async () => {
    const { breaker } = await halfOpened({ halfOpenMaxCalls: 2 });
    await succeed(breaker);
    expect(breaker.state).toBe('halfOpen');
    const held = deferred<string>();
    const second = breaker.execute(() => held.promise);
    await expect(breaker.execute(() => 'no')).rejects.toBeInstanceOf(CircuitOpenError);
    held.resolve('ok');
    await second;
    expect(breaker.state).toBe('closed');
  });

  test('the closing probe emits success, close, stateChange', async () => {
    const { breaker } = await halfOpened();
    const seen = recordEvents(breaker);
    await succeed(breaker);
    expect(types(seen)).toEqual(['success', 'close', 'stateChange']);
    expect(seen[1][1]).toEqual({ name: 'breaker', reason: 'probesSucceeded' });
    expect(seen[2][1]).toEqual({ name: 'breaker', from: 'halfOpen', to: 'closed' });
  });

  test('a failed probe reopens with reason probeFailed, even with other probes running', async () => {
    const { breaker } = await halfOpened({ halfOpenMaxCalls: 2 });
    const reasons: string[] = [];
    breaker.on('open', (e) => reasons.push(e.reason));
    const other = deferred<string>();
    const running = breaker.execute(() => other.promise);
    await fail(breaker);
    expect(breaker.state).toBe('open');
    expect(reasons).toEqual(['probeFailed']);
    other.resolve('late');
    await running;
    expect(breaker.state).toBe('open');
  });

  test('an ignored probe frees its slot', async () => {
    const { breaker } = await halfOpened({ isFailure: (e) => e !== 'skip' });
    await expect(breaker.execute(() => Promise.reject('skip'))).rejects.toBe('skip');
    expect(breaker.state).toBe('halfOpen');
    expect(breaker.stats().retryAfterMs).toBe(0);
    await succeed(breaker);
    expect(breaker.state).toBe('closed');
  });

  test('a permit ignored frees its slot; one settled twice counts once', async () => {
    const { breaker } = await halfOpened({ halfOpenMaxCalls: 2 });
    const a = breaker.acquire();
    const b = breaker.acquire();
    expect(() => breaker.acquire()).toThrow(CircuitOpenError);
    a.ignore();
    a.success();
    expect(breaker.state).toBe('halfOpen');
    const c = breaker.acquire();
    b.success();
    b.success();
    expect(breaker.state).toBe('halfOpen');
    c.success();
    expect(breaker.state).toBe('closed');
    expect(breaker.stats().totals).toMatchObject({ calls: 4, failures: 1, successes: 2, ignored: 1, rejected: 1 });
  });

  test('a probe still unsettled resetTimeoutMs after it started counts as failed', async () => {
    const { clock, breaker } = await halfOpened({ resetTimeoutMs: (attempt) => attempt * 1000 });
    const reasons: string[] = [];
    breaker.on('open', (e) => reasons.push(e.reason));
    const stuck = breaker.acquire();
    clock.advance(999);
    expect(breaker.state).toBe('halfOpen');
    expect(breaker.stats().retryAfterMs).toBe(1);
    clock.advance(1);
    expect(breaker.state).toBe('open');
    expect(reasons).toEqual(['probeFailed']);
    expect(breaker.stats().retryAfterMs).toBe(2000); // attempt 2
    stuck.success(); // too late: it belongs to the previous period
    expect(breaker.state).toBe('open');
  });

  test('an expired probe is noticed by the next call, which is then rejected', async () => {
    const { clock, breaker } = await halfOpened();
    breaker.acquire();
    clock.advance(1000);
    await expect(breaker.execute(() => 'x')).rejects.toMatchObject({ state: 'open', retryAfterMs: 1000 });
  });

  test('opening again after a failed probe round grows the attempt; closing resets it', async () => {
    const attempts: number[] = [];
    const { clock, breaker } = await halfOpened({
      resetTimeoutMs: (attempt) => {
        attempts.push(attempt);
        return 100 * attempt;
      },
    });
    await fail(breaker);
    clock.advance(200);
    await fail(breaker);
    clock.advance(300);
    await succeed(breaker);
    await fail(breaker);
    expect(attempts).toEqual([1, 1, 2, 2, 3, 3, 1]);
  });
});
