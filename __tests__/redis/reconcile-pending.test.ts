// A transition made while the store reconciles a breaker after an outage: the reply to the
// transition being reconciled is held by a proxy in front of a real Redis, the breaker moves on
// meanwhile, and the newer state is what the breaker and the fleet end up with.
import { createBreaker } from '../../src/index.js';
import { redisStore } from '../../src/stores/redis/index.js';
import { keysOf } from '../../src/stores/redis/protocol.js';
import { KINDS } from './clients.js';
import { type RedisProxy, startProxy } from './proxy.js';
import { cli, type RedisServer, sleep, startRedis, until } from './server.js';

jest.setTimeout(60_000);

describe.each(KINDS.slice(0, 2))('a transition made while the store reconciles, with $name', (kind) => {
  let server: RedisServer;
  let proxy: RedisProxy;
  beforeAll(async () => {
    server = await startRedis();
    proxy = await startProxy(server.port);
  });
  afterAll(async () => {
    await proxy.close();
    await server.stop();
  });

  test('is sent once Redis answers, and wins over the one being reconciled', async () => {
    const prefix = `rp-${kind.name.replace(/\W/g, '')}:`;
    const record = keysOf(prefix, 'dep')[0];
    const c = await kind.connect(proxy.port);
    const store = redisStore({ client: c.client, prefix, timeoutMs: 10_000 });
    const events: string[] = [];
    store.on('unavailable', () => events.push('unavailable'));
    store.on('available', () => events.push('available'));
    let holding = true;
    try {
      const breaker = createBreaker({ name: 'dep', store });
      await store.ready();
      proxy.refusing = true;
      proxy.drop();
      await until(() => events.includes('unavailable'), 10_000, 'unavailable');
      breaker.open();
      // Every reply is held from now on: once Redis has the opening, its answer is still on its way.
      const hold = (async () => {
        while (holding) {
          proxy.holdMs = 1500;
          await sleep(5);
        }
        proxy.holdMs = 0;
      })();
      proxy.refusing = false;
      await until(async () => (await cli(server.port, 'hget', record, 'state')) === 'open', 30_000, 'the opening in Redis');
      expect(store.stats().available).toBe(false);
      breaker.close();
      holding = false;
      await hold;
      await until(() => events.at(-1) === 'available', 30_000, 'available');
      await store.flush();
      expect(breaker.state).toBe('closed');
      expect(await cli(server.port, 'hget', record, 'state')).toBe('closed');
      expect(store.stats().published).toBe(2);
    } finally {
      holding = false;
      await store.close();
      await c.close();
    }
  });
});
