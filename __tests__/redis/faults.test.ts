import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { type RedisStore, type RedisStoreEvent, redisStore } from '../../src/stores/redis/index.js';
import { keysOf } from '../../src/stores/redis/protocol.js';
import { KINDS } from './clients.js';
import { TestMember, trip } from './member.js';
import { cli, type RedisServer, startRedis, until } from './server.js';

jest.setTimeout(60_000);

describe.each(KINDS)('redisStore when Redis fails, with $name', (kind) => {
  let server: RedisServer;
  const cleanup: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    server = await startRedis();
  });
  afterEach(async () => {
    for (const close of cleanup.splice(0).reverse()) await close();
    await server.stop();
  });

  async function store(instanceId: string, timeoutMs: number) {
    const c = await kind.connect(server.port);
    const s = redisStore({ client: c.client, instanceId, timeoutMs });
    cleanup.push(async () => {
      await s.close();
      await c.close();
    });
    const events: string[] = [];
    const seen: RedisStoreEvent[] = [];
    s.on('unavailable', (e) => {
      events.push('unavailable');
      seen.push(e);
    });
    s.on('available', () => {
      events.push('available');
    });
    // A handler that throws never reaches the store or the process.
    s.on('unavailable', () => {
      throw new Error('handler');
    });
    return { store: s, events, seen };
  }

  const subscribed = (count: number) =>
    until(async () => (await cli(server.port, 'pubsub', 'numsub', 'tripswitch:events')).endsWith(String(count)), 10_000);

  const attach = async (s: RedisStore, member: TestMember) => {
    const link = s.attach(member);
    await until(() => member.adopted.length > 0, 5000, 'first sync');
    return link;
  };

  test('paused: nothing waits longer than timeoutMs, the latest transition is kept, then it resynchronizes', async () => {
    const { store: s, events, seen } = await store('a', 100);
    await subscribed(1);
    const member = new TestMember('svc');
    const link = await attach(s, member);
    server.pause();
    let started = Date.now();
    expect(await link.lease(1000)).toBe(true);
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(90);
    expect(waited).toBeLessThan(300);
    // One late reply only makes the store check Redis's health: the check gets no answer either.
    expect(s.stats()).toMatchObject({ errors: 1 });
    await until(() => events.length > 0, 5000, 'unavailable');
    expect(s.stats()).toMatchObject({ available: false, errors: 1 });
    expect(events).toEqual(['unavailable']);
    expect(seen[0].error).toBeInstanceOf(Error);
    // While unavailable nothing waits at all, and only the latest transition is kept.
    started = Date.now();
    expect(await link.lease(1000)).toBe(true);
    expect(Date.now() - started).toBeLessThan(20);
    link.publish({ state: 'open', reason: 'manual', retryAfterMs: 60_000, attempt: 1 });
    link.publish({ state: 'isolated', retryAfterMs: 0, attempt: 1 });
    link.probeDone('ignore');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(events).toEqual(['unavailable']);
    server.resume();
    await until(() => events.length === 2, 10_000, 'available');
    expect(events).toEqual(['unavailable', 'available']);
    expect(s.stats().available).toBe(true);
    expect(await cli(server.port, 'hget', keysOf('tripswitch:', 'svc')[0], 'state')).toBe('isolated');
    await member.next((f) => f.state === 'isolated');
  });

  test('paused: close() settles within a few deadlines although no health check is ever answered', async () => {
    const { store: s, events } = await store('a', 200);
    await subscribed(1);
    const link = await attach(s, new TestMember('svc'));
    server.pause();
    try {
      expect(await link.lease(1000)).toBe(true);
      // Every health check now waits its whole deadline, as long as the retry interval.
      await until(() => events.length > 0, 5000, 'unavailable');
      expect(events).toEqual(['unavailable']);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const started = Date.now();
      await s.close();
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      server.resume();
    }
  });

  test('killed and restarted empty: breakers carry on, changes made meanwhile reach the fleet, lost epochs come back', async () => {
    const a = await store('a', 200);
    const b = await store('b', 200);
    await subscribed(2);
    const kept = new TestMember('kept');
    const keptLink = await attach(a.store, kept);
    const changed = new TestMember('changed');
    const changedLink = await attach(a.store, changed);
    const follower = new TestMember('changed');
    await attach(b.store, follower);
    const opened = await kept.step(() => keptLink.publish({ state: 'open', reason: 'manual', retryAfterMs: 60_000, attempt: 1 }));
    kept.localState = { transition: { ...trip(60_000), reason: 'manual' }, epoch: opened.fleet.epoch };

    // On a busy machine a start may outlast the 200 ms deadline (an outage reported, then over):
    // events are counted from the kill.
    await until(() => a.store.stats().available && b.store.stats().available, 10_000, 'available before the kill');
    const before = a.events.length;
    await server.kill();
    await until(() => a.events.slice(before).includes('unavailable'), 10_000, 'unavailable');
    changedLink.publish({ state: 'isolated', retryAfterMs: 0, attempt: 1 });
    changed.localState = { transition: { state: 'isolated', retryAfterMs: 0, attempt: 1 }, epoch: 0 };
    const started = Date.now();
    expect(await changedLink.lease(1000)).toBe(true);
    expect(Date.now() - started).toBeLessThan(300);

    await server.start();
    await until(() => a.events.at(-1) === 'available', 15_000, 'available');
    expect(a.events.slice(before).filter((e) => e === 'unavailable')).toHaveLength(1);
    const kKey = keysOf('tripswitch:', 'kept')[0];
    expect(await cli(server.port, 'hget', kKey, 'epoch')).toBe(String(opened.fleet.epoch));
    expect(await cli(server.port, 'hget', keysOf('tripswitch:', 'changed')[0], 'state')).toBe('isolated');
    await until(() => b.events.at(-1) === 'available', 15_000, 'b available');
    await follower.next((f) => f.state === 'isolated', 10_000);
    // Epochs keep growing after the restart.
    const closed = await kept.step(() => keptLink.publish({ state: 'closed', reason: 'manual', retryAfterMs: 0, attempt: 1 }));
    expect(closed.fleet.epoch).toBeGreaterThan(opened.fleet.epoch);
    expect(a.store.stats().available).toBe(true);
  });
});

describe('clients with their offline queue disabled', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(() => server.stop());

  const cases: [string, (port: number) => Promise<{ client: unknown; close(): void }>][] = [
    [
      'ioredis',
      async (port) => {
        const client = new Redis({ host: '127.0.0.1', port, enableOfflineQueue: false });
        client.on('error', () => undefined);
        await until(() => client.status === 'ready', 10_000);
        return { client, close: () => client.disconnect() };
      },
    ],
    [
      'node-redis',
      async (port) => {
        const client = createClient({ socket: { host: '127.0.0.1', port }, disableOfflineQueue: true });
        client.on('error', () => undefined);
        await client.connect();
        return { client, close: () => client.destroy() };
      },
    ],
  ];

  test.each(cases)('%s: the store subscribes and reports no outage at start', async (_name, connect) => {
    const c = await connect(server.port);
    // A generous deadline: this is about subscribing, and the machine may be busy.
    const store = redisStore({ client: c.client as never, prefix: `${_name}:`, timeoutMs: 5000 });
    try {
      const events: string[] = [];
      store.on('unavailable', () => events.push('unavailable'));
      const member = new TestMember('svc');
      store.attach(member);
      await until(async () => (await cli(server.port, 'pubsub', 'numsub', `${_name}:events`)).endsWith('1'), 5000);
      await until(() => member.adopted.length >= 1);
      expect(events).toEqual([]);
      expect(store.stats()).toMatchObject({ available: true, errors: 0 });
    } finally {
      await store.close();
      c.close();
    }
  });
});
