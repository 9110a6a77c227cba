import { fail, setup, succeed } from '../helpers.js';

describe('count window', () => {
  test('opens with reason failureRate once failures / calls reaches the threshold', async () => {
    const { breaker } = setup({ window: { size: 4 }, minimumCalls: 4, failureRateThreshold: 0.5 });
    const reasons: string[] = [];
    breaker.on('open', (e) => reasons.push(e.reason));
    await succeed(breaker, 2);
    await fail(breaker);
    expect(breaker.state).toBe('closed');
    await fail(breaker);
    expect(breaker.state).toBe('open');
    expect(reasons).toEqual(['failureRate']);
  });

  test('makes no decision before minimumCalls outcomes', async () => {
    const { breaker } = setup({ window: { size: 100 }, minimumCalls: 5 });
    await fail(breaker, 4);
    expect(breaker.state).toBe('closed');
    await fail(breaker);
    expect(breaker.state).toBe('open');
  });

  test('uses min(minimumCalls, size)', async () => {
    const { breaker } = setup({ window: { size: 3 } }); // minimumCalls 10 by default
    await fail(breaker, 2);
    expect(breaker.state).toBe('closed');
    await fail(breaker);
    expect(breaker.state).toBe('open');
  });

  test('a success can be the call that brings the window to minimumCalls and opens it', async () => {
    const { breaker } = setup({ window: { size: 10 }, minimumCalls: 3, failureRateThreshold: 0.6 });
    await fail(breaker, 2);
    expect(breaker.state).toBe('closed');
    await succeed(breaker);
    expect(breaker.state).toBe('open');
  });

  test('keeps only the last size outcomes', async () => {
    const { breaker } = setup({ window: { size: 3 }, failureRateThreshold: 1 });
    await fail(breaker, 2);
    await succeed(breaker, 3);
    expect(breaker.stats().window).toMatchObject({ calls: 3, failures: 0 });
    await fail(breaker);
    expect(breaker.stats().window).toMatchObject({ calls: 3, failures: 1, failureRate: 1 / 3 });
    await fail(breaker);
    expect(breaker.state).toBe('closed');
    await fail(breaker);
    expect(breaker.state).toBe('open');
  });

  test('a ring wrapping around drops the oldest outcome, failures and slow calls alike', async () => {
    const { clock, breaker } = setup({ window: { size: 2 }, slowCallDurationMs: 10, failureRateThreshold: 1 });
    const slowFailure = breaker.execute(() => Promise.reject(new Error('slow')));
    clock.advance(10);
    await slowFailure.catch(() => undefined);
    expect(breaker.stats().window).toMatchObject({ calls: 1, failures: 1, slowCalls: 1 });
    await succeed(breaker, 2);
    expect(breaker.stats().window).toMatchObject({ calls: 2, failures: 0, slowCalls: 0 });
  });

  test('closing empties the window', async () => {
    const { clock, breaker } = setup({ window: { size: 4 }, resetTimeoutMs: 5 });
    await fail(breaker, 4);
    expect(breaker.state).toBe('open');
    clock.advance(5);
    await succeed(breaker);
    expect(breaker.state).toBe('closed');
    expect(breaker.stats().window.calls).toBe(0);
    await fail(breaker, 1);
    expect(breaker.state).toBe('closed');
  });
});
