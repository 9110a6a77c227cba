// One process of the benchmark fleet (bench/fleet.mjs): breakers on a shared Redis store,
// driven over IPC. Every transition is reported with the time it was seen here.
import { Redis } from 'ioredis';
import { createBreaker } from '../dist/index.js';
import { redisStore } from '../dist/stores/redis/index.js';

const client = new Redis(process.env.REDIS_URL);
const store = redisStore({ client, prefix: 'bench:' });
const breakers = new Map();
const now = () => performance.timeOrigin + performance.now();
const send = (message) => process.send(message);

process.on('message', async ({ id, cmd, name, options, url, forMs }) => {
  const reply = (body = {}) => send({ type: 'reply', id, ...body });
  if (cmd === 'make') {
    const breaker = createBreaker({ ...options, name, store });
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
    while (Date.now() < end) {
      await breaker
        .execute(async ({ signal }) => {
          ran++;
          const response = await fetch(url, { signal });
          await response.arrayBuffer();
          if (!response.ok) throw new Error(`status ${response.status}`);
        })
        .catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    return reply({ ran });
  }
  if (cmd === 'exit') {
    const stats = store.stats();
    await store.close();
    await client.quit();
    reply({ stats });
    process.disconnect();
  }
});
send({ type: 'ready' });
