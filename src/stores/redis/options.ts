import { knownKeys } from '../../options.js';
import { type IoredisClient, type NodeRedisClient, shimOf } from './client.js';
import type { Shim } from './shim.js';

/**
 * Options of {@link redisStore}.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { redisStore, type RedisStoreOptions } from 'tripswitch/redis';
 *
 * const options: RedisStoreOptions = { client: new Redis(), prefix: 'shop:', quorum: 2 };
 * const store = redisStore(options);
 * ```
 */
export interface RedisStoreOptions {
  /**
   * An ioredis `Redis` or `Cluster` (v5, v6; iovalkey too), or a node-redis client or cluster
   * (`redis` v5, v6). The store opens its own subscriber from it with `duplicate()` and never
   * changes its settings. The store's connections open once `client` is connected (a client
   * created with `lazyConnect` is not connected by the store), and close when it ends.
   */
  readonly client: IoredisClient | NodeRedisClient;
  /**
   * Namespace of every key and of the channel: stores with different prefixes never see each other.
   * @default 'tripswitch:'
   */
  readonly prefix?: string | undefined;
  /**
   * How many distinct processes must trip, within one open period, before the fleet opens.
   * @default 1
   */
  readonly quorum?: number | undefined;
  /**
   * The longest any store operation is waited for, in milliseconds.
   * @default 250
   */
  readonly timeoutMs?: number | undefined;
  /**
   * This process's id in votes, leases and events: 1 to 256 characters, one per process. Give
   * one that survives a restart (a pod name, with the worker's number if a pod runs several
   * processes): a process restarted under the same id replaces its vote instead of adding one.
   * @default a random UUID (each start counts as a new process toward quorum)
   */
  readonly instanceId?: string | undefined;
  /**
   * How failures are counted: `'fleet'`, across the fleet as if one breaker saw every call
   * (no call waits for it; a healthy fleet sends nothing); `'local'`, each process counts its
   * own calls and only transitions are shared.
   * @default 'fleet'
   */
  readonly counting?: 'fleet' | 'local' | undefined;
}

const OPTION_NAMES = ['client', 'prefix', 'quorum', 'timeoutMs', 'instanceId', 'counting'];

/** The options after defaults and validation. */
export interface ResolvedRedisStoreOptions {
  readonly shim: Shim;
  readonly prefix: string;
  readonly quorum: number;
  readonly timeoutMs: number;
  readonly instanceId: string;
  readonly counting: 'fleet' | 'local';
}

const show = (value: unknown): string => {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  return typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value;
};

const randomId = (): string => globalThis.crypto.randomUUID();

/** Checks the options and fills in the defaults; throws a TypeError or RangeError naming the option. */
export function resolveOptions(options: RedisStoreOptions): ResolvedRedisStoreOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`redisStore options must be an object, got ${show(options)}`);
  }
  if (shimOf(options as never) !== undefined) {
    throw new TypeError(`redisStore takes an options object: pass { client }, got the client itself`);
  }
  knownKeys('options', options as unknown as Record<string, unknown>, OPTION_NAMES);
  const shim = shimOf(options.client);
  if (shim === undefined) {
    throw new TypeError(
      `client must be an ioredis Redis or Cluster, or a node-redis client or cluster, got ${show(options.client)}`,
    );
  }
  const { prefix = 'tripswitch:', quorum = 1, timeoutMs = 250, instanceId = randomId() } = options;
  if (typeof prefix !== 'string') throw new TypeError(`prefix must be a string, got ${show(prefix)}`);
  if (/[{}]/.test(prefix) || prefix.length > 256) {
    throw new RangeError(`prefix must be at most 256 characters without { or }, got ${show(prefix)}`);
  }
  if (typeof quorum !== 'number') throw new TypeError(`quorum must be a number, got ${show(quorum)}`);
  if (!Number.isInteger(quorum) || quorum < 1 || quorum > 10_000) {
    throw new RangeError(`quorum must be an integer in [1, 10000], got ${show(quorum)}`);
  }
  if (typeof timeoutMs !== 'number') throw new TypeError(`timeoutMs must be a number, got ${show(timeoutMs)}`);
  if (!(timeoutMs >= 1 && timeoutMs <= 2_147_483_647)) {
    throw new RangeError(`timeoutMs must be in [1, 2147483647], got ${show(timeoutMs)}`);
  }
  if (typeof instanceId !== 'string') throw new TypeError(`instanceId must be a string, got ${show(instanceId)}`);
  if (instanceId.length < 1 || instanceId.length > 256) {
    throw new RangeError(`instanceId must have 1 to 256 characters, got ${show(instanceId)}`);
  }
  const { counting = 'fleet' } = options as { counting?: unknown };
  if (counting !== 'local' && counting !== 'fleet') {
    throw new RangeError(`counting must be 'fleet' or 'local', got ${show(counting)}`);
  }
  return { shim, prefix, quorum, timeoutMs, instanceId, counting };
}
