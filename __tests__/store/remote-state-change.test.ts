import { createBreaker } from '../../src/index.js';
import { manualClock, memoryStore } from '../../src/testing/index.js';
import { boom, flush, recordEvents } from '../helpers.js';

describe('a transition taken up from the fleet', () => {
  test('its stateChange names the instance that made it, like its open event; the local ones do not', async () => {
    const clock = manualClock(1_000_000);
    const store = memoryStore({ clock });
    const settle = async (): Promise<void> => {
      await store.flush();
      await flush();
    };
    const [a, b] = [0, 1].map(() => createBreaker({ name: 'dep', store, clock, failureThreshold: 1, resetTimeoutMs: 4000 }));
    await settle();
    const local = recordEvents(a);
    const remote = recordEvents(b);
    await a.execute(() => Promise.reject(boom)).catch(() => undefined);
    await settle();
    expect(b.state).toBe('open');
    const instance = (remote[0][1] as { instance: string }).instance;
    expect(typeof instance).toBe('string');
    expect(remote).toStrictEqual([
      ['open', { name: 'dep', reason: 'failures', retryAfterMs: 4000, remote: true, instance }],
      ['stateChange', { name: 'dep', from: 'closed', to: 'open', remote: true, instance }],
    ]);
    expect(local.slice(1)).toStrictEqual([
      ['open', { name: 'dep', reason: 'failures', retryAfterMs: 4000 }],
      ['stateChange', { name: 'dep', from: 'closed', to: 'open' }],
    ]);
  });
});
