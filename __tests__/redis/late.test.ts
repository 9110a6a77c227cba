// One late reply while Redis is healthy: the store checks Redis's health instead of calling
// itself unavailable, and stays available (a reply held by a proxy in front of a real Redis).
import { redisStore } from '../../src/stores/redis/index.js';
import { keysOf } from '../../src/stores/redis/protocol.js';
import { KINDS } from './clients.js';
import { TestMember } from './member.js';
import { type RedisProxy, startProxy } from './proxy.js';
import { cli, type RedisServer, sleep, startRedis, until } from './server.js';

jest.setTimeout(30_000);

describe.each(KINDS.slice(0, 2))('one late reply, with $name', (kind) => {
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

  test('does not make the store unavailable: the transition it held back is sent again', async () => {
    // Generous: the health check after the late reply is answered with 500 ms to spare.
    const timeoutMs = 1000;
    const c = await kind.connect(proxy.port);
    const store = redisStore({ client: c.client, prefix: `late-${kind.name.replace(/\W/g, '')}:`, timeoutMs });
    const events: string[] = [];
    store.on('unavailable', () => events.push('unavailable'));
    store.on('available', () => events.push('available'));
    try {
      await store.ready();
      const member = new TestMember('svc');
      const link = store.attach(member);
      await until(() => member.adopted.length > 0, 5000, 'first sync');
      proxy.holdMs = timeoutMs + 500;
      link.publish({ state: 'isolated', retryAfterMs: 0, attempt: 1 });
      await until(() => store.stats().errors === 1, 5000, 'the late reply');
      await sleep(timeoutMs + 1000);
      expect(events).toEqual([]);
      expect(store.stats().available).toBe(true);
      // The transition reached Redis (the late script may have acted, or been refused as LATE and sent again).
      const record = keysOf(`late-${kind.name.replace(/\W/g, '')}:`, 'svc')[0];
      await until(async () => (await cli(server.port, 'hget', record, 'state')) === 'isolated', 5000, 'isolated in Redis');
      await member.next((f) => f.state === 'isolated');
    } finally {
      await store.close();
      await c.close();
    }
  });
});
