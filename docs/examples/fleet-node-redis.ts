import { createClient } from 'redis';
import { createBreaker } from 'tripswitch';
import { redisStore } from 'tripswitch/redis';

const client = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', disableOfflineQueue: true });
client.on('error', () => {}); // node-redis needs an error listener, or a lost connection throws
await client.connect();
const store = redisStore({ client });
const search = createBreaker({ name: 'search', store, window: { durationMs: 30_000 }, minimumCalls: 20 });
console.log(search.state);
