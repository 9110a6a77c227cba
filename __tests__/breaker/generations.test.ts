import { boom, deferred, fail, setup, succeed } from '../helpers.js';

describe('generations: late outcomes', () => {
  test('a call started while closed that fails after the opening does not extend the open period', async () => {
    const { clock, breaker } = setup({ failureThreshold: 1, resetTimeoutMs: 1000 });
    const slow = deferred<string>();
    const running = breaker.execute(() => slow.promise);
    await fail(breaker);
    clock.advance(900);
    slow.reject(boom);
    await running.catch(() => undefined);
    expect(breaker.stats().retryAfterMs).toBe(100);
    expect(breaker.stats().totals.failures).toBe(2);
    clock.advance(100);
    expect(breaker.state).toBe('halfOpen');
  });

  test('a late success while open does not close it', async () => {
    const { breaker } = setup({ failureThreshold: 1 });
    const slow = deferred<string>();
    const running = breaker.execute(() => slow.promise);
    await fail(breaker);
    slow.resolve('ok');
    await running;
    expect(breaker.state).toBe('open');
    expect(breaker.stats().totals.successes).toBe(1);
  });

  test('a late success does not count as a probe in half-open', async () => {
    const { clock, breaker } = setup({ failureThreshold: 1, resetTimeoutMs: 10 });
    const slow = deferred<string>();
    const running = breaker.execute(() => slow.promise);
    await fail(breaker);
    clock.advance(10);
    expect(breaker.state).toBe('halfOpen');
    slow.resolve('ok');
    await running;
    expect(breaker.state).toBe('halfOpen');
  });

  test('outcomes from before a manual close do not feed the new window', async () => {
    const { breaker } = setup({ failureThreshold: 2 });
    const a = deferred<string>();
    const b = deferred<string>();
    const first = breaker.execute(() => a.promise);
    const second = breaker.execute(() => b.promise);
    breaker.close();
    a.reject(boom);
    b.reject(boom);
    await Promise.allSettled([first, second]);
    expect(breaker.state).toBe('closed');
    expect(breaker.stats().window.calls).toBe(0);
    expect(breaker.stats().consecutiveFailures).toBe(0);
    expect(breaker.stats().totals.failures).toBe(2);
  });

  test('a late permit is counted in totals only', async () => {
    const { breaker } = setup({ failureThreshold: 1 });
    const permit = breaker.acquire();
    breaker.isolate();
    permit.failure(boom);
    expect(breaker.stats()).toMatchObject({ state: 'isolated', inFlight: 0, consecutiveFailures: 0 });
    expect(breaker.stats().totals.failures).toBe(1);
  });

  test('a listener that changes the state during an outcome stops that outcome from counting', async () => {
    const { breaker } = setup({ failureThreshold: 1 });
    breaker.on('failure', () => breaker.disable());
    await fail(breaker);
    expect(breaker.state).toBe('disabled');
    expect(breaker.stats().window.calls).toBe(0);
    await succeed(breaker);
    expect(breaker.stats().window.calls).toBe(1);
  });
});
