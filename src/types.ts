import type { BreakerEvents, EventType } from './events.js';
import type { BreakerSettings } from './options.js';
import type { BreakerSnapshot } from './snapshot.js';
import type { State } from './state.js';
import type { BreakerStats } from './stats.js';
import type { BreakerStore } from './store.js';

export type { State } from './state.js';
export type { BreakerStats, TotalStats, WindowStats } from './stats.js';

/**
 * What `execute` hands the function it runs.
 *
 * @example
 * ```ts
 * import { createBreaker, type CallContext } from 'tripswitch';
 *
 * const load = ({ signal }: CallContext) => fetch('https://example.com', { signal });
 * await createBreaker({ timeoutMs: 1000 }).execute(load);
 * ```
 */
export interface CallContext {
  /**
   * Aborts when the call times out (reason: the `CallTimeoutError`) or when the caller's
   * signal aborts (reason: the caller's reason). Created only when first read.
   */
  readonly signal: AbortSignal;
}

/**
 * Options for one `execute` call.
 *
 * @example
 * ```ts
 * import { createBreaker, type ExecuteOptions } from 'tripswitch';
 *
 * const options: ExecuteOptions = { signal: AbortSignal.timeout(5000) };
 * await createBreaker().execute(() => 'done', options);
 * ```
 */
export interface ExecuteOptions {
  /** Aborting it rejects the call at once with the signal's reason; the outcome is ignored. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * A fallback: runs when a call is rejected by the breaker or fails (timeouts included), with
 * the error and the call's arguments; its result becomes the call's result.
 *
 * @example
 * ```ts
 * import { wrap, type Fallback } from 'tripswitch';
 *
 * const cached: Fallback<[string], string> = (_error, id) => `cached:${id}`;
 * const read = wrap(async (id: string) => `fresh:${id}`, { fallback: cached });
 * ```
 */
export type Fallback<A extends unknown[], R> = (error: unknown, ...args: A) => R | PromiseLike<R>;

/**
 * A function guarded by a breaker: same arguments and `this` as the original, always
 * returning a promise of its (awaited) result.
 *
 * @example
 * ```ts
 * import { wrap, type Guarded } from 'tripswitch';
 *
 * const double: Guarded<[number], number> = wrap((n: number) => n * 2);
 * console.log(await double(21), double.breaker.state); // 42 'closed'
 * ```
 */
export interface Guarded<A extends unknown[], R, This = unknown> {
  (this: This, ...args: A): Promise<R>;
  /** The breaker guarding this function. */
  readonly breaker: Breaker;
}

/**
 * A manual ticket through the breaker, for code that cannot hand the breaker a function
 * (middleware, streams). Report exactly one outcome; the first report counts, later ones do
 * nothing. A permit never reported holds a half-open probe slot only until the probe expires.
 *
 * @example
 * ```ts
 * import { createBreaker } from 'tripswitch';
 *
 * const breaker = createBreaker();
 * const permit = breaker.acquire(); // throws CircuitOpenError when the breaker rejects
 * try {
 *   // ... do the work ...
 *   permit.success();
 * } catch (error) {
 *   permit.failure(error);
 * }
 * ```
 */
export interface Permit {
  /** The call succeeded. */
  success(): void;
  /** The call failed. `error` is passed to `isFailure` and to the `failure` event. */
  failure(error?: unknown): void;
  /** The outcome says nothing about the dependency's health: count it as neither. */
  ignore(): void;
}

/**
 * A listener for one event type.
 *
 * @example
 * ```ts
 * import type { Listener } from 'tripswitch';
 *
 * const log: Listener<'open'> = (event) => console.log(`${event.name} opened: ${event.reason}`);
 * ```
 */
export type Listener<K extends EventType> = (event: BreakerEvents[K]) => void;

/**
 * A listener for every event type but `callbackError` (which reports the errors of listeners,
 * wildcard ones included), registered with `on('*', ...)`.
 *
 * @example
 * ```ts
 * import type { WildcardListener } from 'tripswitch';
 *
 * const logAll: WildcardListener = (type, event) => console.log(type, event.name);
 * ```
 */
export type WildcardListener = (type: EventType, event: BreakerEvents[EventType]) => void;

/**
 * The circuit breaker: a state machine that lets calls through, counts their outcomes and
 * turns calls away while the dependency is failing. Made by {@link createBreaker}.
 *
 * @example
 * ```ts
 * import { createBreaker } from 'tripswitch';
 *
 * const breaker = createBreaker({ name: 'inventory', failureThreshold: 3 });
 * breaker.on('open', (event) => console.log(`${event.name} opened (${event.reason})`));
 * const stock = await breaker.execute(async ({ signal }) => {
 *   const response = await fetch('https://example.com/stock', { signal });
 *   return response.json();
 * });
 * ```
 */
export interface Breaker {
  /** Shown in errors, events and stats. */
  readonly name: string;
  /** The current state; reading it applies any transition that is due. */
  readonly state: State;
  /** The store this breaker shares its state through, if any (the `store` option). */
  readonly store: BreakerStore | undefined;
  /**
   * Runs `fn` if the breaker lets the call through, and counts its outcome. Rejects with a
   * `CircuitOpenError` when it does not, and with a `CallTimeoutError` after `timeoutMs`.
   */
  execute<T>(fn: (ctx: CallContext) => T | PromiseLike<T>, options?: ExecuteOptions): Promise<Awaited<T>>;
  /** Returns `fn` guarded by this breaker, keeping its arguments, result type and `this`. */
  wrap<A extends unknown[], R, This = unknown>(
    fn: (this: This, ...args: A) => R | PromiseLike<R>,
    options?: { fallback?: Fallback<A, NoInfer<Awaited<R>>> | undefined },
  ): Guarded<A, Awaited<R>, This>;
  /** Takes a permit for a call made by hand; throws a `CircuitOpenError` when rejected. */
  acquire(): Permit;
  /** The state and counters now. */
  stats(): BreakerStats;
  /** Subscribes to one event type; returns the function that unsubscribes. */
  on<K extends EventType>(type: K, handler: Listener<K>): () => void;
  /** Subscribes to every event type; returns the function that unsubscribes. */
  on(type: '*', handler: WildcardListener): () => void;
  /** Unsubscribes a handler given to `on`. */
  off<K extends EventType>(type: K, handler: Listener<K>): void;
  /** Unsubscribes a handler given to `on('*', ...)`. */
  off(type: '*', handler: WildcardListener): void;
  /** Opens now for `durationMs` (default `resetTimeoutMs(attempt)`), then half-opens as usual. */
  open(durationMs?: number): void;
  /** Rejects every call until `close()`. */
  isolate(): void;
  /** Back to closed from any state, with the window, the run of failures and the attempt reset. */
  close(): void;
  /** Lets every call through and keeps counting, but never changes state until `close()`. */
  disable(): void;
  /** A plain-JSON snapshot, to give back as `initialState` later or elsewhere. */
  toJSON(): BreakerSnapshot;
  /**
   * Changes options of the live breaker: every option but `name`, `store`, `clock` and
   * `initialState` (giving another value for one of those is a `TypeError`), checked as at
   * creation, with the same messages; nothing changes when a check fails. The state is kept;
   * a window of another kind or size starts empty. The mode the options give wins: `window`
   * leaves consecutive mode, `failureThreshold` leaves rate mode. Emits `configure` with the
   * options that changed. With a store it changes this process's breaker only.
   *
   * @example
   * ```ts
   * import { createBreaker } from 'tripswitch';
   *
   * const breaker = createBreaker({ failureThreshold: 5 });
   * breaker.on('configure', ({ options }) => console.log('now', options)); // now { failureThreshold: 3, rampUpMs: 10000 }
   * breaker.configure({ failureThreshold: 3, rampUpMs: 10_000 });
   * ```
   */
  configure(options: BreakerSettings): void;
  /**
   * Stops the `healthCheck` timer (aborting a check still running) and detaches the breaker
   * from its store. Calls after it still work: the breaker decides alone, as one without a
   * store, and runs no more health checks. A registry disposes of the breakers it lets go.
   *
   * @example
   * ```ts
   * import { createBreaker } from 'tripswitch';
   *
   * const breaker = createBreaker({ healthCheck: async () => fetch('https://example.com/health') });
   * // ... on shutdown:
   * breaker.dispose();
   * ```
   */
  dispose(): void;
}
