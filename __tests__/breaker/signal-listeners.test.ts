import { getEventListeners } from 'node:events';
import { setup } from '../helpers.js';

describe('a caller signal shared by many calls', () => {
  // A long-lived signal (a request's, a shutdown's) must not collect one listener per call.
  test('holds no listener of the breaker once each call has settled', async () => {
    const { breaker } = setup({ isFailure: () => true });
    const controller = new AbortController();
    const { signal } = controller;
    const pending = breaker.execute(() => new Promise<string>(() => {}), { signal });
    expect(getEventListeners(signal, 'abort')).toHaveLength(1);
    for (let i = 0; i < 20; i++) {
      await breaker.execute(() => 'ok', { signal });
      await breaker.execute(() => Promise.reject(new Error('no')), { signal }).catch(() => undefined);
    }
    expect(getEventListeners(signal, 'abort')).toHaveLength(1);
    controller.abort('stop');
    await expect(pending).rejects.toBe('stop');
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });
});
