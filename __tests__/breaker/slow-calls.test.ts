import type { Breaker } from '../../src/index.js';
import type { ManualClock } from '../../src/testing/index.js';
import { boom, setup, succeed } from '../helpers.js';

/** A call that lasts `ms` on the manual clock, then succeeds or fails. */
async function lasting(clock: ManualClock, breaker: Breaker, ms: number, ok = true): Promise<void> {
  let finish!: () => void;
  const call = breaker.execute(() => new Promise<void>((resolve, reject) => (finish = ok ? resolve : () => reject(boom))));
  clock.advance(ms);
  finish();
  await call.catch(() => undefined);
}

describe('slow calls', () => {
  test('a call lasting at least slowCallDurationMs is slow, success or failure alike', async () => {
    const { clock, breaker } = setup({ window: { size: 10 }, slowCallDurationMs: 100, slowCallRateThreshold: 1 });
    await lasting(clock, breaker, 99);
    expect(breaker.stats().window.slowCalls).toBe(0);
    await lasting(clock, breaker, 100);
    await lasting(clock, breaker, 150, false);
    expect(breaker.stats().window).toMatchObject({ calls: 3, failures: 1, slowCalls: 2, slowCallRate: 2 / 3 });
  });

  test('opens with reason slowCallRate when slow calls / calls reaches the threshold', async () => {
    const { clock, breaker } = setup({
      window: { size: 4 },
      minimumCalls: 4,
      slowCallDurationMs: 50,
      slowCallRateThreshold: 0.5,
    });
    const reasons: string[] = [];
    breaker.on('open', (e) => reasons.push(e.reason));
    await succeed(breaker, 2);
    await lasting(clock, breaker, 50);
    expect(breaker.state).toBe('closed');
    await lasting(clock, breaker, 60);
    expect(breaker.state).toBe('open');
    expect(reasons).toEqual(['slowCallRate']);
  });

  test('the failure rate wins when both thresholds are reached', async () => {
    const { clock, breaker } = setup({ window: { size: 2 }, slowCallDurationMs: 10, slowCallRateThreshold: 0.5 });
    const reasons: string[] = [];
    breaker.on('open', (e) => reasons.push(e.reason));
    await lasting(clock, breaker, 10, false);
    await lasting(clock, breaker, 10, false);
    expect(reasons).toEqual(['failureRate']);
  });

  test('slow calls are counted but never open a consecutive-mode breaker', async () => {
    const { clock, breaker } = setup({ failureThreshold: 2, slowCallDurationMs: 10 });
    for (let i = 0; i < 5; i++) await lasting(clock, breaker, 20);
    expect(breaker.state).toBe('closed');
    expect(breaker.stats().window).toMatchObject({ calls: 5, slowCalls: 5, slowCallRate: 1 });
  });

  test('without slowCallDurationMs nothing is slow', async () => {
    const { clock, breaker } = setup({ window: { size: 2 }, minimumCalls: 1 });
    await lasting(clock, breaker, 1_000_000);
    expect(breaker.stats().window.slowCalls).toBe(0);
    expect(breaker.state).toBe('closed');
  });

  test('slowCallDurationMs 0 makes every call slow', async () => {
    const { breaker } = setup({ window: { size: 2 }, minimumCalls: 1, slowCallDurationMs: 0 });
    await succeed(breaker);
    expect(breaker.state).toBe('open');
  });

  test('a timed-out call is slow when it lasted long enough', async () => {
    const { clock, breaker } = setup({ window: { size: 5 }, slowCallDurationMs: 100, timeoutMs: 100, minimumCalls: 5 });
    const call = breaker.execute(() => new Promise(() => {}));
    clock.advance(100);
    await expect(call).rejects.toMatchObject({ name: 'CallTimeoutError' });
    expect(breaker.stats().window).toMatchObject({ calls: 1, failures: 1, slowCalls: 1 });
  });
});
