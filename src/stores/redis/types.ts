import type { BreakerStore, StoreStats } from '../../store.js';

/**
 * The payload of a store's `available` and `unavailable` events.
 *
 * @example
 * ```ts
 * import type { RedisStoreEvent } from 'tripswitch/redis';
 *
 * const log = (e: RedisStoreEvent) => console.warn('store down', e.error);
 * ```
 */
export interface RedisStoreEvent {
  /** `unavailable`: the error or timeout that made the store fail. */
  readonly error?: unknown;
}

/**
 * A {@link BreakerStore} on Redis, returned by {@link redisStore}.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { redisStore } from 'tripswitch/redis';
 *
 * const store = redisStore({ client: new Redis() });
 * const off = store.on('unavailable', ({ error }) => console.warn('breakers deciding alone', error));
 * await store.ready();
 * console.log(store.stats().available);
 * off();
 * await store.close();
 * ```
 */
export interface RedisStore extends BreakerStore {
  /**
   * `unavailable`: emitted once when the store starts failing (breakers then decide alone);
   * `available`: once it has resynchronized. Returns a function that removes the handler.
   * A handler that throws is ignored.
   */
  on(type: 'available' | 'unavailable', handler: (event: RedisStoreEvent) => void): () => void;
  /** Health and counters. `available` is false until the store has first synchronized, and after `close()`. */
  stats(): StoreStats;
  /**
   * Resolves once the store has connected and loaded the fleet's states that are not closed,
   * so that every breaker created from then on takes up its fleet's state before its first
   * call. Rejects when Redis is unavailable (at once, or when connecting fails or takes
   * longer than `max(1000, 4 * timeoutMs)`) and when the store is closed; breakers then decide
   * alone, and the store goes on trying. Waits for a client created with `lazyConnect` (or a
   * node-redis client) until the user connects it.
   */
  ready(): Promise<void>;
  /**
   * Waits until every transition made here has been delivered to Redis. Rejects naming the
   * breakers whose latest transition could not be delivered (Redis unavailable); the store
   * keeps them and delivers them when Redis is back.
   */
  flush(): Promise<void>;
  /**
   * Delivers what is pending (within `timeoutMs` per command), withdraws this instance's
   * votes and the probe leases its breakers hold, then unsubscribes, releases the store's
   * connections and stops every timer; the user's client stays open. Rejects,
   * after releasing everything, naming the breakers whose latest transition could not be
   * delivered. Called by itself when the user's client ends.
   */
  close(): Promise<void>;
}
