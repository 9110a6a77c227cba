import { systemClock } from '../../src/index.js';
import { type RedisStore, redisStore } from '../../src/stores/redis/index.js';
import { type FleetFactory, fleetBehaviour } from '../store/behaviour.js';
import { fleetCounting } from '../store/counting.js';
import { KINDS, type TestClient } from './clients.js';
import { cli, type RedisServer, sleep, startRedis } from './server.js';

jest.setTimeout(30_000);

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server.stop();
});

const PROCESSES = 4;
let fleets = 0;

// Each breaker a test makes is a process of its own: its own store and client (round robin
// over four), all on one real Redis. Time is real: a unit of 100 ms.
for (const kind of KINDS.slice(0, 2)) {
  const redisFleet: FleetFactory = async ({ quorum, counting }) => {
    const prefix = `fleet${++fleets}:`;
    const clients: TestClient[] = [];
    const stores: RedisStore[] = [];
    for (let i = 0; i < PROCESSES; i++) {
      const c = await kind.connect(server.port);
      clients.push(c);
      stores.push(redisStore({ client: c.client, prefix, quorum, counting, instanceId: `p${i}`, timeoutMs: 1000 }));
    }
    for (let i = 0; ; i++) {
      if ((await cli(server.port, 'pubsub', 'numsub', `${prefix}events`)).endsWith(String(PROCESSES))) break;
      if (i > 500) throw new Error('the stores did not subscribe');
      await sleep(10);
    }
    let next = 0;
    return {
      member: () => stores[next++ % PROCESSES],
      clock: systemClock,
      unit: 100,
      advance: (ms) => sleep(ms),
      async settle(done) {
        if (done === undefined) return sleep(100);
        const deadline = Date.now() + 5000;
        while (!done() && Date.now() < deadline) await sleep(5);
      },
      async close() {
        for (const store of stores) await store.close();
        for (const c of clients) await c.close();
      },
    };
  };
  fleetBehaviour(`redisStore with ${kind.name}`, redisFleet);
  fleetCounting(`redisStore with ${kind.name}`, redisFleet);
}
