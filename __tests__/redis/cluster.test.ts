import { type RedisStore, redisStore } from '../../src/stores/redis/index.js';
import { keysOf } from '../../src/stores/redis/protocol.js';
import { KINDS } from './clients.js';
import { TestMember } from './member.js';
import { cli, type RedisCluster, startCluster, until } from './server.js';

jest.setTimeout(90_000);

describe('redisStore on a three-primary Redis Cluster', () => {
  let cluster: RedisCluster;
  const cleanup: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    cluster = await startCluster();
  });
  afterAll(async () => {
    for (const close of cleanup.reverse()) await close();
    await cluster?.stop();
  });

  const names = ['payments', 'a{b}c', 'x:y', 'é漢', 'n'.repeat(300)];

  test('the keys of a name share one slot, and names spread over the primaries', async () => {
    const port = cluster.ports[0];
    const slots = new Set<string>();
    for (const name of names) {
      const [s, ...rest] = keysOf('tripswitch:', name).map((key) => cli(port, 'cluster', 'keyslot', key));
      const slot = await s;
      for (const other of rest) expect(await other).toBe(slot);
      slots.add(slot);
    }
    expect(slots.size).toBe(names.length);
  });

  test.each(KINDS)(
    'with $name: scripts are accepted; a transition, and an opening on counts, reach another store',
    async (kind) => {
      const prefix = `${kind.name.replace(/\W/g, '')}:`;
      const stores: RedisStore[] = [];
      for (const instanceId of ['a', 'b']) {
        const c = await kind.cluster(cluster.ports);
        const store = redisStore({ client: c.client, prefix, instanceId, timeoutMs: 1000 });
        cleanup.push(async () => {
          await store.close();
          await c.close();
        });
        stores.push(store);
      }
      const [a, b] = stores;
      await until(async () => (await cli(cluster.ports[0], 'pubsub', 'numsub', `${prefix}events`)).endsWith('2') || true, 1000);
      for (const name of names) {
        const x = new TestMember(name);
        const y = new TestMember(name);
        const link = a.attach(x);
        const other = b.attach(y);
        await until(() => x.adopted.length > 0 && y.adopted.length > 0, 10_000, 'first sync');
        // Counting across the fleet: a run of failures from two processes (announced), that then reaches its
        // threshold with failures since from both, opens the fleet in the name's slot.
        const run = {
          kind: 'run',
          lead: 1,
          reset: false,
          tail: 0,
          threshold: 2,
          retryAfterMs: 60_000,
          attempt: 1,
          keepMs: 60_000,
        } as const;
        await other.report?.(run);
        await link.report?.(run);
        await other.report?.(run);
        await link.report?.(run);
        await until(
          () => y.adopted.some((e) => e.remote && e.fleet.state === 'open' && e.fleet.reason === 'failures'),
          10_000,
          `${name} opened`,
        );
        // The subscription may still be on its way: publish until the other store hears it.
        await until(
          async () => {
            link.publish({ state: 'isolated', retryAfterMs: 0, attempt: 1 });
            await new Promise((resolve) => setTimeout(resolve, 100));
            return y.adopted.some((e) => e.remote && e.fleet.state === 'isolated');
          },
          20_000,
          `${name} propagated`,
        );
        expect(await link.lease(1000)).toBe(false);
      }
      expect(a.stats()).toMatchObject({ available: true, errors: 0, leasesRefused: names.length, reported: 2 * names.length });
      // Each name reached b by a message, or by the resynchronization that follows b's subscription.
      expect(b.stats().applied).toBeGreaterThan(0);
    },
  );
});
