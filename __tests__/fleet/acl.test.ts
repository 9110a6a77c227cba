// The ACL documented in docs/fleet.md is enough for both clients: the test reads it from the page.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { createBreaker } from '../../src/index.js';
import { redisStore } from '../../src/stores/redis/index.js';
import { type RedisServer, startRedis } from '../redis/server.js';
import { eventually } from './harness.js';

jest.setTimeout(30_000);
let redis: RedisServer;
const page = readFileSync(join(__dirname, '..', '..', 'docs', 'fleet.md'), 'utf8');
const acl = page.match(/^\s*(ACL SETUSER breakers .*)$/m)?.[1] as string;

beforeAll(async () => {
  redis = await startRedis();
  execFileSync('redis-cli', ['-p', String(redis.port), ...acl.split(' ')]);
});
afterAll(() => redis?.stop());

it('docs/fleet.md names an ACL user', () => {
  expect(acl).toMatch(/^ACL SETUSER breakers on >secret ~tripswitch:\* &tripswitch:events /);
});

const clients = {
  ioredis: async () => {
    const client = new Redis({ port: redis.port, host: '127.0.0.1', username: 'breakers', password: 'secret' });
    client.on('error', () => undefined);
    return { client, quit: () => client.quit() };
  },
  'node-redis': async () => {
    const client = createClient({ url: `redis://breakers:secret@127.0.0.1:${redis.port}` });
    client.on('error', () => undefined);
    await client.connect();
    return { client, quit: () => client.close() };
  },
};

for (const [label, connect] of Object.entries(clients)) {
  it(`${label}: a store of a user with only those permissions shares transitions and leases`, async () => {
    const [one, two] = await Promise.all([connect(), connect()]);
    const [s1, s2] = [redisStore({ client: one.client as never }), redisStore({ client: two.client as never })];
    const name = `acl-${label}`;
    const a = createBreaker({ name, store: s1, resetTimeoutMs: 200 });
    const b = createBreaker({ name, store: s2, resetTimeoutMs: 200 });
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      a.open();
      expect(await eventually(() => b.state === 'open')).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 250));
      await expect(b.execute(() => 'probe')).resolves.toBe('probe');
      expect(await eventually(() => a.state === 'closed')).toBe(true);
      expect([s1.stats(), s2.stats()]).toEqual([
        expect.objectContaining({ available: true, errors: 0 }),
        expect.objectContaining({ available: true, errors: 0, leasesGranted: 1 }),
      ]);
    } finally {
      await Promise.all([s1.close(), s2.close()]);
      await Promise.all([one.quit(), two.quit()]);
    }
  });
}
