// What a store leaves in Redis: close() withdraws this instance's votes and the leases it
// holds, and index entries of names whose records are gone are pruned.
import { redisStore } from '../../src/stores/redis/index.js';
import { keysOf } from '../../src/stores/redis/protocol.js';
import { KINDS } from './clients.js';
import { TestMember, trip } from './member.js';
import { cli, type RedisServer, startRedis, until } from './server.js';

jest.setTimeout(30_000);

describe.each(KINDS.slice(0, 2))('what a store leaves behind, with $name', (kind) => {
  let server: RedisServer;
  const cleanup: (() => Promise<void>)[] = [];
  let n = 0;
  let prefix = '';

  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(() => server.stop());
  beforeEach(() => {
    prefix = `id${++n}:`;
  });
  afterEach(async () => {
    for (const close of cleanup.splice(0).reverse()) await close();
  });

  async function store(instanceId: string, quorum = 1) {
    const c = await kind.connect(server.port);
    const s = redisStore({ client: c.client, prefix, instanceId, quorum, timeoutMs: 2000 });
    cleanup.push(async () => {
      await s.close();
      await c.close();
    });
    await s.ready();
    return s;
  }
  const attach = async (s: Awaited<ReturnType<typeof store>>, name: string, max = 1) => {
    const member = new TestMember(name, max);
    const link = s.attach(member);
    await until(() => member.adopted.length > 0, 5000, 'first sync');
    return { member, link };
  };
  const zcard = async (key: string) => Number(await cli(server.port, 'zcard', key));

  test('close() withdraws the votes of this instance and the leases it holds', async () => {
    const [, votes, leases] = keysOf(prefix, 'svc');
    const a = await store('pod-a', 2);
    const b = await store('pod-b', 2);
    const x = await attach(a, 'svc');
    x.link.publish(trip(60_000));
    await until(async () => (await zcard(votes)) === 1, 5000, 'a vote');
    await a.close();
    expect(await zcard(votes)).toBe(0);
    // A lease held at close is given back: another process may probe at once.
    const y = await attach(b, 'svc', 1);
    await y.member.step(() => y.link.publish({ state: 'open', reason: 'manual', retryAfterMs: 1, attempt: 1 }));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await y.link.lease(60_000)).toBe(true);
    expect(await zcard(leases)).toBe(1);
    await b.close();
    expect(await zcard(leases)).toBe(0);
  });

  test('close() withdraws the lease of a name it voted on within the open period', async () => {
    const [, votes, leases] = keysOf(prefix, 'svc');
    const a = await store('pod-a', 2);
    const b = await store('pod-b', 2);
    const x = await attach(a, 'svc');
    // A trip of a's: a vote, one of the two the fleet needs.
    x.link.publish(trip(60_000));
    await until(async () => (await zcard(votes)) === 1, 5000, 'a vote');
    // b opens the fleet by hand for 1 ms: then a's would-be probe is leased the only slot.
    const y = await attach(b, 'svc');
    await y.member.step(() => y.link.publish({ state: 'open', reason: 'manual', retryAfterMs: 1, attempt: 1 }));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await x.link.lease(60_000)).toBe(true);
    // The fleet's transition reset the votes; a's own vote is still live where a counts it.
    expect([await zcard(votes), await zcard(leases)]).toEqual([0, 1]);
    await a.close();
    expect([await zcard(votes), await zcard(leases)]).toEqual([0, 0]);
    // The slot is free at once: b's probe is leased it.
    expect(await y.link.lease(60_000)).toBe(true);
  });

  test('two runs of a process under one instanceId hold one vote between them', async () => {
    const [record, votes] = keysOf(prefix, 'svc');
    // The run before a crash (its vote still live) and the run after it.
    const before = await store('pod-a', 2);
    const after = await store('pod-a', 2);
    const x = await attach(before, 'svc');
    x.link.publish(trip(60_000));
    await until(async () => (await zcard(votes)) === 1, 5000, 'a vote');
    const y = await attach(after, 'svc');
    y.link.publish(trip(60_000));
    await until(() => after.stats().published === 1, 5000, 'the second trip');
    expect(await zcard(votes)).toBe(1);
    expect(await cli(server.port, 'hget', record, 'state')).not.toBe('open');
    // A second process makes the quorum.
    const other = await store('pod-b', 2);
    const z = await attach(other, 'svc');
    await z.member.step(() => z.link.publish(trip(60_000)));
    expect(await cli(server.port, 'hget', record, 'state')).toBe('open');
  });

  test('index entries of names whose records are gone are pruned', async () => {
    const index = `${prefix}{~}:index`;
    const a = await store('a');
    const gone = await attach(a, 'gone');
    await gone.member.step(() => gone.link.publish({ state: 'isolated', retryAfterMs: 0, attempt: 1 }));
    const held = await attach(a, 'held');
    await held.member.step(() => held.link.publish({ state: 'isolated', retryAfterMs: 0, attempt: 1 }));
    await until(async () => Number(await cli(server.port, 'hlen', index)) === 2, 5000, 'both indexed');
    // Their records are lost (expired, a Cluster node restarted empty); the index still lists them.
    await cli(server.port, 'del', keysOf(prefix, 'gone')[0], keysOf(prefix, 'held')[0]);
    // A process that starts reads each listed name once, finds it closed, and prunes it: one
    // that no breaker there holds (read for breakers made later), and one a breaker holds.
    const c = await kind.connect(server.port);
    const b = redisStore({ client: c.client, prefix, instanceId: 'b', timeoutMs: 2000 });
    cleanup.push(async () => {
      await b.close();
      await c.close();
    });
    const member = new TestMember('held');
    b.attach(member);
    await b.ready();
    await until(async () => Number(await cli(server.port, 'hlen', index)) === 0, 5000, 'index pruned');
    expect(member.last).toMatchObject({ state: 'closed' });
  });
});
