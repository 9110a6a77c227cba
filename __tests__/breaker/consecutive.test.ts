import { CircuitOpenError, isCircuitOpenError } from '../../src/index.js';
import { fail, setup, succeed } from '../helpers.js';

describe('consecutive mode', () => {
  test('opens after failureThreshold failures in a row (default 5)', async () => {
    const { breaker } = setup();
    await fail(breaker, 4);
    expect(breaker.state).toBe('closed');
    await fail(breaker);
    expect(breaker.state).toBe('open');
  });

  test('a success resets the run', async () => {
    const { breaker } = setup({ failureThreshold: 3 });
    await fail(breaker, 2);
    await succeed(breaker);
    await fail(breaker, 2);
    expect(breaker.state).toBe('closed');
    expect(breaker.stats().consecutiveFailures).toBe(2);
    await fail(breaker);
    expect(breaker.state).toBe('open');
  });

  test('the window covers the outcomes since the last close', async () => {
    const { breaker } = setup({ failureThreshold: 3 });
    await succeed(breaker, 2);
    await fail(breaker, 2);
    expect(breaker.stats().window).toEqual({ calls: 4, failures: 2, slowCalls: 0, failureRate: 0.5, slowCallRate: 0 });
    breaker.close();
    expect(breaker.stats().window).toEqual({ calls: 0, failures: 0, slowCalls: 0, failureRate: 0, slowCallRate: 0 });
    expect(breaker.stats().consecutiveFailures).toBe(0);
  });

  test('an open breaker rejects without running fn', async () => {
    const { breaker } = setup({ failureThreshold: 1, resetTimeoutMs: 1000, name: 'db' });
    await fail(breaker);
    const fn = jest.fn();
    const error = await breaker.execute(fn).catch((e: unknown) => e);
    expect(fn).not.toHaveBeenCalled();
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(isCircuitOpenError(error)).toBe(true);
    expect(error).toMatchObject({ breaker: 'db', state: 'open', retryAfterMs: 1000 });
    expect(breaker.stats().totals.rejected).toBe(1);
  });

  test('moves to half-open once resetTimeoutMs has passed, and a probe success closes it', async () => {
    const { clock, breaker } = setup({ failureThreshold: 2, resetTimeoutMs: 1000 });
    await fail(breaker, 2);
    clock.advance(999);
    expect(breaker.state).toBe('open');
    expect(breaker.stats().retryAfterMs).toBe(1);
    clock.advance(1);
    expect(breaker.state).toBe('halfOpen');
    await succeed(breaker);
    expect(breaker.state).toBe('closed');
    expect(breaker.stats().consecutiveFailures).toBe(0);
    expect(breaker.stats().window.calls).toBe(0);
  });

  test('a failed probe reopens at once', async () => {
    const { clock, breaker } = setup({ failureThreshold: 3, resetTimeoutMs: 1000 });
    await fail(breaker, 3);
    clock.advance(1000);
    await fail(breaker);
    expect(breaker.state).toBe('open');
    expect(breaker.stats().retryAfterMs).toBe(1000);
  });

  test('consecutiveFailures counts probes, and is reset by close', async () => {
    const { clock, breaker } = setup({ failureThreshold: 2, resetTimeoutMs: 10 });
    await fail(breaker, 2);
    clock.advance(10);
    await fail(breaker);
    expect(breaker.stats().consecutiveFailures).toBe(3);
    clock.advance(10);
    await succeed(breaker);
    expect(breaker.stats().consecutiveFailures).toBe(0);
  });
});
