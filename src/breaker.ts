import { admitted, enter, type Gate, refusal, reject, retryAfter, startTime } from './admission.js';
import { Context, execute, executeLeased, guard, thrown, track } from './call.js';
import { adopt, apply, plan } from './configure.js';
import type { PlainHandlers } from './counting.js';
import { Emit, type EventType, type Hub } from './events.js';
import type { Joining } from './fleet.js';
import type { FleetHooks } from './fleet-hooks.js';
import type { Rooms } from './follow.js';
import type { HealthCheck } from './health-check.js';
import {
  CLOSED,
  close,
  DISABLED,
  disable,
  type Inner,
  ISOLATED,
  isolate,
  type Machine,
  moveTo,
  observe,
  openNow,
  rampShare,
  release,
  resetFor,
} from './machine.js';
import type { BreakerOptions, BreakerSettings } from './options.js';
import { knownKeys, optionsObject, type Resolved, resolveOptions } from './options.js';
import { REFUSED } from './outcome.js';
import { ManualPermit } from './permit.js';
import type { Checked } from './rules.js';
import { type BreakerSnapshot, parseSnapshot, SNAPSHOT_VERSION } from './snapshot.js';
import type { State } from './state.js';
import type { BreakerStats, FleetCounts, TotalStats } from './stats.js';
import type { BreakerStore } from './store.js';
import type { Breaker, CallContext, ExecuteOptions, Fallback, Guarded, Permit } from './types.js';
import type { Window } from './windows/window.js';

/** What the fleet glue a store brings may do to its breaker (see `Rooms`). */
const ROOMS: Rooms = { observe, moveTo, isolate, disable, release, CLOSED, admitted, reject, retryAfter, resetFor };

/**
 * @internal The breaker: the fields its rooms share, and the public methods, each handing
 * over to its room. The state machine (`machine.ts`) changes the state; admission
 * (`admission.ts`) lets calls through or turns them away; counting (`counting.ts`) takes
 * their outcomes; the call path (`call.ts`, `permit.ts`) runs them; the fleet glue
 * (`fleet.ts`), with a store only, is what the store brought. The rooms are functions over
 * this object, seen through narrow interfaces: no object per room, nothing more per breaker.
 */
export class CircuitBreaker implements Breaker, Gate {
  readonly name: string;
  // Set with the fields derived from it by `adopt` (`configure.ts`), at creation and by `configure`.
  o!: Resolved;
  readonly events: Emit;
  s: Inner = CLOSED;
  gen = 0;
  attempt = 1;
  run = 0;
  inFlight = 0;
  window!: Window;
  // The totals of `stats()`, kept as fields: one object fewer to reach on every call.
  calls = 0;
  successes = 0;
  failures = 0;
  ignored = 0;
  rejected = 0;
  timeouts = 0;
  timed!: boolean;
  kind!: 'consecutive' | 'count' | 'time';
  minimum!: number;
  // Given a number at once: a field that starts as undefined would box every time written to it.
  private mono = 0;
  plain: PlainHandlers | undefined;
  private lastRaw = 0;
  fleet: FleetHooks | undefined;
  /** With `healthCheck`: its timer; `null` once disposed. */
  health: HealthCheck | undefined | null;
  shares = 0;
  refusedFor = 0;
  readonly onMove: ((breaker: Machine, to: State) => void) | undefined;

  constructor(options: Resolved, parent?: Hub, onMove?: (breaker: CircuitBreaker, to: State) => void) {
    this.name = options.name;
    this.events = new Emit(parent);
    // Only ever called with this breaker.
    this.onMove = onMove as ((breaker: Machine, to: State) => void) | undefined;
    // The window and the fields derived from the options, as `configure` sets them again; the
    // health check's timer, with that option only, is told of every state change from here on.
    adopt(this, options, true);
    const raw = options.clock.now();
    this.lastRaw = this.mono = typeof raw === 'number' && Number.isFinite(raw) ? raw : 0;
    if (options.initialState !== undefined) this.restore(parseSnapshot(options.initialState));
    // The store brings the fleet glue: without one, none of it is reached.
    const store = options.store;
    if (store === undefined) this.fleet = undefined;
    else {
      const joining: Joining = { name: this.name, breaker: this, rooms: ROOMS };
      this.fleet = store.join(joining, store) as FleetHooks;
    }
    this.health?.moved(this.s.kind);
  }

  /**
   * The breaker's own time: the clock's, except that it never goes backwards. A clock that
   * jumps back simply stands still for the breaker, so no period is stretched.
   */
  now(): number {
    const raw = this.o.clock.now();
    // A reading that is not a finite number is no time at all: Infinity would stick forever.
    if (typeof raw !== 'number' || !Number.isFinite(raw)) return this.mono;
    if (raw > this.lastRaw) this.mono += raw - this.lastRaw;
    this.lastRaw = raw;
    return this.mono;
  }

  get store(): BreakerStore | undefined {
    return this.o.store;
  }

  get state(): State {
    return observe(this).kind;
  }

  open(durationMs?: number): void {
    openNow(this, durationMs);
  }

  isolate(): void {
    isolate(this);
  }

  disable(): void {
    disable(this);
  }

  close(): void {
    close(this);
  }

  configure(options: BreakerSettings): void {
    apply(this, plan(this.o, options));
  }

  dispose(): void {
    this.health?.stop();
    this.health = null;
    this.fleet?.detach();
    this.fleet = undefined;
    this.shares = 0;
  }

  // ---- calls ------------------------------------------------------------------------------

  execute<T>(fn: (ctx: CallContext) => T | PromiseLike<T>, options?: ExecuteOptions): Promise<Awaited<T>> {
    if (options !== undefined || typeof fn !== 'function' || this.o.timeoutMs !== undefined) return execute(this, fn, options);
    // The fast path, written out here: every frame between the caller and `fn` (or its
    // rejection) is one more in each error's stack, and capturing it costs.
    const probe = enter(this);
    if (probe === REFUSED) return Promise.reject(refusal(this, new Error()));
    if (probe?.lease !== undefined) return executeLeased(this, probe, fn) as Promise<Awaited<T>>;
    const gen = this.gen;
    const start = startTime(this);
    let result: unknown;
    try {
      result = fn(new Context());
    } catch (error) {
      return thrown(this, gen, start, probe, error);
    }
    return track(this, result, gen, start, probe) as Promise<Awaited<T>>;
  }

  wrap<A extends unknown[], R, This = unknown>(
    fn: (this: This, ...args: A) => R | PromiseLike<R>,
    options?: { fallback?: Fallback<A, NoInfer<Awaited<R>>> | undefined },
  ): Guarded<A, Awaited<R>, This> {
    const { fallback } = knownKeys('options', optionsObject('options', options), ['fallback']);
    return guard(this, fn, fallback as Fallback<A, Awaited<R>> | undefined);
  }

  acquire(): Permit {
    const probe = enter(this);
    if (probe === REFUSED) throw refusal(this, new Error());
    if (probe?.lease !== undefined) throw (this.fleet as FleetHooks).hold(probe);
    return new ManualPermit(this, this.gen, startTime(this), probe);
  }

  // ---- reading ----------------------------------------------------------------------------

  stats(): BreakerStats {
    const s = observe(this);
    const w = this.window;
    w.roll(this.now());
    return {
      name: this.name,
      state: s.kind,
      retryAfterMs: retryAfter(this, s),
      inFlight: this.inFlight,
      ramp: rampShare(this),
      consecutiveFailures: this.run,
      window: {
        calls: w.calls,
        failures: w.failures,
        slowCalls: w.slowCalls,
        failureRate: w.calls === 0 ? 0 : w.failures / w.calls,
        slowCallRate: w.calls === 0 ? 0 : w.slowCalls / w.calls,
      },
      totals: this.totals(),
      ...this.fleetCounts(),
    };
  }

  /** With a store counting across the fleet, what the breaker last learnt of the fleet's counts. */
  private fleetCounts(): { fleet?: FleetCounts } {
    const fleet = this.fleet?.counts();
    return fleet === undefined ? {} : { fleet: { ...fleet } };
  }

  on(type: EventType | '*', handler: (...args: never[]) => void): () => void {
    return this.events.on(type, handler);
  }

  off(type: EventType | '*', handler: (...args: never[]) => void): void {
    this.events.off(type, handler);
  }

  private totals(): TotalStats {
    const { calls, successes, failures, ignored, rejected, timeouts } = this;
    return { calls, successes, failures, ignored, rejected, timeouts };
  }

  toJSON(): BreakerSnapshot {
    const s = observe(this);
    const now = this.now();
    return {
      version: SNAPSHOT_VERSION,
      name: this.name,
      state: s.kind,
      savedAt: this.lastRaw,
      retryAfterMs: s.kind === 'open' ? Math.max(0, s.until - now) : null,
      attempt: this.attempt,
      consecutiveFailures: this.run,
      window: this.window.save(now),
      totals: this.totals(),
    };
  }

  private restore(snapshot: BreakerSnapshot): void {
    // The parsed totals hold the six counters and nothing else: they are the fields of the same names.
    Object.assign(this, snapshot.totals);
    this.attempt = snapshot.attempt;
    const now = this.now();
    const elapsed = Math.max(0, this.lastRaw - snapshot.savedAt);
    if (this.window.load(snapshot.window, now, elapsed)) this.run = snapshot.consecutiveFailures;
    const state = snapshot.state;
    // A half-open breaker comes back open with its probe due at once.
    this.s =
      state === 'open' || state === 'halfOpen'
        ? { kind: 'open', until: state === 'open' ? now + Math.max(0, (snapshot.retryAfterMs ?? 0) - elapsed) : now }
        : state === 'isolated'
          ? ISOLATED
          : state === 'disabled'
            ? DISABLED
            : CLOSED;
  }
}

/**
 * Creates a circuit breaker. Every option is optional and validated here: a wrong type is a
 * `TypeError`, a value out of range a `RangeError`, each naming the option and the value.
 *
 * @example
 * ```ts
 * import { createBreaker, isCircuitOpenError } from 'tripswitch';
 *
 * const breaker = createBreaker({ name: 'users-api', failureThreshold: 5, resetTimeoutMs: 10_000 });
 * breaker.on('stateChange', ({ from, to }) => console.log(`users-api: ${from} -> ${to}`));
 *
 * try {
 *   const user = await breaker.execute(async ({ signal }) => {
 *     const response = await fetch('https://example.com/users/42', { signal });
 *     return response.json();
 *   });
 * } catch (error) {
 *   if (isCircuitOpenError(error)) console.log(`not trying: retry in ${error.retryAfterMs} ms`);
 * }
 * ```
 */
export function createBreaker(): Breaker;
export function createBreaker<O extends BreakerOptions | undefined>(options: Checked<O>): Breaker;
export function createBreaker(options?: BreakerOptions): Breaker {
  return new CircuitBreaker(resolveOptions(options));
}
