export type { RedisStoreOptions } from './options.js';
export type { RedisStore, RedisStoreEvent } from './redis-store.js';
export { redisStore } from './redis-store.js';
