import { type BreakerOptions, createBreaker } from '../../src/index.js';
import { manualClock, memoryStore } from '../../src/testing/index.js';
import { boom, deferred, flush } from '../helpers.js';

// Calls that are would-be probes of a breaker in a fleet: each waits for the fleet's lease.
async function halfOpenFleet(options: BreakerOptions = {}) {
  const clock = manualClock(1_000_000);
  const store = memoryStore({ clock });
  const settle = async (): Promise<void> => {
    await store.flush();
    await flush();
  };
  const make = () => createBreaker({ name: 'dep', store, clock, failureThreshold: 1, resetTimeoutMs: 4000, ...options });
  const [a, b] = [make(), make()];
  await settle();
  await a.execute(() => Promise.reject(boom)).catch(() => undefined);
  await settle();
  clock.advance(4000);
  await settle();
  expect([a.state, b.state]).toEqual(['halfOpen', 'halfOpen']);
  return { a, b, settle };
}

describe('a would-be probe in a fleet', () => {
  test('a guarded function is turned away while another process holds the only lease', async () => {
    const { a, b, settle } = await halfOpenFleet();
    const probe = deferred<string>();
    const probing = a.execute(() => probe.promise);
    await settle();
    const ran = jest.fn(() => 'second probe');
    const guarded = b.wrap(ran);
    await expect(guarded()).rejects.toMatchObject({ code: 'ERR_CIRCUIT_OPEN', state: 'halfOpen' });
    expect(ran).not.toHaveBeenCalled();
    probe.resolve('ok');
    await expect(probing).resolves.toBe('ok');
  });

  test('execute() hands fn its context once the lease is granted', async () => {
    const { a, settle } = await halfOpenFleet();
    const call = a.execute(({ signal }) => signal.aborted);
    await settle();
    await expect(call).resolves.toBe(false);
    expect(a.state).toBe('closed');
  });

  test('a function that throws once the lease is granted is a rejection and a failed probe', async () => {
    const { a, settle } = await halfOpenFleet();
    const call = a.execute(() => {
      throw boom;
    });
    await settle();
    await expect(call).rejects.toBe(boom);
    expect(a.state).toBe('open');
  });

  test('with a timeout, the probe runs once its lease is granted', async () => {
    const { a, settle } = await halfOpenFleet({ timeoutMs: 1000 });
    let settled = false;
    const call = a
      .execute(() => 'probe ran')
      .then((value) => {
        settled = true;
        return value;
      });
    await settle();
    expect(settled).toBe(true);
    await expect(call).resolves.toBe('probe ran');
    expect(a.state).toBe('closed');
  });

  test('a signal aborted while it waits for the lease rejects with its reason; fn never runs', async () => {
    const { a, settle } = await halfOpenFleet();
    const controller = new AbortController();
    const ran = jest.fn(() => 'ran');
    const call = a.execute(ran, { signal: controller.signal });
    let outcome: unknown;
    call.then(
      () => {
        outcome = 'resolved';
      },
      (reason: unknown) => {
        outcome = reason;
      },
    );
    controller.abort('stop');
    await settle();
    expect(outcome).toBe('stop');
    expect(ran).not.toHaveBeenCalled();
    expect(a.stats().totals).toMatchObject({ ignored: 1, failures: 1, successes: 0 });
  });
});
