import { type RedisStore, redisStore } from '../../src/stores/redis/index.js';
import { keysOf } from '../../src/stores/redis/protocol.js';
import { KINDS } from './clients.js';
import { TestMember, trip } from './member.js';
import { cli, type RedisServer, sleep, startRedis, until } from './server.js';

jest.setTimeout(30_000);

describe.each(KINDS)('redisStore protocol with $name', (kind) => {
  let server: RedisServer;
  const cleanup: (() => Promise<void>)[] = [];
  let n = 0;
  let prefix = '';

  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    for (const close of cleanup.reverse()) await close();
    await server.stop();
  });
  beforeEach(() => {
    prefix = `t${++n}:`;
  });

  /** `count` stores on one prefix, each with its own client, subscribed before it returns. */
  async function stores(count: number, options: { quorum?: number; timeoutMs?: number } = {}): Promise<RedisStore[]> {
    const made: RedisStore[] = [];
    for (let i = 0; i < count; i++) {
      const c = await kind.connect(server.port);
      // Deadlines generous enough for a busy machine, unless a test is about them.
      const store = redisStore({ client: c.client, prefix, instanceId: `i${i}`, timeoutMs: 2000, ...options });
      cleanup.push(async () => {
        await store.close();
        await c.close();
      });
      made.push(store);
    }
    await until(
      async () => (await cli(server.port, 'pubsub', 'numsub', `${prefix}events`)).endsWith(String(count)),
      5000,
      'subscribers',
    );
    return made;
  }

  /** Attaches a member and waits for its first sync. */
  async function attach(store: RedisStore, name = 'svc', max = 1) {
    const member = new TestMember(name, max);
    const link = store.attach(member);
    await until(() => member.adopted.length > 0, 5000, 'first sync');
    return { member, link };
  }

  const field = async (f: string, name = 'svc') => cli(server.port, 'hget', keysOf(prefix, name)[0], f);

  test('a new member takes up the record on attach (closed, epoch 0, when there is none)', async () => {
    const [a] = await stores(1);
    const { member } = await attach(a);
    expect(member.last).toEqual({ state: 'closed', epoch: 0, retryAfterMs: 0, attempt: 1, instance: '', reason: undefined });
  });

  test('A: a trip opens the fleet; the others follow with remote: true and the remaining time', async () => {
    const [a, b] = await stores(2);
    const x = await attach(a);
    const y = await attach(b);
    x.link.publish(trip(5000));
    const local = await x.member.next((f) => f.state === 'open');
    expect(local).toMatchObject({ state: 'open', attempt: 1, instance: 'i0', reason: 'failures' });
    expect(x.member.adopted.at(-1)?.remote).toBe(false);
    expect(local.epoch).toBeGreaterThan(1e15);
    const remote = await y.member.next((f, r) => r && f.state === 'open');
    expect(remote.epoch).toBe(local.epoch);
    expect(remote.retryAfterMs).toBeGreaterThan(4500);
    expect(remote.retryAfterMs).toBeLessThanOrEqual(5000);
    expect(await field('state')).toBe('open');
    // A second trip while open is only the first opening: same epoch, no extension.
    const { fleet: second } = await y.member.step(() => y.link.publish(trip(60_000)));
    expect(second.epoch).toBe(local.epoch);
    expect(second.instance).toBe('i0');
    expect(second.retryAfterMs).toBeLessThanOrEqual(5000);
    expect(a.stats()).toMatchObject({ available: true, published: 1, errors: 0 });
    expect(b.stats().applied).toBe(1);
  });

  test('A: quorum 2 holds the fleet closed until a second instance trips', async () => {
    const [a, b] = await stores(2, { quorum: 2 });
    const x = await attach(a);
    const y = await attach(b);
    x.link.publish(trip(5000));
    await until(() => a.stats().published === 1);
    expect(x.member.last?.state).toBe('closed');
    expect(await cli(server.port, 'zcard', keysOf(prefix, 'svc')[1])).toBe('1');
    // The same instance voting again is one vote.
    x.link.publish(trip(5000));
    await until(() => a.stats().published === 2);
    expect(x.member.last?.state).toBe('closed');
    y.link.publish(trip(5000));
    await y.member.next((f) => f.state === 'open');
    await x.member.next((f, r) => r && f.state === 'open');
    expect(await cli(server.port, 'exists', keysOf(prefix, 'svc')[1])).toBe('0');
  });

  test('A: a vote expires with its open period', async () => {
    const [a, b] = await stores(2, { quorum: 2 });
    const x = await attach(a);
    const y = await attach(b);
    x.link.publish(trip(100));
    await until(() => a.stats().published === 1);
    await sleep(150);
    y.link.publish(trip(5000));
    await until(() => b.stats().published === 1);
    expect(y.member.last?.state).toBe('closed');
    expect(Number(await cli(server.port, 'pttl', keysOf(prefix, 'svc')[1]))).toBeGreaterThan(4000);
  });

  test('B: a failed probe reopens an expired opening with attempt + 1; ignored while open; a trip when closed', async () => {
    const [a, b] = await stores(2);
    const x = await attach(a);
    const y = await attach(b);
    const probeFailed = { state: 'open', reason: 'probeFailed', retryAfterMs: 200, attempt: 1 } as const;
    x.link.publish(probeFailed);
    const opened = await x.member.next((f) => f.state === 'open');
    expect(opened).toMatchObject({ attempt: 1, reason: 'probeFailed' });
    const { fleet: same } = await y.member.step(() => y.link.publish({ ...probeFailed, attempt: 5 }));
    expect(same.epoch).toBe(opened.epoch);
    await sleep(250);
    const { fleet: reopened } = await y.member.step(() => y.link.publish(probeFailed));
    expect(reopened).toMatchObject({ state: 'open', attempt: 2, instance: 'i1', reason: 'probeFailed' });
    await x.member.next((f, r) => r && f.epoch === reopened.epoch);
  });

  test('C: manual transitions apply whatever the state, without quorum', async () => {
    const [a, b] = await stores(2, { quorum: 3 });
    const x = await attach(a);
    const y = await attach(b);
    x.link.publish({ state: 'open', reason: 'manual', retryAfterMs: 10_000, attempt: 1 });
    const opened = await y.member.next((f, r) => r && f.state === 'open');
    expect(opened.reason).toBe('manual');
    x.link.publish({ state: 'isolated', retryAfterMs: 0, attempt: 1 });
    const isolated = await y.member.next((f) => f.state === 'isolated');
    expect(isolated.epoch).toBeGreaterThan(opened.epoch);
    expect(isolated.retryAfterMs).toBe(0);
    // Isolated holds against trips and failed probes.
    y.link.publish(trip(1000));
    y.link.publish({ state: 'open', reason: 'probeFailed', retryAfterMs: 1000, attempt: 1 });
    await until(() => b.stats().published === 2);
    expect(y.member.last?.state).toBe('isolated');
    expect(await cli(server.port, 'pttl', keysOf(prefix, 'svc')[0])).toBe('-1');
    y.link.publish({ state: 'disabled', retryAfterMs: 0, attempt: 1 });
    await x.member.next((f, r) => r && f.state === 'disabled');
    y.link.publish({ state: 'closed', reason: 'manual', retryAfterMs: 0, attempt: 1 });
    const closed = await x.member.next((f, r) => r && f.state === 'closed');
    expect(closed).toMatchObject({ reason: 'manual', instance: 'i1' });
    const ttl = Number(await cli(server.port, 'pttl', keysOf(prefix, 'svc')[0]));
    expect(ttl).toBeGreaterThan(500_000);
    expect(ttl).toBeLessThanOrEqual(600_000);
  });

  test('D: probes succeeded close an expired opening only', async () => {
    const [a, b] = await stores(2);
    const x = await attach(a);
    const y = await attach(b);
    const closeIt = { state: 'closed', reason: 'probesSucceeded', retryAfterMs: 0, attempt: 1 } as const;
    x.link.publish(trip(200));
    const opened = await x.member.next((f) => f.state === 'open');
    y.link.publish(closeIt);
    await until(() => b.stats().published === 1);
    expect(await field('state')).toBe('open');
    await sleep(250);
    y.link.publish(closeIt);
    const closed = await x.member.next((f, r) => r && f.state === 'closed');
    expect(closed.epoch).toBeGreaterThan(opened.epoch);
    expect(closed.reason).toBe('probesSucceeded');
  });

  test('leases: granted when closed, refused while open, halfOpenMaxCalls per period, freed by ignore', async () => {
    const [a, b] = await stores(2);
    const x = await attach(a, 'svc', 2);
    const y = await attach(b, 'svc', 2);
    expect(await x.link.lease(1000)).toBe(true);
    x.link.probeDone('ignore');
    x.link.publish(trip(200));
    const opened = await y.member.next((f) => f.state === 'open');
    const before = y.member.adopted.length;
    expect(await y.link.lease(1000)).toBe(false);
    expect(y.member.adopted.length).toBe(before + 1);
    await sleep(250);
    expect(await x.link.lease(1000)).toBe(true);
    expect(await y.link.lease(1000)).toBe(true);
    expect(await y.link.lease(1000)).toBe(false);
    expect(await cli(server.port, 'zcard', keysOf(prefix, 'svc')[2])).toBe('2');
    y.link.probeDone('ignore');
    await until(async () => (await cli(server.port, 'zcard', keysOf(prefix, 'svc')[2])) === '1');
    expect(await y.link.lease(1000)).toBe(true);
    // Two successes fleet-wide close it everywhere.
    x.link.probeDone('success');
    await until(async () => (await field('successes')) === '1');
    y.link.probeDone('success');
    const closed = await x.member.next((f, r) => r && f.state === 'closed');
    expect(closed).toMatchObject({ reason: 'probesSucceeded', instance: 'i1' });
    expect(closed.epoch).toBeGreaterThan(opened.epoch);
    expect(await cli(server.port, 'exists', keysOf(prefix, 'svc')[2])).toBe('0');
    expect(a.stats()).toMatchObject({ leasesGranted: 2, leasesRefused: 0 });
    expect(b.stats()).toMatchObject({ leasesGranted: 2, leasesRefused: 2 });
  });

  test('leases: a lease expires after its ttl, so a dead prober never blocks the fleet', async () => {
    const [a, b] = await stores(2);
    const x = await attach(a);
    const y = await attach(b);
    x.link.publish(trip(50));
    await y.member.next((f) => f.state === 'open');
    await sleep(100);
    expect(await x.link.lease(150)).toBe(true);
    expect(await y.link.lease(150)).toBe(false);
    const pttl = Number(await cli(server.port, 'pttl', keysOf(prefix, 'svc')[2]));
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(150);
    await sleep(200);
    expect(await y.link.lease(1000)).toBe(true);
  });

  test('a success with no open period to end changes nothing', async () => {
    const [a] = await stores(1);
    const x = await attach(a);
    x.link.probeDone('success');
    await until(() => x.member.adopted.length === 2);
    expect(x.member.last?.state).toBe('closed');
    expect(await cli(server.port, 'exists', keysOf(prefix, 'svc')[0])).toBe('0');
  });

  test('sync on attach: a local change made while unavailable is published; an epoch Redis lost is restored', async () => {
    const [a] = await stores(1);
    const lone = new TestMember('svc');
    lone.localState = { transition: trip(5000), epoch: 0 };
    a.attach(lone);
    await lone.next((f) => f.state === 'open');
    const epoch = Number(await field('epoch'));
    await cli(server.port, 'flushall');
    const back = new TestMember('svc');
    back.localState = { transition: { state: 'isolated', retryAfterMs: 0, attempt: 1 }, epoch };
    a.attach(back);
    const restored = await back.next((f) => f.state === 'isolated');
    expect(restored.epoch).toBe(epoch);
    expect(await field('epoch')).toBe(String(epoch));
    // A member whose epoch is older than the record's adopts the record.
    const stale = new TestMember('svc');
    stale.localState = { transition: trip(5000), epoch: epoch - 1 };
    a.attach(stale);
    await stale.next((f) => f.state === 'isolated' && f.epoch === epoch);
    expect(await field('state')).toBe('isolated');
  });

  test('epochs only grow, also across FLUSHALL', async () => {
    const [a] = await stores(1);
    const x = await attach(a);
    x.link.publish({ state: 'open', reason: 'manual', retryAfterMs: 1000, attempt: 1 });
    const first = await x.member.next((f) => f.state === 'open');
    await cli(server.port, 'flushall');
    x.link.publish({ state: 'isolated', retryAfterMs: 0, attempt: 1 });
    const second = await x.member.next((f) => f.state === 'isolated');
    expect(second.epoch).toBeGreaterThan(first.epoch);
    // Many transitions within one microsecond still make distinct, growing epochs.
    for (let i = 0; i < 20; i++) x.link.publish({ state: i % 2 ? 'disabled' : 'isolated', retryAfterMs: 0, attempt: 1 });
    await until(() => a.stats().published === 22);
    const epochs = x.member.adopted.slice(-20).map((e) => e.fleet.epoch);
    for (let i = 1; i < epochs.length; i++) expect(epochs[i]).toBeGreaterThan(epochs[i - 1]);
  });

  test('names cannot leave their key: braces, colons, newlines, long and empty names', async () => {
    const [a, b] = await stores(2);
    const names = ['a{b}c', '}{', 'x:y:z', 'line\nbreak', 'é漢🙂', 'n'.repeat(1000), '', '%', '\ud800'];
    const receivers = [];
    for (const name of names) {
      const x = await attach(a, name);
      const y = await attach(b, name);
      receivers.push(y);
      x.link.publish({ state: 'open', reason: 'manual', retryAfterMs: 5000, attempt: 1 });
      await x.member.next((f) => f.state === 'open');
    }
    const bystander = await attach(b, 'a');
    // The store's own index of names not closed lives under a tag no name produces.
    const all = (await cli(server.port, '--raw', 'keys', `${prefix}*`)).split('\n');
    const keys = all.filter((key) => key !== `${prefix}{~}:index`);
    expect(all).toHaveLength(names.length + 1);
    expect(Number(await cli(server.port, 'hlen', `${prefix}{~}:index`))).toBe(names.length);
    for (const key of keys) expect(key).toMatch(new RegExp(`^${prefix}\\{[^{}:\\s]+\\}:s$`));
    // Every well-formed name reaches its own members (a lone surrogate cannot cross the wire).
    for (const y of receivers.slice(0, -1)) await y.member.next((f, r) => r && f.state === 'open');
    expect(bystander.member.adopted).toHaveLength(1);
  });

  test('keys expire: closed after 10 minutes, open after its period and a margin, votes and leases with their last', async () => {
    const [a, b] = await stores(2, { quorum: 2 });
    const [s, votes, leases] = keysOf(prefix, 'svc');
    const x = await attach(a);
    const y = await attach(b);
    x.link.publish(trip(300));
    await until(() => a.stats().published === 1);
    const voteTtl = Number(await cli(server.port, 'pttl', votes));
    expect(voteTtl).toBeGreaterThan(0);
    expect(voteTtl).toBeLessThanOrEqual(300);
    y.link.publish(trip(300));
    await y.member.next((f) => f.state === 'open');
    const openTtl = Number(await cli(server.port, 'pttl', s));
    expect(openTtl).toBeGreaterThan(600_000);
    expect(openTtl).toBeLessThanOrEqual(600_300);
    await sleep(350);
    expect(await x.link.lease(100)).toBe(true);
    expect(Number(await cli(server.port, 'pttl', leases))).toBeLessThanOrEqual(100);
    await until(async () => (await cli(server.port, 'exists', leases)) === '0', 2000);
    // Many names that came and went: every key they left has an expiry.
    const many = Array.from({ length: 500 }, (_, i) => a.attach(new TestMember(`k${i}`)));
    for (const link of many) link.publish(trip(50));
    await until(() => a.stats().published === 501, 10_000);
    await sleep(100);
    const keys = (await cli(server.port, '--raw', 'keys', `${prefix}*`)).split('\n').filter(Boolean);
    expect(keys.filter((k) => k.endsWith(':votes'))).toEqual([]);
    for (const key of keys) expect(Number(await cli(server.port, 'pttl', key))).toBeGreaterThan(0);
  });

  test('thousands of breakers attached and tripping at once: no script times out in the store’s own queue', async () => {
    const [a] = await stores(1, { timeoutMs: 500, quorum: 2 });
    const members = Array.from({ length: 2000 }, (_, i) => new TestMember(`burst${i}`));
    for (const member of members) a.attach(member).publish(trip(60_000));
    // Every trip answered (a breaker attached while the store's first round runs, closed and not
    // in the index, is not read on its own: the answer to its trip is then its first adoption).
    await until(() => a.stats().published === 2000 && members.every((m) => m.adopted.length >= 1), 20_000, 'every answer');
    expect(a.stats()).toMatchObject({ available: true, errors: 0, published: 2000 });
  });

  test('messages from strangers: malformed or foreign ones are ignored and counted, never thrown', async () => {
    const [a] = await stores(1);
    const x = await attach(a);
    const valid = { v: 1, n: 'svc', e: 5, s: 'open', r: 1000, a: 1, i: 'stranger', w: 'manual' };
    const bad: unknown[] = [
      'garbage',
      '',
      '{}',
      '[]',
      'null',
      '42',
      '{"v":1',
      { ...valid, v: 2 },
      { ...valid, n: 7 },
      { ...valid, n: 'x'.repeat(20_000) },
      { ...valid, e: 0 },
      { ...valid, e: -1 },
      { ...valid, e: 1.5 },
      { ...valid, e: 1e300 },
      { ...valid, s: 'halfOpen' },
      { ...valid, s: 'bogus' },
      { ...valid, r: '10' },
      { ...valid, r: -1 },
      { ...valid, a: 0 },
      { ...valid, i: '' },
      { ...valid, i: 'i'.repeat(300) },
      { ...valid, w: 'because' },
      'y'.repeat(70_000),
    ];
    for (const message of bad) {
      await cli(server.port, 'publish', `${prefix}events`, typeof message === 'string' ? message : JSON.stringify(message));
    }
    await until(() => a.stats().ignored === bad.length, 5000, 'ignored count');
    // A well-formed message for another name is neither ignored nor applied here.
    await cli(server.port, 'publish', `${prefix}events`, JSON.stringify({ ...valid, n: 'other' }));
    await cli(server.port, 'publish', `${prefix}events`, JSON.stringify({ ...valid, i: 'i0' }));
    await cli(server.port, 'publish', `${prefix}events`, JSON.stringify(valid));
    const applied = await x.member.next((f, r) => r && f.state === 'open');
    expect(applied).toEqual({ state: 'open', epoch: 5, retryAfterMs: 1000, attempt: 1, instance: 'stranger', reason: 'manual' });
    expect(x.member.adopted.filter((e) => e.fleet.epoch > 0)).toHaveLength(1);
    expect(a.stats()).toMatchObject({ ignored: bad.length, applied: 1 });
  });

  test('a record written by hand with odd values is read as closed; a reply that is not one is an error', async () => {
    const [a] = await stores(1);
    await cli(server.port, 'hset', keysOf(prefix, 'svc')[0], 'state', 'weird', 'epoch', '7');
    const { member } = await attach(a);
    expect(member.last).toMatchObject({ state: 'closed', epoch: 7 });
    await cli(server.port, 'hset', keysOf(prefix, 'bad')[0], 'state', 'open', 'attempt', '0');
    const other = new TestMember('bad');
    a.attach(other);
    await until(() => a.stats().errors === 1);
    expect(other.adopted).toEqual([]);
  });

  test('errors from Redis count, make the store unavailable, and it recovers once they stop', async () => {
    const [a] = await stores(1, { timeoutMs: 1000 });
    const events: string[] = [];
    a.on('unavailable', () => events.push('unavailable'));
    a.on('available', () => events.push('available'));
    const good = await attach(a);
    const badKey = keysOf(prefix, 'bad')[0];
    await cli(server.port, 'set', badKey, 'not a hash');
    const bad = new TestMember('bad');
    const badLink = a.attach(bad);
    await until(() => events.length === 1, 5000, 'unavailable');
    expect(a.stats()).toMatchObject({ available: false, errors: 1 });
    // While unavailable: a new member waits for the resync, a transition waits as the latest.
    const later = new TestMember('later');
    a.attach(later);
    badLink.publish({ state: 'isolated', retryAfterMs: 0, attempt: 1 });
    // The resync keeps failing on the bad key: still unavailable, more errors.
    await until(() => a.stats().errors >= 2, 5000, 'a failed resync');
    expect(a.stats().available).toBe(false);
    await cli(server.port, 'del', badKey);
    await until(() => events.length === 2, 5000, 'available');
    expect(events).toEqual(['unavailable', 'available']);
    expect(later.adopted.length).toBeGreaterThan(0);
    expect(await cli(server.port, 'hget', badKey, 'state')).toBe('isolated');
    // A transition that fails while available is kept and shared after the recovery.
    const goodKey = keysOf(prefix, 'svc')[0];
    await cli(server.port, 'set', goodKey, 'not a hash');
    good.link.publish({ state: 'disabled', retryAfterMs: 0, attempt: 1 });
    await until(() => events.length === 3, 5000, 'unavailable again');
    await cli(server.port, 'del', goodKey);
    await until(() => events.length === 4, 5000, 'available again');
    expect(await cli(server.port, 'hget', goodKey, 'state')).toBe('disabled');
    await good.member.next((f) => f.state === 'disabled');
  });

  test('a member detached before its reply does not get it; a member whose local() throws still syncs', async () => {
    const [a] = await stores(1);
    const x = await attach(a);
    x.link.publish({ state: 'isolated', retryAfterMs: 0, attempt: 1 });
    x.link.detach();
    await until(() => a.stats().published === 1);
    expect(x.member.adopted).toHaveLength(1);
    const odd = new TestMember('svc');
    odd.local = () => {
      throw new Error('local');
    };
    a.attach(odd);
    await odd.next((f) => f.state === 'isolated');
    const y = await attach(a, 'other');
    expect(await y.link.lease(Number.NaN)).toBe(true);
  });

  test('breakers of one name in one process follow each other too', async () => {
    const [a] = await stores(1);
    const x = await attach(a);
    const y = await attach(a);
    x.link.publish({ state: 'isolated', retryAfterMs: 0, attempt: 1 });
    const seen = await y.member.next((f) => f.state === 'isolated');
    expect(seen.instance).toBe('i0');
    expect(y.member.adopted.at(-1)?.remote).toBe(false);
  });

  test('detach stops following; a closed store keeps every method harmless', async () => {
    const [a, b] = await stores(2);
    const x = await attach(a);
    const y = await attach(b);
    const z = await attach(b);
    y.link.detach();
    y.link.detach();
    const before = y.member.adopted.length;
    x.link.publish({ state: 'isolated', retryAfterMs: 0, attempt: 1 });
    await z.member.next((f) => f.state === 'isolated');
    expect(y.member.adopted).toHaveLength(before);
    expect(await y.link.lease(100)).toBe(true);
    // Leases never paired with a probeDone are not kept without bound.
    for (let i = 0; i < 1100; i++) await y.link.lease(100);
    y.link.publish(trip(100));
    y.link.probeDone('success');
    await b.close();
    await b.close();
    // A closed store takes no breaker, and says it is not available.
    expect(() => b.attach(new TestMember('svc'))).toThrow('tripswitch/redis: the store is closed; a breaker cannot attach to it');
    expect(b.stats()).toMatchObject({ available: false, errors: 0 });
    await expect(b.ready()).rejects.toThrow('the store is closed');
    await expect(b.flush()).resolves.toBeUndefined();
    // The links it gave out stay harmless.
    const before2 = z.member.adopted.length;
    z.link.publish(trip(100));
    expect(await z.link.lease(100)).toBe(true);
    z.link.probeDone('ignore');
    z.link.detach();
    await sleep(50);
    expect(z.member.adopted).toHaveLength(before2);
    expect(b.stats().errors).toBe(0);
  });
});
