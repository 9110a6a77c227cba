import { createBreaker } from '../../src/index.js';
import { manualClock, memoryStore } from '../../src/testing/index.js';
import { boom, deferred, flush } from '../helpers.js';

describe('a call from before the breaker opened, ignored after it half-opened', () => {
  // Only a probe of the current period holds a fleet lease: a late outcome of an older call
  // must not hand the lease of the probe still running back to the fleet.
  test('leaves the running probe’s lease held: another process is still turned away', async () => {
    const clock = manualClock(1_000_000);
    const store = memoryStore({ clock });
    const settle = async (): Promise<void> => {
      await store.flush();
      await flush();
    };
    const ignored = new Error('ignored');
    const options = {
      name: 'dep',
      store,
      clock,
      failureThreshold: 1,
      resetTimeoutMs: 4000,
      isFailure: (e: unknown) => e !== ignored,
    };
    const [a, b] = [0, 1].map(() => createBreaker(options));
    await settle();
    const late = deferred<never>();
    const old = a.execute(() => late.promise).catch(() => undefined);
    await a.execute(() => Promise.reject(boom)).catch(() => undefined);
    await settle();
    clock.advance(4000);
    await settle();
    const probe = deferred<string>();
    const probing = a.execute(() => probe.promise);
    await settle();
    expect(a.stats().inFlight).toBe(2);
    late.reject(ignored);
    await old;
    await settle();
    const ran = jest.fn(() => 'second probe');
    await expect(b.execute(ran)).rejects.toMatchObject({ code: 'ERR_CIRCUIT_OPEN', state: 'halfOpen' });
    expect(ran).not.toHaveBeenCalled();
    probe.resolve('ok');
    await expect(probing).resolves.toBe('ok');
  });
});
