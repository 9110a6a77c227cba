import { createBreaker, createRegistry } from '../../src/index.js';
import { manualClock, memoryStore } from '../../src/testing/index.js';
import { boom, flush } from '../helpers.js';

const setup = (quorum = 1) => {
  const clock = manualClock(5_000);
  const store = memoryStore({ clock, quorum });
  const make = () => createBreaker({ name: 'dep', store, clock, failureThreshold: 1, resetTimeoutMs: 1000 });
  const settle = async () => {
    await store.flush();
    await flush();
  };
  return { clock, store, make, settle };
};
const trip = (b: ReturnType<ReturnType<typeof setup>['make']>) => b.execute(() => Promise.reject(boom)).catch(() => undefined);

describe('memoryStore', () => {
  it('a breaker made after one of its name detached takes its id: a restart replaces its vote', async () => {
    const { clock, store, make, settle } = setup(2);
    const healthy = make();
    const tenants = createRegistry({ store, clock, failureThreshold: 1, resetTimeoutMs: 1000 });
    for (let run = 0; run < 3; run++) {
      // The sick "process" trips, then goes away without a word and comes back.
      await trip(tenants.get('dep') as ReturnType<typeof make>);
      await settle();
      expect(tenants.get('dep').state).toBe('open');
      tenants.delete('dep');
    }
    // One vote of the two needed, however many times it came back.
    expect(healthy.state).toBe('closed');
    await trip(healthy);
    await settle();
    expect(healthy.state).toBe('open');
  });

  it('during an outage every breaker decides alone; afterwards its transitions reach the fleet', async () => {
    const { store, make, settle } = setup();
    const [a, b] = [make(), make()];
    await settle();
    store.setAvailable(false);
    expect(store.stats().available).toBe(false);
    await trip(a);
    await settle();
    expect([a.state, b.state]).toEqual(['open', 'closed']);
    store.setAvailable(true);
    await settle();
    expect([a.state, b.state]).toEqual(['open', 'open']);
    expect(store.stats()).toMatchObject({ available: true, published: 1 });
  });

  it('during an outage a would-be probe is let through without waiting, and the error counted', async () => {
    const { clock, store, make, settle } = setup();
    const a = make();
    a.open();
    await settle();
    store.setAvailable(false);
    clock.advance(1000);
    await expect(a.execute(() => 'probe')).resolves.toBe('probe');
    expect(a.state).toBe('closed');
    expect(store.stats().errors).toBe(1);
  });

  it('acquire() turns a would-be probe away, and the next call in this process is the probe', async () => {
    const { clock, store, make, settle } = setup();
    const [a, b] = [make(), make()];
    a.open();
    await settle();
    clock.advance(1000);
    expect(() => a.acquire()).toThrow(expect.objectContaining({ code: 'ERR_CIRCUIT_OPEN', state: 'halfOpen' }));
    await settle();
    await expect(b.execute(() => 'not b')).rejects.toMatchObject({ state: 'halfOpen' });
    const permit = a.acquire();
    permit.success();
    await settle();
    expect([a.state, b.state]).toEqual(['closed', 'closed']);
    expect(store.stats()).toMatchObject({ leasesGranted: 1, leasesRefused: 1 });
  });

  it('a lease answered after the state moved decides afresh', async () => {
    const { clock, store, make, settle } = setup();
    const [a, b] = [make(), make()];
    a.open();
    await settle();
    clock.advance(1000);
    const call = a.execute(() => 'probe');
    b.close(); // the fleet closes before a's lease is answered
    await settle();
    await expect(call).resolves.toBe('probe');
    expect(store.stats().leasesGranted).toBe(1);
  });

  it('a vote counts toward quorum only for its open period', async () => {
    const { clock, store, make, settle } = setup(2);
    const [a, b, c] = [make(), make(), make()];
    await settle();
    await trip(a);
    await settle();
    expect([a.state, b.state, c.state]).toEqual(['open', 'closed', 'closed']);
    clock.advance(1000); // a's vote has expired with its open period
    await trip(b);
    await settle();
    expect(c.state).toBe('closed');
    // A second live vote makes the quorum.
    await trip(c);
    await settle();
    expect([b.state, c.state]).toEqual(['open', 'open']);
    expect(store.stats().published).toBeGreaterThanOrEqual(3);
  });

  it('rejects bad options by name', () => {
    expect(() => memoryStore({ quorum: 0 })).toThrow(new RangeError('quorum must be an integer >= 1, got 0'));
    expect(() => memoryStore({ instanceId: '' })).toThrow(/instanceId must be a non-empty string/);
    expect(() => memoryStore({ instanceId: 'x'.repeat(257) })).toThrow(
      new RangeError('instanceId must have at most 256 characters, got 257'),
    );
    expect(() => memoryStore({ clock: 1 as never })).toThrow(/clock must be a Clock/);
    expect(() => memoryStore({ nope: 1 } as never)).toThrow(/unknown option "nope"/);
    expect(() => memoryStore({ counting: 'shared' as never })).toThrow(
      new RangeError(`counting must be 'fleet' or 'local', got "shared"`),
    );
    expect(memoryStore({ counting: 'fleet' }).stats().reported).toBe(0);
    expect(memoryStore({ counting: 'local' }).stats().reported).toBeUndefined();
    expect(() => memoryStore().setAvailable('yes' as never)).toThrow(/available must be a boolean/);
    expect(() => createBreaker({ store: {} as never })).toThrow(/store must be a BreakerStore/);
  });
});
