/**
 * A wildcard listener that throws is reported once via `callbackError`. It does not receive
 * `callbackError` events itself: if it did, it would throw again on its own report, and that
 * second error would be reported as a process warning although a `callbackError` listener
 * is installed.
 */
import { createBreaker } from '../../src/index.js';
import { manualClock } from '../../src/testing/index.js';

test('a throwing wildcard listener is reported via callbackError and never warned about when someone listens', async () => {
  const warnings = jest.spyOn(process, 'emitWarning').mockImplementation(() => {});
  const reported: unknown[] = [];
  try {
    const breaker = createBreaker({ clock: manualClock() });
    breaker.on('callbackError', (event) => reported.push(event.error));
    breaker.on('*', () => {
      throw new Error('wildcard');
    });
    await expect(breaker.execute(() => 'ok')).resolves.toBe('ok');
  } finally {
    warnings.mockRestore();
  }
  expect(reported).toEqual([new Error('wildcard')]);
  expect(warnings).not.toHaveBeenCalled();
});
