import { createBreaker } from '../src/index.js';
import { manualClock } from '../src/testing/index.js';

test('a breaker opens after failureThreshold failures and half-opens after resetTimeoutMs', async () => {
  const clock = manualClock();
  const breaker = createBreaker({ clock, failureThreshold: 2, resetTimeoutMs: 1000 });
  const boom = () => Promise.reject(new Error('boom'));
  await expect(breaker.execute(boom)).rejects.toThrow('boom');
  expect(breaker.state).toBe('closed');
  await expect(breaker.execute(boom)).rejects.toThrow('boom');
  expect(breaker.state).toBe('open');
  clock.advance(999);
  expect(breaker.state).toBe('open');
  clock.advance(1);
  expect(breaker.state).toBe('halfOpen');
});
