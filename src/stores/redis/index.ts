export type { IoredisClient, NodeRedisClient } from './client.js';
export type { RedisStoreOptions } from './options.js';
export { redisStore } from './redis-store.js';
export type { RedisStore, RedisStoreEvent } from './types.js';
