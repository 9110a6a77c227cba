import { fail, setup, succeed } from '../helpers.js';

// disable() lets every call through and keeps counting, but never moves the state: in rate
// mode too, where a full window with a high failure rate would open a closed breaker.
describe('a disabled breaker in rate mode', () => {
  test.each([
    ['count', { size: 8 }],
    ['time', { durationMs: 1000 }],
  ] as const)('%s window: neither a failure nor a plain success opens it', async (_kind, window) => {
    const { breaker } = setup({ window, minimumCalls: 4, failureRateThreshold: 0.5 });
    breaker.disable();
    await fail(breaker, 3);
    // The fourth call fills the window to minimumCalls, at a failure rate of 3/4.
    await succeed(breaker);
    expect(breaker.state).toBe('disabled');
    await fail(breaker, 4);
    expect(breaker.state).toBe('disabled');
    expect(breaker.stats().window).toMatchObject({ failures: 7, calls: 8 });
  });

  test('the same calls open it once closed', async () => {
    const { breaker } = setup({ window: { size: 4 }, minimumCalls: 4, failureRateThreshold: 0.5 });
    await fail(breaker, 3);
    expect(breaker.state).toBe('closed');
    await succeed(breaker);
    expect(breaker.state).toBe('open');
  });
});
