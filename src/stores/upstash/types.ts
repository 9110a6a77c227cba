import type { BreakerStore, StoreStats } from '../../store.js';

/**
 * The payload of an upstash store's `available` and `unavailable` events.
 *
 * @example
 * ```ts
 * import type { UpstashStoreEvent } from 'tripswitch/upstash';
 *
 * const log = (e: UpstashStoreEvent) => console.warn('store down', e.error);
 * ```
 */
export interface UpstashStoreEvent {
  /** `unavailable`: the endpoint's or the network's error, without the token or the command. */
  readonly error?: Error | undefined;
}

/**
 * A {@link BreakerStore} over Redis's REST protocol, returned by {@link upstashStore}.
 *
 * @example
 * ```ts
 * import { Redis } from '@upstash/redis';
 * import { upstashStore } from 'tripswitch/upstash';
 *
 * const store = upstashStore({ client: Redis.fromEnv() });
 * store.on('unavailable', ({ error }) => console.warn('breakers deciding alone:', error?.message));
 * await store.ready().catch(() => undefined);
 * ```
 */
export interface UpstashStore extends BreakerStore {
  /**
   * `unavailable`: emitted once when a request fails (breakers then decide alone);
   * `available`: once a request succeeds again and the breakers here are reconciled. Returns a
   * function that removes the handler. A handler that throws is ignored.
   */
  on(type: 'available' | 'unavailable', handler: (event: UpstashStoreEvent) => void): () => void;
  /** Health and counters. */
  stats(): StoreStats;
  /**
   * Loads the fleet's breakers that are not closed (two requests: the index, then one
   * pipeline reading every name in it), so that a breaker created from then on takes up its
   * fleet's state before its first call. Rejects when the endpoint fails (breakers then
   * decide alone). Optional: without it, a breaker learns its fleet's state one request after
   * its first call.
   */
  ready(): Promise<void>;
  /**
   * Waits for every request in flight; when the store is unavailable, tries once to deliver
   * what is pending. Rejects naming the breakers whose latest transition could not be delivered.
   */
  flush(): Promise<void>;
  /** Delivers what is pending (as `flush`), then detaches every breaker. Sends nothing afterwards. */
  close(): Promise<void>;
}
