import { CircuitBreaker } from './breaker.js';
import { apply, plan } from './configure.js';
import { describe } from './describe.js';
import { type EventType, Hub } from './events.js';
import { type BreakerOptions, type BreakerSettings, positiveInteger, type Resolved, resolveOptions } from './options.js';
import type { Checked } from './rules.js';
import type { BreakerStore } from './store.js';
import type { Breaker, Listener, State, WildcardListener } from './types.js';
import { Link, UseList } from './use-list.js';

/**
 * Options of {@link createRegistry}: the options of every breaker it makes (except `name`,
 * which is the key, and `initialState`), and its bound.
 *
 * @example
 * ```ts
 * import { createRegistry, type RegistryOptions } from 'tripswitch';
 *
 * const options: RegistryOptions = { failureThreshold: 3, resetTimeoutMs: 5_000, maxSize: 500 };
 * const perHost = createRegistry(options);
 * ```
 */
export interface RegistryOptions extends Omit<BreakerOptions, 'name' | 'initialState'> {
  /** The most breakers held at once. @default 1000 */
  readonly maxSize?: number | undefined;
}

/**
 * Breakers by key, made on first use and bounded in number. When full, making a new one
 * evicts the least recently used closed breaker, or, when none is closed, the least recently
 * used of all: a flood of new keys cannot flush out the breakers that are protecting
 * something. Iterates over `[key, breaker]` pairs, as a `Map` does.
 *
 * @example
 * ```ts
 * import { createRegistry } from 'tripswitch';
 *
 * const breakers = createRegistry({ failureThreshold: 5 });
 * breakers.on('open', (event) => console.log(`${event.name} opened`)); // event.name is the key
 * const api = breakers.get('api.example.com');
 * await api.execute(() => fetch('https://api.example.com/health'));
 * for (const [key, breaker] of breakers) console.log(key, breaker.state);
 * ```
 */
export interface Registry extends Iterable<[string, Breaker]> {
  /** The breaker for `key`, made on first use and named `key`. The only method that counts as a use. */
  get(key: string): Breaker;
  /** Whether a breaker is held for `key`; does not count as a use. */
  has(key: string): boolean;
  /** Forgets the breaker for `key`; true when there was one. */
  delete(key: string): boolean;
  /** How many breakers are held. */
  readonly size: number;
  /** The store every breaker of this registry shares its state through, if any. */
  readonly store: BreakerStore | undefined;
  /** The keys held, least recently used first. */
  keys(): IterableIterator<string>;
  /** The breakers held, least recently used first. */
  values(): IterableIterator<Breaker>;
  /** The `[key, breaker]` pairs held, least recently used first. */
  entries(): IterableIterator<[string, Breaker]>;
  /** Subscribes to one event type of every breaker held; returns the function that unsubscribes. */
  on<K extends EventType>(type: K, handler: Listener<K>): () => void;
  /** Subscribes to every event of every breaker held; returns the function that unsubscribes. */
  on(type: '*', handler: WildcardListener): () => void;
  /** Unsubscribes a handler given to `on`. */
  off<K extends EventType>(type: K, handler: Listener<K>): void;
  /** Unsubscribes a handler given to `on('*', ...)`. */
  off(type: '*', handler: WildcardListener): void;
  /**
   * Changes the options of every breaker held and of every one made later, as
   * `breaker.configure` does (same checks, same messages): when the options do not fit the
   * registry's or one breaker's, a `TypeError` or `RangeError` and nothing changes.
   *
   * @example
   * ```ts
   * import { createRegistry } from 'tripswitch';
   *
   * const hosts = createRegistry({ failureThreshold: 5 });
   * hosts.get('api.example.com');
   * hosts.configure({ failureThreshold: 3, rampUpMs: 5_000 }); // the breaker held, and the next ones
   * ```
   */
  configure(options: BreakerSettings): void;
}

/** A registry's record of one breaker. */
interface Entry {
  readonly key: string;
  readonly breaker: CircuitBreaker;
  /** When it was last used: a counter, not a time. */
  use: number;
  readonly byUse: Link<Entry>;
  readonly closedByUse: Link<Entry>;
}

/** @internal */
export class BreakerRegistry implements Registry {
  private readonly byKey = new Map<string, Entry>();
  /** Every breaker, least recently used first. */
  private readonly byUse = new UseList<Entry>();
  /** The closed ones, least recently used first: evicted before any other. */
  private readonly closedByUse = new UseList<Entry>();
  private uses = 0;
  private readonly hub = new Hub();
  private readonly track = (breaker: CircuitBreaker, to: State): void => {
    const entry = this.byKey.get(breaker.name);
    if (entry === undefined || entry.breaker !== breaker) return;
    // Closing is not a use: a breaker that closes again joins the order where its last use puts it.
    if (to === 'closed') this.closedByUse.insert(entry.closedByUse);
    else this.closedByUse.remove(entry.closedByUse);
  };

  constructor(
    private options: Resolved,
    private readonly maxSize: number,
  ) {}

  configure(options: BreakerSettings): void {
    // Every plan is checked before any is put in force.
    const mine = plan(this.options, options);
    const plans = [...this.byKey.values()].map((entry) => [entry.breaker, plan(entry.breaker.o, options)] as const);
    this.options = mine.next;
    for (const [breaker, p] of plans) apply(breaker, p);
  }

  get(key: string): Breaker {
    checkKey(key);
    let entry = this.byKey.get(key);
    const made = entry === undefined;
    if (entry === undefined) {
      if (this.byKey.size >= this.maxSize) {
        this.delete(((this.closedByUse.oldest ?? this.byUse.oldest) as Entry).key);
      }
      const breaker = new CircuitBreaker({ ...this.options, name: key }, this.hub, this.track);
      const fresh = { key, breaker, use: 0 } as { -readonly [K in keyof Entry]: Entry[K] };
      fresh.byUse = new Link<Entry>(fresh);
      fresh.closedByUse = new Link<Entry>(fresh);
      entry = fresh;
      this.byKey.set(key, entry);
    }
    entry.use = ++this.uses;
    this.byUse.touch(entry.byUse);
    // A new breaker is closed; an existing one is listed while closed (`track` keeps the list).
    if (made || entry.closedByUse.linked) this.closedByUse.touch(entry.closedByUse);
    return entry.breaker;
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  delete(key: string): boolean {
    const entry = this.byKey.get(key);
    if (entry === undefined) return false;
    this.byUse.remove(entry.byUse);
    this.closedByUse.remove(entry.closedByUse);
    // A breaker let go no longer follows the fleet, nor runs its health check.
    entry.breaker.dispose();
    return this.byKey.delete(key);
  }

  get size(): number {
    return this.byKey.size;
  }

  get store(): BreakerStore | undefined {
    return this.options.store;
  }

  *keys(): IterableIterator<string> {
    for (const entry of this.byUse) yield entry.key;
  }

  *values(): IterableIterator<Breaker> {
    for (const entry of this.byUse) yield entry.breaker;
  }

  *entries(): IterableIterator<[string, Breaker]> {
    for (const entry of this.byUse) yield [entry.key, entry.breaker];
  }

  [Symbol.iterator](): IterableIterator<[string, Breaker]> {
    return this.entries();
  }

  on(type: EventType | '*', handler: (...args: never[]) => void): () => void {
    return this.hub.on(type, handler);
  }

  off(type: EventType | '*', handler: (...args: never[]) => void): void {
    this.hub.off(type, handler);
  }
}

function checkKey(key: unknown): asserts key is string {
  if (typeof key !== 'string') throw new TypeError(`key must be a string, got ${describe(key)}`);
  if (key === '') throw new RangeError('key must not be empty');
}

/**
 * Creates a {@link Registry}: breakers by key, all with the same options, at most `maxSize`.
 * Its `on`/`off` receive the events of all its breakers; each event's `name` is the key.
 *
 * @example
 * ```ts
 * import { createRegistry } from 'tripswitch';
 *
 * const tenants = createRegistry({ window: { size: 50 }, maxSize: 10_000 });
 * const guarded = (tenant: string) => tenants.get(tenant).execute(() => `work for ${tenant}`);
 * await guarded('acme');
 * ```
 */
export function createRegistry(): Registry;
export function createRegistry<O extends RegistryOptions | undefined>(options: Checked<O>): Registry;
export function createRegistry(options?: RegistryOptions): Registry {
  const o = options as Record<string, unknown> | undefined;
  if (o !== undefined && o !== null && typeof o === 'object') {
    if (o.name !== undefined) throw new TypeError('name cannot be given to a registry: each breaker is named by its key');
    if (o.initialState !== undefined) {
      throw new TypeError('initialState cannot be given to a registry: restore a breaker with createBreaker instead');
    }
  }
  const resolved = resolveOptions(options, ['maxSize']);
  const maxSize = o?.maxSize ?? 1000;
  positiveInteger('maxSize', maxSize);
  return new BreakerRegistry(resolved, maxSize as number);
}
