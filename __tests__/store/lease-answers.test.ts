import { createBreaker } from '../../src/index.js';
import { manualClock, memoryStore } from '../../src/testing/index.js';
import { deferred, flush } from '../helpers.js';

// Two breakers of one name in a fleet, half-open: every would-be probe waits for the fleet's lease.
async function halfOpen() {
  const clock = manualClock(1_000_000);
  const store = memoryStore({ clock });
  const settle = async (): Promise<void> => {
    await store.flush();
    await flush();
  };
  const make = () => createBreaker({ name: 'dep', store, clock, failureThreshold: 1, resetTimeoutMs: 4000 });
  const [a, b] = [make(), make()];
  await settle();
  a.open();
  await settle();
  clock.advance(4000);
  expect([a.state, b.state]).toEqual(['halfOpen', 'halfOpen']);
  return { clock, store, a, b, settle };
}

describe('a lease answered after the breaker moved on', () => {
  test('granted while the breaker opened meanwhile: the call is turned away, and another process may probe', async () => {
    const { clock, store, a, b, settle } = await halfOpen();
    const ran = jest.fn(() => 'a');
    const call = a.execute(ran);
    a.open(1); // opened here before the fleet answered; the fleet's open period is over at once
    await expect(call).rejects.toMatchObject({ code: 'ERR_CIRCUIT_OPEN', state: 'open' });
    expect(ran).not.toHaveBeenCalled();
    await settle();
    clock.advance(1);
    // No slot is left held: b's probe is granted one.
    await expect(b.execute(() => 'b probed')).resolves.toBe('b probed');
    expect(store.stats()).toMatchObject({ leasesGranted: 2, leasesRefused: 0 });
  });

  test('refused while the fleet closed meanwhile: the call runs as a closed breaker would', async () => {
    const { store, a, b, settle } = await halfOpen();
    const probe = deferred<string>();
    const probing = b.execute(() => probe.promise);
    await settle();
    const call = a.execute(() => 'a ran');
    a.close();
    await expect(call).resolves.toBe('a ran');
    expect(store.stats()).toMatchObject({ leasesGranted: 1, leasesRefused: 1 });
    probe.resolve('b ran');
    await expect(probing).resolves.toBe('b ran');
  });

  test('refused while disabled meanwhile: the call runs', async () => {
    const { store, a, b, settle } = await halfOpen();
    const probe = deferred<string>();
    const probing = b.execute(() => probe.promise);
    await settle();
    const call = a.execute(() => 'a ran');
    a.disable();
    await expect(call).resolves.toBe('a ran');
    expect(store.stats()).toMatchObject({ leasesGranted: 1, leasesRefused: 1 });
    probe.resolve('b ran');
    await probing;
  });

  test('refused while isolated meanwhile: the call is turned away', async () => {
    const { store, a, b, settle } = await halfOpen();
    const probe = deferred<string>();
    const probing = b.execute(() => probe.promise);
    await settle();
    const ran = jest.fn(() => 'never');
    const call = a.execute(ran);
    a.isolate();
    await expect(call).rejects.toMatchObject({ code: 'ERR_CIRCUIT_OPEN', state: 'isolated' });
    expect(ran).not.toHaveBeenCalled();
    expect(store.stats()).toMatchObject({ leasesGranted: 1, leasesRefused: 1 });
    probe.resolve('b ran');
    await probing;
  });

  test('refused while still half-open: turned away, and calls here do not ask again until the lease could end', async () => {
    const { store, a, b, settle } = await halfOpen();
    const probe = deferred<string>();
    const probing = b.execute(() => probe.promise);
    await settle();
    const ran = jest.fn(() => 'a');
    await expect(a.execute(ran)).rejects.toMatchObject({ code: 'ERR_CIRCUIT_OPEN', state: 'halfOpen' });
    await expect(a.execute(ran)).rejects.toMatchObject({ code: 'ERR_CIRCUIT_OPEN', state: 'halfOpen' });
    expect(ran).not.toHaveBeenCalled();
    expect(store.stats()).toMatchObject({ leasesGranted: 1, leasesRefused: 1 });
    probe.resolve('b ran');
    await expect(probing).resolves.toBe('b ran');
    await settle();
    expect([a.state, b.state]).toEqual(['closed', 'closed']);
  });
});

describe('acquire() in a fleet: a lease answered after its call was turned away', () => {
  test('granted after the breaker opened again: another process may probe', async () => {
    const { clock, store, a, b, settle } = await halfOpen();
    expect(() => a.acquire()).toThrow(expect.objectContaining({ code: 'ERR_CIRCUIT_OPEN', state: 'halfOpen' }));
    a.open(1); // the fleet is told, and its open period is over at once
    await settle();
    clock.advance(1);
    expect(b.state).toBe('halfOpen');
    // No slot is left held by a: b's probe is granted one.
    await expect(b.execute(() => 'b probed')).resolves.toBe('b probed');
    await settle();
    expect(store.stats()).toMatchObject({ leasesGranted: 2, leasesRefused: 0 });
    expect([a.state, b.state]).toEqual(['closed', 'closed']);
  });

  test('refused: the slot is released, and the next acquire() asks the fleet again', async () => {
    const { store, a, b, settle } = await halfOpen();
    const probe = deferred<string>();
    const probing = b.execute(() => probe.promise);
    await settle();
    expect(() => a.acquire()).toThrow(expect.objectContaining({ state: 'halfOpen' }));
    await settle();
    expect(() => a.acquire()).toThrow(expect.objectContaining({ state: 'halfOpen' }));
    await settle();
    expect(store.stats()).toMatchObject({ leasesGranted: 1, leasesRefused: 2 });
    probe.resolve('b ran');
    await probing;
    await settle();
    expect(a.state).toBe('closed');
    expect(() => a.acquire().success()).not.toThrow();
  });

  test('a granted slot kept across a new open period is not used: the next half-open asks afresh', async () => {
    const { clock, store, a, settle } = await halfOpen();
    expect(() => a.acquire()).toThrow(expect.objectContaining({ state: 'halfOpen' }));
    await settle(); // granted: the slot is kept for the next acquire()
    a.open(1);
    await settle();
    clock.advance(1);
    expect(a.state).toBe('halfOpen');
    expect(() => a.acquire()).toThrow(expect.objectContaining({ state: 'halfOpen' }));
    await settle();
    const permit = a.acquire();
    permit.success();
    await settle();
    expect(a.state).toBe('closed');
    expect(store.stats().leasesGranted).toBe(2);
  });
});
