import { ioredisShim, isIoredis } from './ioredis.js';
import { isNodeRedis, nodeRedisShim } from './node-redis.js';
import type { Shim } from './shim.js';

export type { IoredisClient } from './ioredis.js';
export type { NodeRedisClient } from './node-redis.js';

/** Recognises the client by its shape (neither library is imported) and wraps it. */
export function shimOf(client: unknown): Shim | undefined {
  if (isIoredis(client)) return ioredisShim(client);
  if (isNodeRedis(client)) return nodeRedisShim(client);
  return undefined;
}
