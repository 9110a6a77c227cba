import { type RedisStoreEvent, redisStore } from '../../src/stores/redis/index.js';
import { KINDS } from './clients.js';
import { TestMember, trip } from './member.js';
import { type RedisServer, startRedis, until } from './server.js';

jest.setTimeout(60_000);

describe.each(KINDS)('redisStore starting while Redis does not answer, with $name', (kind) => {
  let server: RedisServer;

  beforeEach(async () => {
    server = await startRedis();
  });
  afterEach(async () => {
    server.resume();
    await server.stop();
  });

  test('it is unavailable after the connect deadline, ready() says so, and it becomes available once Redis answers', async () => {
    const c = await kind.connect(server.port);
    server.pause();
    const store = redisStore({ client: c.client, instanceId: 'a', timeoutMs: 100 });
    const events: { type: string; error?: unknown }[] = [];
    store.on('unavailable', (e: RedisStoreEvent) =>
      events.push({ type: 'unavailable', error: (e as { error?: unknown }).error }),
    );
    store.on('available', () => events.push({ type: 'available' }));
    try {
      await expect(store.ready()).rejects.toThrow(/Redis is unavailable/);
      expect(events[0]?.type).toBe('unavailable');
      const errors = events.filter((e) => e.type === 'unavailable').map((e) => String((e.error as Error).message));
      expect(errors).toContain('tripswitch/redis: not connected within 1000 ms');
      server.resume();
      await until(() => events.some((e) => e.type === 'available'), 20_000, 'available');
      await expect(store.ready()).resolves.toBeUndefined();
    } finally {
      server.resume();
      await store.close();
      await c.close();
    }
  });
  test('closed during an outage: close() rejects naming the transition it could not deliver, and still closes', async () => {
    const c = await kind.connect(server.port);
    const store = redisStore({ client: c.client, instanceId: 'a', timeoutMs: 100 });
    try {
      await store.ready();
      const member = new TestMember('payments');
      const link = store.attach(member);
      await until(() => member.adopted.length > 0, 5000, 'first sync');
      await server.kill();
      link.publish(trip(60_000));
      await until(() => !store.stats().available, 10_000, 'unavailable');
      const closing = store.close();
      await expect(closing).rejects.toMatchObject({ names: ['payments'] });
      await expect(closing).rejects.toThrow(/breaker "payments" could not be delivered/);
      // Closed all the same: asked again, the same answer, and nothing waits any more.
      await expect(store.close()).rejects.toMatchObject({ names: ['payments'] });
      await expect(store.ready()).rejects.toThrow('tripswitch/redis: the store is closed');
    } finally {
      await store.close().catch(() => undefined);
      await c.close();
    }
  });
});
