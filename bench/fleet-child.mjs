// One process of the benchmark fleet (bench/fleet.mjs): breakers on a shared Redis store,
// driven over IPC. Every transition is reported with the time it was seen here.
import { Redis } from 'ioredis';
import { createBreaker } from '../dist/index.js';
import { redisStore } from '../dist/stores/redis/index.js';

const client = new Redis(process.env.REDIS_URL);
const store = redisStore({ client, prefix: 'bench:', counting: 'local' });
// The detection scenarios: the same breakers counting locally, across the fleet, or with no store.
const stores = {
  local: redisStore({ client, prefix: 'bench-local:', counting: 'local' }),
  fleet: redisStore({ client, prefix: 'bench-fleet:', counting: 'fleet' }),
  none: undefined,
};
const breakers = new Map();
const now = () => performance.timeOrigin + performance.now();
const send = (message) => process.send(message);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const call = (breaker, url) =>
  breaker.execute(async ({ signal }) => {
    const response = await fetch(url, { signal });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`status ${response.status}`);
  });

process.on('message', async ({ id, cmd, name, options, url, forMs, everyMs = 2, counting }) => {
  const reply = (body = {}) => send({ type: 'reply', id, ...body });
  if (cmd === 'make') {
    const breaker = createBreaker({ ...options, name, store: counting === undefined ? store : stores[counting] });
    breaker.on('stateChange', ({ to, remote }) => send({ type: 'event', name, to, remote: remote === true, at: now() }));
    breakers.set(name, breaker);
    return reply();
  }
  const breaker = breakers.get(name);
  if (cmd === 'trip') {
    await breaker.execute(() => Promise.reject(new Error('down'))).catch(() => {});
    return reply();
  }
  if (cmd === 'close') {
    breaker.close();
    return reply();
  }
  if (cmd === 'hammer') {
    const end = Date.now() + forMs;
    let ran = 0;
    // Processes start out of step, as a fleet's do.
    await sleep(Math.random() * everyMs);
    while (Date.now() < end) {
      await call(breaker, url)
        .then(() => ran++)
        .catch((error) => {
          if (error?.code !== 'ERR_CIRCUIT_OPEN') ran++;
        });
      await sleep(everyMs);
    }
    return reply({ ran });
  }
  if (cmd === 'exit') {
    const stats = store.stats();
    await store.close();
    await stores.local.close();
    await stores.fleet.close();
    await client.quit();
    reply({ stats });
    process.disconnect();
  }
});
send({ type: 'ready' });
