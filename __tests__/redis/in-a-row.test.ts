import { createBreaker } from '../../src/index.js';
import { redisStore } from '../../src/stores/redis/index.js';
import { KINDS } from './clients.js';
import { type RedisServer, sleep, startRedis, until } from './server.js';

jest.setTimeout(30_000);

describe.each(KINDS.slice(0, 2))('transitions made in a row, with $name', (kind) => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(() => server.stop());

  test('the answer to the first does not undo the second, nor is either shared again', async () => {
    const c = await kind.connect(server.port);
    const store = redisStore({ client: c.client, instanceId: 'a', timeoutMs: 2000 });
    try {
      await store.ready();
      const [a, b] = [createBreaker({ name: 'dep', store }), createBreaker({ name: 'dep', store })];
      await store.flush();
      a.open();
      a.close();
      await until(() => store.stats().published >= 2, 5000, 'both shared');
      await sleep(300);
      const published = store.stats().published;
      if (published > 2) for (const breaker of [a, b]) breaker.dispose(); // ends the echoes
      expect(published).toBe(2);
      expect([a.state, b.state]).toEqual(['closed', 'closed']);
    } finally {
      await store.close();
      await c.close();
    }
  });
});
