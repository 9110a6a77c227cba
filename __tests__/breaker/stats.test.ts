import { boom, deferred, fail, setup, succeed } from '../helpers.js';

describe('stats()', () => {
  test('a fresh breaker', () => {
    const { breaker } = setup({ name: 'fresh' });
    expect(breaker.stats()).toEqual({
      name: 'fresh',
      state: 'closed',
      retryAfterMs: 0,
      inFlight: 0,
      ramp: 1,
      consecutiveFailures: 0,
      window: { calls: 0, failures: 0, slowCalls: 0, failureRate: 0, slowCallRate: 0 },
      totals: { calls: 0, successes: 0, failures: 0, ignored: 0, rejected: 0, timeouts: 0 },
    });
  });

  test('counts in flight, totals only grow, returns copies', async () => {
    const { breaker } = setup({ failureThreshold: 2 });
    const gate = deferred<string>();
    const running = breaker.execute(() => gate.promise);
    expect(breaker.stats().inFlight).toBe(1);
    gate.resolve('ok');
    await running;
    await fail(breaker, 2);
    await breaker.execute(() => 'x').catch(() => undefined);
    const stats = breaker.stats();
    expect(stats.inFlight).toBe(0);
    expect(stats.totals).toEqual({ calls: 3, successes: 1, failures: 2, ignored: 0, rejected: 1, timeouts: 0 });
    stats.totals.calls = 1000;
    stats.window.calls = 1000;
    expect(breaker.stats().totals.calls).toBe(3);
    breaker.close();
    expect(breaker.stats().totals.calls).toBe(3);
  });

  test('retryAfterMs: open counts down; half-open is 0 with a free slot, else until the oldest probe expires', async () => {
    const { clock, breaker } = setup({ failureThreshold: 1, resetTimeoutMs: 1000, halfOpenMaxCalls: 2 });
    await fail(breaker);
    expect(breaker.stats().retryAfterMs).toBe(1000);
    clock.advance(400);
    expect(breaker.stats().retryAfterMs).toBe(600);
    clock.advance(600);
    expect(breaker.stats()).toMatchObject({ state: 'halfOpen', retryAfterMs: 0 });
    breaker.acquire();
    clock.advance(100);
    breaker.acquire();
    expect(breaker.stats().retryAfterMs).toBe(900);
  });

  test('a success keeps its slot: half-open retryAfterMs stays 0 while a slot is free', async () => {
    const { clock, breaker } = setup({ failureThreshold: 1, resetTimeoutMs: 10, halfOpenMaxCalls: 3 });
    await fail(breaker);
    clock.advance(10);
    await succeed(breaker);
    breaker.acquire();
    expect(breaker.stats().retryAfterMs).toBe(0);
    breaker.acquire();
    expect(breaker.stats().retryAfterMs).toBe(10);
  });

  test('reading stats applies due transitions', async () => {
    const { clock, breaker } = setup({ failureThreshold: 1, resetTimeoutMs: 10 });
    const halfOpen = jest.fn();
    breaker.on('halfOpen', halfOpen);
    await breaker.execute(() => Promise.reject(boom)).catch(() => undefined);
    clock.advance(10);
    expect(halfOpen).not.toHaveBeenCalled();
    expect(breaker.stats().state).toBe('halfOpen');
    expect(halfOpen).toHaveBeenCalledWith({ name: 'breaker' });
  });
});
