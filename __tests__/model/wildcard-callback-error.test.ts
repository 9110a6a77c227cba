/**
 * A wildcard listener that throws is reported once via `callbackError`. It does not receive
 * `callbackError` events itself: if it did, it would throw again on its own report, and that
 * second error would be rethrown as an uncaught exception although a `callbackError` listener
 * is installed.
 */
import { createBreaker } from '../../src/index.js';
import { manualClock } from '../../src/testing/index.js';

test('a throwing wildcard listener is reported via callbackError and never rethrown when someone listens', async () => {
  const original = globalThis.queueMicrotask;
  const rethrown: (() => void)[] = [];
  globalThis.queueMicrotask = (task) => rethrown.push(task);
  const reported: unknown[] = [];
  try {
    const breaker = createBreaker({ clock: manualClock() });
    breaker.on('callbackError', (event) => reported.push(event.error));
    breaker.on('*', () => {
      throw new Error('wildcard');
    });
    await expect(breaker.execute(() => 'ok')).resolves.toBe('ok');
  } finally {
    globalThis.queueMicrotask = original;
  }
  expect(reported).toEqual([new Error('wildcard')]);
  expect(rethrown).toHaveLength(0);
});
