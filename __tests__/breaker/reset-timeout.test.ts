import { exponentialBackoff } from '../../src/index.js';
import { fail, setup } from '../helpers.js';

describe('resetTimeoutMs', () => {
  test('a function of the attempt, with exponentialBackoff', async () => {
    const { clock, breaker } = setup({ failureThreshold: 1, resetTimeoutMs: exponentialBackoff({ initialMs: 100 }) });
    await fail(breaker);
    expect(breaker.stats().retryAfterMs).toBe(100);
    clock.advance(100);
    await fail(breaker);
    expect(breaker.stats().retryAfterMs).toBe(200);
    clock.advance(200);
    await fail(breaker);
    expect(breaker.stats().retryAfterMs).toBe(400);
  });

  test.each([
    [
      'throws',
      () => {
        throw new Error('nope');
      },
    ],
    ['returns a negative number', () => -5],
    ['returns a string', () => '100' as unknown as number],
    ['returns NaN', () => Number.NaN],
  ])('a function that %s is reported and 30000 used', async (_label, fn) => {
    const { breaker } = setup({ failureThreshold: 1, resetTimeoutMs: fn });
    const reported: unknown[] = [];
    breaker.on('callbackError', (e) => reported.push(e.callback));
    await fail(breaker);
    expect(breaker.state).toBe('open');
    expect(breaker.stats().retryAfterMs).toBe(30_000);
    expect(reported).toEqual(['resetTimeoutMs']);
  });

  test('0 half-opens at the next observation', async () => {
    const { breaker } = setup({ failureThreshold: 1, resetTimeoutMs: 0 });
    await fail(breaker);
    expect(breaker.state).toBe('halfOpen');
  });
});
