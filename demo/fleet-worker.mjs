// One client process of `npm run demo:fleet`: calls the upstream through a breaker whose state
// is shared with the other processes of its fleet through Redis, counting failures as its fleet
// does (COUNTING: 'fleet' or 'local'), and reports to the parent.
import { Redis } from 'ioredis';
import { createBreaker } from '../dist/index.js';
import { redisStore } from '../dist/stores/redis/index.js';

const { REDIS_URL, UPSTREAM_URL, WORKER, SPEED, COUNTING } = process.env;
const speed = Number(SPEED);
const client = new Redis(REDIS_URL);
client.on('error', () => {}); // the application's own client: its errors are ours to handle
const store = redisStore({ client, instanceId: `worker ${WORKER}`, prefix: `demo-${COUNTING}:`, counting: COUNTING });
const breaker = createBreaker({ name: 'upstream', store, failureThreshold: 3, resetTimeoutMs: 1500 / speed, timeoutMs: 1000 });
breaker.on('stateChange', ({ from, to, remote, instance }) =>
  process.send({ type: 'state', from, to, remote: remote === true, instance }),
);

let running = true;
process.on('message', async (message) => {
  if (message !== 'stop') return;
  running = false;
});

while (running) {
  const state = breaker.state;
  let outcome;
  try {
    await breaker.execute(async ({ signal }) => {
      const response = await fetch(UPSTREAM_URL, { signal });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`status ${response.status}`);
    });
    outcome = 'ok';
  } catch (error) {
    outcome = error.code === 'ERR_CIRCUIT_OPEN' ? 'rejected' : 'failed';
  }
  process.send({ type: 'call', outcome, state });
  await new Promise((resolve) => setTimeout(resolve, 100 / speed));
}
await store.close();
await client.quit();
process.send({ type: 'done' });
process.disconnect();
