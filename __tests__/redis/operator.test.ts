// What an operator does to a fleet's Redis, with each client's default offline behaviour:
// pause it, kill it and start it again, shut a process down while it is down, start a process
// in the middle of an outage, give two apps one Redis, connect a client lazily.
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { type Breaker, createBreaker } from '../../src/index.js';
import { type RedisStore, type RedisStoreOptions, redisStore } from '../../src/stores/redis/index.js';
import { keysOf } from '../../src/stores/redis/protocol.js';
import { boom } from '../helpers.js';
import { KINDS } from './clients.js';
import { cli, type RedisServer, sleep, startRedis, until } from './server.js';

jest.setTimeout(60_000);

let server: RedisServer;
const cleanup: (() => Promise<unknown> | unknown)[] = [];
beforeEach(async () => {
  server = await startRedis();
});
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
  await server.stop();
});

/** A raw client of each library with its defaults (offline queue on), closed after the test. */
const ioredis = (options: object = {}): Redis => {
  const client = new Redis({ host: '127.0.0.1', port: server.port, ...options });
  client.on('error', () => undefined);
  cleanup.push(() => client.disconnect());
  return client;
};
const nodeRedis = (options: object = {}) => {
  const client = createClient({ socket: { host: '127.0.0.1', port: server.port }, ...options });
  client.on('error', () => undefined);
  cleanup.push(() => {
    try {
      client.destroy();
    } catch {
      // already closed
    }
  });
  return client;
};

const storeOf = (client: RedisStoreOptions['client'], options: object = {}): RedisStore => {
  const store = redisStore({ client, ...options });
  cleanup.push(() => store.close().catch(() => undefined));
  return store;
};
const trip = (b: Breaker) => b.execute(() => Promise.reject(boom)).catch(() => undefined);
const recordState = (name: string, prefix = 'tripswitch:') => cli(server.port, 'hget', keysOf(prefix, name)[0], 'state');

describe.each(KINDS.slice(0, 2))('with $name and its default offline queue', (kind) => {
  const connect = async (options: object = {}) => {
    const c = await kind.connect(server.port);
    cleanup.push(() => c.close());
    const store = redisStore({ client: c.client, ...options });
    cleanup.push(() => store.close().catch(() => undefined));
    return store;
  };
  const pair = async () => {
    const [a, b] = [await connect({ timeoutMs: 100 }), await connect({ timeoutMs: 100 })];
    await Promise.all([a.ready(), b.ready()]);
    const options = { name: 'svc', failureThreshold: 1, resetTimeoutMs: 300 };
    const A = createBreaker({ ...options, store: a });
    const B = createBreaker({ ...options, store: b });
    const opened: string[] = [];
    A.on('open', () => opened.push('A'));
    B.on('open', () => opened.push('B'));
    await Promise.all([a.flush(), b.flush()]);
    return { a, b, A, B, opened };
  };

  /** A trips while Redis cannot answer, and recovers on its own before Redis runs the trip. */
  const tripAndRecover = async (A: Breaker) => {
    await trip(A);
    expect(A.state).toBe('open');
    await sleep(350);
    await expect(A.execute(async () => 'probe')).resolves.toBe('probe');
    expect(A.state).toBe('closed');
  };

  test('Redis paused: a trip that is over when Redis runs it never opens the fleet', async () => {
    const { a, b, A, B, opened } = await pair();
    server.pause();
    await tripAndRecover(A);
    server.resume();
    await until(() => a.stats().available && b.stats().available, 10_000, 'available again');
    // Time for the old command to run and its message to arrive, had it acted.
    await sleep(500);
    expect([A.state, B.state]).toEqual(['closed', 'closed']);
    expect(opened).toEqual(['A']);
    expect(await recordState('svc')).not.toBe('open');
  });

  test('Redis killed and started again: a trip sent as it died is not replayed', async () => {
    const { a, b, A, B, opened } = await pair();
    await server.kill();
    await tripAndRecover(A);
    await server.start();
    await until(() => a.stats().available && b.stats().available, 15_000, 'available again');
    await sleep(500);
    expect([A.state, B.state]).toEqual(['closed', 'closed']);
    expect(opened).toEqual(['A']);
    expect(await recordState('svc')).not.toBe('open');
  });

  test('a process started after isolate() elsewhere rejects its first call once ready()', async () => {
    const first = await connect();
    await first.ready();
    createBreaker({ name: 'acme', store: first }).isolate();
    await first.flush();
    const started = await connect();
    await started.ready();
    const acme = createBreaker({ name: 'acme', store: started });
    let ran = 0;
    await expect(acme.execute(async () => ran++)).rejects.toMatchObject({ state: 'isolated' });
    expect(ran).toBe(0);
  });
});

describe.each([
  ['ioredis', () => ioredis({ retryStrategy: (n: number) => Math.min(n * 50, 500) })],
  [
    'node-redis',
    () => {
      const client = nodeRedis({ socket: { host: '127.0.0.1', port: server.port, reconnectStrategy: 100 } });
      client.connect().catch(() => undefined);
      return client;
    },
  ],
] as const)('%s: a process started in the middle of an outage', (_name, client) => {
  test('decides alone, says so in ready() and flush(), then shares what it did', async () => {
    await server.kill();
    const store = storeOf(client(), { timeoutMs: 100 });
    const started = Date.now();
    await expect(store.ready()).rejects.toThrow('tripswitch/redis: Redis is unavailable');
    expect(Date.now() - started).toBeLessThan(3000);
    // Asked again while Redis is down: at once.
    await expect(store.ready()).rejects.toThrow('tripswitch/redis: Redis is unavailable');
    const payments = createBreaker({ name: 'payments', store });
    payments.isolate();
    await expect(payments.execute(async () => 'x')).rejects.toMatchObject({ state: 'isolated' });
    await expect(store.flush()).rejects.toMatchObject({ names: ['payments'] });
    await server.start();
    await until(() => store.stats().available, 15_000, 'available');
    await until(async () => (await recordState('payments')) === 'isolated', 5000, 'the isolation shared');
    await expect(store.flush()).resolves.toBeUndefined();
  });
});

describe('two apps on one Redis never hear each other', () => {
  const apps = async (clients: RedisStoreOptions['client'][]) => {
    const stores = clients.map((client) => storeOf(client));
    await Promise.all(stores.map((s) => s.ready()));
    const breakers = stores.map((store) => createBreaker({ name: 'svc', store }));
    return { stores, breakers };
  };
  /** shop1 isolates: shop2 (the same app) follows, billing (another app) does not. */
  const check = async (shop1: Breaker, shop2: Breaker, billing: Breaker) => {
    shop1.isolate();
    await until(() => shop2.state === 'isolated', 5000, 'the same app follows');
    await sleep(300);
    expect(billing.state).toBe('closed');
  };

  test('ioredis keyPrefix: the channel takes the prefix as the keys do', async () => {
    const { breakers } = await apps([
      ioredis({ keyPrefix: 'shop:' }),
      ioredis({ keyPrefix: 'shop:' }),
      ioredis({ keyPrefix: 'billing:' }),
    ]);
    await check(breakers[0], breakers[1], breakers[2]);
    expect(await recordState('svc', 'shop:tripswitch:')).toBe('isolated');
    expect(await cli(server.port, 'pubsub', 'numsub', 'shop:tripswitch:events')).toMatch(/2$/);
    expect(await cli(server.port, 'pubsub', 'numsub', 'billing:tripswitch:events')).toMatch(/1$/);
  });

  test('node-redis keyPrefix: the channel takes the prefix as the keys do', async () => {
    const clients = [nodeRedis({ keyPrefix: 'shop:' }), nodeRedis({ keyPrefix: 'shop:' }), nodeRedis({ keyPrefix: 'billing:' })];
    await Promise.all(clients.map((c) => c.connect()));
    const { breakers } = await apps(clients);
    await check(breakers[0], breakers[1], breakers[2]);
    expect(await recordState('svc', 'shop:tripswitch:')).toBe('isolated');
    expect(await cli(server.port, 'pubsub', 'numsub', 'shop:tripswitch:events')).toMatch(/2$/);
  });

  test('ioredis databases', async () => {
    const { breakers } = await apps([ioredis({ db: 1 }), ioredis({ db: 1 }), ioredis({ db: 2 })]);
    await check(breakers[0], breakers[1], breakers[2]);
    expect(await cli(server.port, 'pubsub', 'numsub', 'tripswitch:events:db1')).toMatch(/2$/);
  });

  test('node-redis databases', async () => {
    const clients = [nodeRedis({ database: 1 }), nodeRedis({ database: 1 }), nodeRedis({ database: 2 })];
    await Promise.all(clients.map((c) => c.connect()));
    const { breakers } = await apps(clients);
    await check(breakers[0], breakers[1], breakers[2]);
  });
});

describe('clients the user connects later', () => {
  test('ioredis lazyConnect: the store waits for the user to connect, and connecting does not throw', async () => {
    const client = ioredis({ lazyConnect: true });
    const store = storeOf(client);
    const events: string[] = [];
    store.on('unavailable', () => events.push('unavailable'));
    const lazy = createBreaker({ name: 'lazy', store });
    await sleep(300);
    expect(client.status).toBe('wait');
    await client.connect();
    await store.ready();
    const other = storeOf(ioredis());
    await other.ready();
    createBreaker({ name: 'lazy', store: other }).isolate();
    await until(() => lazy.state === 'isolated', 5000, 'the lazy process follows');
    expect(events).toEqual([]);
    expect(store.stats()).toMatchObject({ available: true, errors: 0 });
  });

  test('node-redis connected after the store is made: no outage reported, no error counted', async () => {
    const client = nodeRedis();
    const store = storeOf(client);
    const events: string[] = [];
    store.on('unavailable', () => events.push('unavailable'));
    await sleep(300);
    await client.connect();
    await store.ready();
    expect(events).toEqual([]);
    expect(store.stats()).toMatchObject({ available: true, errors: 0 });
  });

  test('ioredis without an offline queue: no outage reported at start', async () => {
    const client = ioredis({ enableOfflineQueue: false });
    await until(() => client.status === 'ready', 5000);
    const store = storeOf(client);
    const events: string[] = [];
    store.on('unavailable', () => events.push('unavailable'));
    await store.ready();
    expect(events).toEqual([]);
    expect(store.stats()).toMatchObject({ available: true, errors: 0 });
  });
});

test('names longer than messages carry are shared through their digest', async () => {
  const [a, b] = [storeOf(ioredis()), storeOf(ioredis())];
  await Promise.all([a.ready(), b.ready()]);
  const name = `tenant-${'x'.repeat(20_000)}`;
  const [x, y] = [createBreaker({ name, store: a }), createBreaker({ name, store: b })];
  await Promise.all([a.flush(), b.flush()]);
  x.isolate();
  await until(() => y.state === 'isolated', 5000, 'the long name shared');
  expect(a.stats().ignored + b.stats().ignored).toBe(0);
});
