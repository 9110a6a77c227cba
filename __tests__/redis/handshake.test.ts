import { redisStore } from '../../src/stores/redis/index.js';
import { KINDS } from './clients.js';
import { TestMember } from './member.js';
import { type RedisProxy, startProxy } from './proxy.js';
import { type RedisServer, sleep, startRedis, until } from './server.js';

jest.setTimeout(60_000);

/**
 * A connection lost again right after it reconnected, before its client's handshake was
 * answered (as when a server that is going down still accepts a connection): the store's
 * connections come back all the same. node-redis before 5.11 once took such a connection for
 * ready, on a dead socket, and never answered on it again.
 */
describe.each(KINDS)('redisStore when a reconnection is reset during its handshake, with $name', (kind) => {
  let server: RedisServer;
  let proxy: RedisProxy;

  beforeEach(async () => {
    server = await startRedis();
    proxy = await startProxy(server.port);
  });
  afterEach(async () => {
    await proxy.close();
    await server.stop();
  });

  test('the store becomes available again and answers', async () => {
    const c = await kind.connect(proxy.port);
    const store = redisStore({ client: c.client, instanceId: 'a', timeoutMs: 500 });
    const events: string[] = [];
    store.on('unavailable', () => events.push('unavailable'));
    store.on('available', () => events.push('available'));
    try {
      const member = new TestMember('svc');
      const link = store.attach(member);
      await until(() => member.adopted.length > 0 && store.stats().available, 10_000, 'first sync');
      // A start outlasting the deadline on a busy machine reports an outage: count from the drop.
      const before = events.length;

      proxy.refusing = true;
      proxy.drop();
      await until(() => events.slice(before).includes('unavailable'), 10_000, 'unavailable');
      // Every reconnection for a while is reset as soon as it sends its first bytes.
      await until(() => proxy.resets >= 3, 10_000, 'reconnections reset');
      await sleep(300);
      proxy.refusing = false;

      await until(() => events.slice(before).at(-1) === 'available', 20_000, 'available');
      // Redis answers: a transition goes through and comes back with the fleet's record.
      link.publish({ state: 'open', reason: 'manual', retryAfterMs: 60_000, attempt: 1 });
      await member.next((fleet) => fleet.state === 'open', 10_000);
      expect(store.stats().available).toBe(true);
    } finally {
      await store.close();
      await c.close();
    }
  });
});
