import { Redis } from 'ioredis';
import { createBreaker } from 'tripswitch';
import { redisStore } from 'tripswitch/redis';

const store = redisStore({ client: new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379') }); // ioredis or node-redis
await store.ready().catch(() => {}); // the fleet's states known before serving (or Redis down: decide alone)
const payments = createBreaker({ name: 'payments', store }); // one breaker for every process
payments.on('open', ({ remote, instance }) => console.log(remote ? `opened by ${instance}` : 'opened here'));
