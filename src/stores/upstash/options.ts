import { knownKeys } from '../../options.js';

/**
 * What the store needs of an `@upstash/redis` client (`Redis` from `@upstash/redis`,
 * `@upstash/redis/cloudflare` or `@upstash/redis/fastly`): its `eval` and `evalsha`. The store
 * sends its scripts through the client's own HTTP requester when it has one (so that the
 * script's replies are read as Redis sent them), else through `evalsha` and `eval`.
 *
 * @example
 * ```ts
 * import { Redis } from '@upstash/redis';
 * import type { UpstashClient } from 'tripswitch/upstash';
 *
 * const client: UpstashClient = new Redis({ url: 'https://example.test', token: 'token' });
 * ```
 */
export interface UpstashClient {
  /** Runs a script from its source (`EVAL`). */
  eval(...args: never[]): Promise<unknown>;
  /** Runs a loaded script by its SHA-1 (`EVALSHA`). */
  evalsha(...args: never[]): Promise<unknown>;
}

/**
 * Options of {@link upstashStore}.
 *
 * @example
 * ```ts
 * import { Redis } from '@upstash/redis';
 * import { upstashStore, type UpstashStoreOptions } from 'tripswitch/upstash';
 *
 * const options: UpstashStoreOptions = { client: Redis.fromEnv(), refreshMs: 2000 };
 * const store = upstashStore(options);
 * ```
 */
export interface UpstashStoreOptions {
  /** An `@upstash/redis` client (`new Redis({ url, token })`, `Redis.fromEnv()`). Required. */
  readonly client: UpstashClient;
  /**
   * Namespace of every key: the same prefix as a `redisStore` on the same Redis makes one fleet.
   * @default 'tripswitch:'
   */
  readonly prefix?: string | undefined;
  /**
   * How stale this instance's view of a breaker may get while the breaker is called: a called
   * breaker reads the fleet's state at most once per `refreshMs`, in the background; an idle
   * one sends nothing. Fleet counts are sent at most once per `refreshMs` per breaker.
   * @default 1000
   */
  readonly refreshMs?: number | undefined;
  /**
   * The longest any request is waited for, in milliseconds (a would-be probe waits this long
   * at most for its lease).
   * @default 1000
   */
  readonly timeoutMs?: number | undefined;
  /**
   * How many distinct instances must trip, within one open period, before the fleet opens.
   * @default 1
   */
  readonly quorum?: number | undefined;
  /**
   * This instance's id in votes, leases and events.
   * @default a random UUID
   */
  readonly instanceId?: string | undefined;
  /**
   * `'fleet'`: failures are counted across the fleet too (sent at most once per `refreshMs`);
   * `'local'`: each instance counts its own, only transitions are shared.
   * @default 'fleet'
   */
  readonly counting?: 'fleet' | 'local' | undefined;
  /**
   * Keeps the store's background requests alive past the response: `waitUntil` from
   * `cloudflare:workers` or `@vercel/functions`. Handed every background request's promise
   * (which never rejects).
   */
  readonly waitUntil?: ((promise: Promise<unknown>) => void) | undefined;
}

/** The options after defaults and validation. */
export interface ResolvedUpstashOptions {
  readonly client: UpstashClient;
  readonly prefix: string;
  readonly refreshMs: number;
  readonly timeoutMs: number;
  readonly quorum: number;
  readonly instanceId: string;
  readonly counting: 'fleet' | 'local';
  readonly waitUntil: ((promise: Promise<unknown>) => void) | undefined;
}

const OPTION_NAMES = ['client', 'prefix', 'refreshMs', 'timeoutMs', 'quorum', 'instanceId', 'counting', 'waitUntil'];
const MAX_MS = 2_147_483_647;

const show = (value: unknown): string => {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  return typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value;
};

function duration(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number, got ${show(value)}`);
  if (!(value >= min && value <= MAX_MS)) throw new RangeError(`${name} must be in [${min}, ${MAX_MS}], got ${show(value)}`);
  return value;
}

/** Checks the options and fills in the defaults; throws a TypeError or RangeError naming the option. */
export function resolveOptions(options: UpstashStoreOptions): ResolvedUpstashOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`upstashStore options must be an object, got ${show(options)}`);
  }
  knownKeys('options', options as unknown as Record<string, unknown>, OPTION_NAMES);
  const client = options.client as unknown as Partial<UpstashClient> | undefined;
  if (typeof client !== 'object' || client === null) {
    throw new TypeError(`client is required: an @upstash/redis client (new Redis({ url, token })), got ${show(client)}`);
  }
  if (typeof client.eval !== 'function' || typeof client.evalsha !== 'function') {
    throw new TypeError(`client must be an @upstash/redis client with eval and evalsha, got ${show(client)}`);
  }
  const { prefix = 'tripswitch:', quorum = 1, instanceId = globalThis.crypto.randomUUID(), waitUntil } = options;
  if (typeof prefix !== 'string') throw new TypeError(`prefix must be a string, got ${show(prefix)}`);
  if (/[{}]/.test(prefix) || prefix.length > 256) {
    throw new RangeError(`prefix must be at most 256 characters without { or }, got ${show(prefix)}`);
  }
  const refreshMs = duration('refreshMs', options.refreshMs ?? 1000, 10);
  const timeoutMs = duration('timeoutMs', options.timeoutMs ?? 1000, 1);
  if (typeof quorum !== 'number') throw new TypeError(`quorum must be a number, got ${show(quorum)}`);
  if (!Number.isInteger(quorum) || quorum < 1 || quorum > 10_000) {
    throw new RangeError(`quorum must be an integer in [1, 10000], got ${show(quorum)}`);
  }
  if (typeof instanceId !== 'string') throw new TypeError(`instanceId must be a string, got ${show(instanceId)}`);
  if (instanceId.length < 1 || instanceId.length > 256) {
    throw new RangeError(`instanceId must have 1 to 256 characters, got ${show(instanceId)}`);
  }
  const { counting = 'fleet' } = options as { counting?: unknown };
  if (counting !== 'local' && counting !== 'fleet') {
    throw new RangeError(`counting must be 'fleet' or 'local', got ${show(counting)}`);
  }
  if (waitUntil !== undefined && typeof waitUntil !== 'function') {
    throw new TypeError(`waitUntil must be a function, got ${show(waitUntil)}`);
  }
  return { client: client as UpstashClient, prefix, refreshMs, timeoutMs, quorum, instanceId, counting, waitUntil };
}
