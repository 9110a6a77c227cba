import type { RedisStoreEvent } from './types.js';

type Handler = (event: RedisStoreEvent) => void;

/** The store's `available` and `unavailable` handlers: a handler that throws never breaks the store. */
export class StoreHandlers {
  private readonly sets = { available: new Set<Handler>(), unavailable: new Set<Handler>() };

  /** Adds a handler; returns a function that removes it. Throws on an unknown event or a handler that is not a function. */
  on(type: 'available' | 'unavailable', handler: Handler): () => void {
    const set = this.sets[type];
    if (set === undefined) throw new TypeError(`event must be 'available' or 'unavailable', got ${String(type)}`);
    if (typeof handler !== 'function') throw new TypeError(`handler must be a function, got ${typeof handler}`);
    const own: Handler = (event) => handler(event);
    set.add(own);
    return () => {
      set.delete(own);
    };
  }

  emit(type: 'available' | 'unavailable', event: RedisStoreEvent): void {
    for (const handler of [...this.sets[type]]) {
      try {
        handler(event);
      } catch {
        // A user's handler never breaks the store.
      }
    }
  }
}
