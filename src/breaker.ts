import { Context, execute, executeLeased, guard, thrown, track } from './call.js';
import { type CircuitOpenError, circuitOpen } from './errors.js';
import { BIT, type CloseReason, Emit, type EventType, type Hub, type OpenReason } from './events.js';
import { Fleet, type Origin } from './fleet.js';
import type { BreakerOptions } from './options.js';
import { duration, knownKeys, optionsObject, type Resolved, resolveOptions } from './options.js';
import { FAILURE, IGNORED, type Outcome, type Probe, REFUSED, SUCCESS } from './outcome.js';
import { ManualPermit } from './permit.js';
import type { Checked } from './rules.js';
import { type BreakerSnapshot, parseSnapshot, SNAPSHOT_VERSION } from './snapshot.js';
import type { BreakerStore, FleetState } from './store.js';
import type {
  Breaker,
  BreakerStats,
  CallContext,
  ExecuteOptions,
  Fallback,
  Guarded,
  Permit,
  State,
  TotalStats,
} from './types.js';
import { SinceClose } from './windows/consecutive.js';
import { CountWindow } from './windows/count.js';
import { TimeWindow } from './windows/time.js';
import type { Window } from './windows/window.js';

const OPEN_REASONS: readonly string[] = ['failures', 'failureRate', 'slowCallRate', 'probeFailed', 'manual'];
const isOpenReason = (reason: unknown): reason is OpenReason => OPEN_REASONS.includes(reason as string);

/**
 * @internal The state, replaced whole on every transition. `until` and `deadline` are in the
 * breaker's monotonic time.
 */
type Inner =
  | { readonly kind: 'closed' }
  | { readonly kind: 'open'; readonly until: number }
  | { readonly kind: 'halfOpen'; readonly ttl: number; successes: number; readonly running: Probe[] }
  | { readonly kind: 'isolated' }
  | { readonly kind: 'disabled' };

interface PlainHandlers {
  readonly gen: number;
  readonly ok: (value: unknown) => void;
  readonly error: (error: unknown) => void;
}

// Shared by every breaker: `Inner` is readonly where these have fields.
const CLOSED: Inner = { kind: 'closed' };
const ISOLATED: Inner = { kind: 'isolated' };
const DISABLED: Inner = { kind: 'disabled' };
const OUTCOME_BITS = BIT.success | BIT.failure;
const DEFAULT_RESET_MS = 30_000;

/** @internal The breaker. Every state change goes through `moveTo`. */
export class CircuitBreaker implements Breaker {
  readonly name: string;
  /** @internal */ readonly o: Resolved;
  /** @internal */ readonly events: Emit;
  private s: Inner = CLOSED;
  /** @internal Bumped on every state change; outcomes of older calls never move the state. */
  gen = 0;
  private attempt = 1;
  private run = 0;
  private inFlight = 0;
  private readonly window: Window;
  // The totals of `stats()`, kept as fields: one object fewer to reach on every call.
  private calls = 0;
  private successes = 0;
  private failures = 0;
  private ignored = 0;
  private rejected = 0;
  private timeouts = 0;
  /** Whether every call needs its start time, whoever listens. */
  private readonly timed: boolean;
  /** The window's kind, kept here so that counting an outcome does not reach into the options. */
  private readonly kind: 'consecutive' | 'count' | 'time';
  /** Rate mode: the calls the window must hold before a decision. */
  private readonly minimum: number;
  // Given a number at once: a field that starts as undefined would box every time written to it.
  private mono = 0;
  private plain: PlainHandlers | undefined;
  private lastRaw = 0;

  /** @internal The breaker's place in its store's fleet, with a `store`. */
  readonly fleet: Fleet | undefined;
  /** Set while taking up a transition made elsewhere in the fleet: it is not shared again. */
  private origin: Origin | undefined;
  /** A probe slot whose fleet lease was granted after `acquire()` turned its call away. */
  private held: Probe | undefined;
  /**
   * After the fleet refused a lease, another process holds the probe: until its outcome is
   * shared, or its lease expires, calls here are turned away without asking again.
   */
  private refusedUntil: number | undefined;

  /** @internal The retry time of the call turned away last, for its `CircuitOpenError`. */
  refusedFor = 0;

  /** @internal Told of every state change, after it is made (a registry keeps its order with it). */
  private readonly onMove: ((breaker: CircuitBreaker, to: State) => void) | undefined;

  constructor(options: Resolved, parent?: Hub, onMove?: (breaker: CircuitBreaker, to: State) => void) {
    this.o = options;
    this.name = options.name;
    this.events = new Emit(parent);
    this.onMove = onMove;
    const w = options.window;
    this.window =
      w.kind === 'consecutive'
        ? new SinceClose()
        : w.kind === 'count'
          ? new CountWindow(w.size)
          : new TimeWindow(w.durationMs, w.buckets);
    this.timed = options.slowCallDurationMs !== undefined;
    this.kind = w.kind;
    this.minimum = w.kind === 'count' ? Math.min(options.minimumCalls, w.size) : options.minimumCalls;
    const raw = options.clock.now();
    this.lastRaw = this.mono = typeof raw === 'number' && Number.isFinite(raw) ? raw : 0;
    if (options.initialState !== undefined) this.restore(parseSnapshot(options.initialState));
    this.fleet = options.store === undefined ? undefined : new Fleet(this, options.store);
  }

  /** @internal The attempt of the current (or next) open period. */
  get attemptNow(): number {
    return this.attempt;
  }

  /**
   * @internal The breaker's own time: the clock's, except that it never goes backwards. A
   * clock that jumps back simply stands still for the breaker, so no period is stretched.
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
    return this.observe().kind;
  }

  /** Applies the transitions that have come due with time; returns the current state. */
  private observe(): Inner {
    for (;;) {
      const s = this.s;
      if (s.kind === 'open') {
        if (this.now() < s.until) return s;
        this.moveTo({ kind: 'halfOpen', ttl: this.resetFor(this.attempt), successes: 0, running: [] }, 'halfOpen');
      } else if (s.kind === 'halfOpen' && s.running.length > 0 && this.probeExpired(s.running)) {
        this.reopen('probeFailed', this.attempt + 1);
      } else {
        return s;
      }
    }
  }

  /** Whether a probe let through has run past its deadline (one waiting for its lease has not started). */
  private probeExpired(running: Probe[]): boolean {
    const now = this.now();
    for (const probe of running) if (probe.lease === undefined && now >= probe.deadline) return true;
    return false;
  }

  // ---- admission ----------------------------------------------------------------------

  /**
   * @internal Lets a call through (returning its probe when it is one), or returns `REFUSED`:
   * the caller then rejects with `b.refusal(new Error())`, the `Error` made in its own frame so
   * that the stack starts at the call, with none of ours (capturing a frame costs about a
   * tenth of a whole rejection). A call let through is counted as in flight.
   */
  enter(): Probe | undefined | typeof REFUSED {
    const current = this.s;
    const kind = current.kind;
    if (kind === 'closed' || kind === 'disabled') return this.admitted(undefined);
    if (kind === 'open') {
      // Open and not yet due: turned away, on one reading of the clock.
      const left = current.until - this.now();
      if (left > 0) return this.refuse(current, left);
    }
    const s = this.observe();
    if (s.kind === 'closed' || s.kind === 'disabled') return this.admitted(undefined);
    if (s.kind === 'halfOpen') {
      const held = this.held;
      if (held !== undefined) {
        this.held = undefined;
        if (s.running.includes(held)) return this.admitted(held);
      }
      if (s.successes + s.running.length < this.o.halfOpenMaxCalls && this.refusalLeft() === 0) {
        const probe: Probe = { deadline: this.now() + s.ttl, lease: undefined };
        s.running.push(probe);
        // With a store, the slot is held while the fleet is asked for a lease: not yet let through.
        if (this.fleet === undefined) return this.admitted(probe);
        probe.lease = this.fleet.link.lease(s.ttl);
        return probe;
      }
    }
    return this.refuse(s);
  }

  /** Counts a call turned away, and notes what its error will say. */
  private refuse(s: Inner, retryAfterMs = this.retryAfter(s)): typeof REFUSED {
    this.rejected++;
    if (this.events.wants(BIT.reject)) this.events.emit('reject', { name: this.name, state: s.kind, retryAfterMs });
    this.refusedFor = retryAfterMs;
    return REFUSED;
  }

  /** How long calls here are still turned away after the fleet refused a lease (0: not). */
  private refusalLeft(): number {
    const until = this.refusedUntil;
    return until === undefined ? 0 : Math.max(0, until - this.now());
  }

  /** @internal Makes `error` (a fresh `new Error()`) the `CircuitOpenError` of the call turned away last. */
  refusal(error: Error): CircuitOpenError {
    // Made right after `refuse()`, in the state it turned the call away in.
    return circuitOpen(error, this.name, this.s.kind, this.refusedFor);
  }

  /** Counts a call turned away and returns its error (on paths where the stack's first frames matter less). */
  private reject(s: Inner): CircuitOpenError {
    this.refuse(s);
    return this.refusal(new Error());
  }

  /**
   * @internal The fleet answered a would-be probe's lease: lets it through as a probe when
   * granted in the same half-open period; when the state moved meanwhile, decides afresh.
   */
  leased(probe: Probe, granted: boolean): Probe | undefined | CircuitOpenError {
    const s = this.observe();
    probe.lease = undefined;
    if (s.kind === 'halfOpen' && s.running.includes(probe)) {
      if (granted) {
        // Its time as a probe starts now, not while it waited.
        probe.deadline = this.now() + s.ttl;
        return this.admitted(probe);
      }
      this.refusedUntil = this.now() + s.ttl;
      this.release(probe);
      return this.reject(s);
    }
    if (granted) this.fleet?.link.probeDone('ignore');
    if (s.kind === 'closed' || s.kind === 'disabled') return this.admitted(undefined);
    return this.reject(s);
  }

  /** `acquire()` cannot wait for a lease: its call is turned away, and a granted lease kept for the next call. */
  private hold(probe: Probe): CircuitOpenError {
    (probe.lease as Promise<boolean>).then((granted) => {
      probe.lease = undefined;
      const s = this.s;
      const current = s.kind === 'halfOpen' && s.running.includes(probe);
      if (granted && current) this.held = probe;
      else {
        if (granted) this.fleet?.link.probeDone('ignore');
        this.release(probe);
      }
    });
    return this.reject(this.s);
  }

  private admitted(probe: Probe | undefined): Probe | undefined {
    this.inFlight++;
    this.calls++;
    return probe;
  }

  /**
   * @internal Outcome handlers for the plain calls of the current generation (not probes,
   * no duration needed), made once per generation rather than once per call.
   */
  plainHandlers(): PlainHandlers {
    let handlers = this.plain;
    if (handlers === undefined || handlers.gen !== this.gen) {
      const gen = this.gen;
      handlers = this.plain = {
        gen,
        // With no result to classify, a success is counted by `succeeded`.
        ok:
          this.o.isResultFailure === undefined
            ? () => this.succeeded(gen)
            : (value) => this.record(gen, Number.NaN, undefined, this.classifyValue(value), value),
        error: (error) => this.record(gen, Number.NaN, undefined, this.classifyError(error), error),
      };
    }
    return handlers;
  }

  /** @internal The start time of a call, when anything will need its duration; else NaN. */
  startTime(): number {
    return this.timed || this.events.wants(OUTCOME_BITS) ? this.now() : Number.NaN;
  }

  private retryAfter(s: Inner): number {
    switch (s.kind) {
      case 'open':
        return Math.max(0, s.until - this.now());
      case 'isolated':
        return Number.POSITIVE_INFINITY;
      case 'halfOpen': {
        const refused = this.refusalLeft();
        if (refused > 0) return refused;
        return s.successes + s.running.length < this.o.halfOpenMaxCalls ? 0 : Math.max(0, s.running[0].deadline - this.now());
      }
      default:
        return 0;
    }
  }

  // ---- outcomes -------------------------------------------------------------------------

  /** @internal Classifies an error with `isFailure`; a throwing predicate counts as a failure. */
  classifyError(error: unknown): Outcome {
    const isFailure = this.o.isFailure;
    if (isFailure === undefined) return FAILURE;
    try {
      return isFailure(error) ? FAILURE : IGNORED;
    } catch (thrown) {
      this.events.report(this.name, thrown, 'isFailure');
      return FAILURE;
    }
  }

  /** @internal Classifies a value with `isResultFailure`; a throwing predicate counts as a success. */
  classifyValue(value: unknown): Outcome {
    const isResultFailure = this.o.isResultFailure;
    if (isResultFailure === undefined) return SUCCESS;
    try {
      return isResultFailure(value) ? FAILURE : SUCCESS;
    } catch (thrown) {
      this.events.report(this.name, thrown, 'isResultFailure');
      return SUCCESS;
    }
  }

  /** @internal Counts a call that ran out of time: a failure, announced by a `timeout` event. */
  timedOut(gen: number, start: number, probe: Probe | undefined, error: unknown): void {
    this.timeouts++;
    if (this.events.wants(BIT.timeout)) this.events.emit('timeout', { name: this.name, timeoutMs: this.o.timeoutMs as number });
    this.record(gen, start, probe, FAILURE, error);
  }

  /**
   * @internal Counts the outcome of a call let through at generation `gen`. A call from an
   * older generation only adds to the totals and events.
   */
  record(gen: number, start: number, probe: Probe | undefined, outcome: Outcome, error: unknown): void {
    this.inFlight--;
    const durationMs = start === start ? this.now() - start : 0;
    if (outcome === IGNORED) {
      this.recordIgnored(gen, probe, error);
      return;
    }
    const failed = outcome === FAILURE;
    if (failed) {
      this.failures++;
      if (this.events.wants(BIT.failure)) this.events.emit('failure', { name: this.name, error, durationMs });
    } else {
      this.successes++;
      if (this.events.wants(BIT.success)) this.events.emit('success', { name: this.name, durationMs });
    }
    // Only an outcome of the current generation counts (a listener may just have changed it).
    if (gen !== this.gen) return;
    const w = this.window;
    const kind = this.kind;
    w.record(kind === 'time' ? this.now() : 0, failed, this.timed && durationMs >= (this.o.slowCallDurationMs as number));
    this.run = failed ? this.run + 1 : 0;
    const s = this.s;
    if (s.kind === 'closed') {
      if (kind !== 'consecutive') {
        if (w.calls >= this.minimum) this.decide(w);
      } else if (failed && this.run >= this.o.failureThreshold) this.reopen('failures', this.attempt);
    } else if (s.kind === 'halfOpen' && probe !== undefined) this.probeSettled(s, probe, failed);
  }

  /**
   * The success of a plain call (not a probe, no duration needed) whose result needs no
   * classifying: what `record` does for it, without the checks that cannot apply. It is the
   * commonest outcome of all.
   */
  private succeeded(gen: number): void {
    if (this.events.wants(BIT.success)) {
      this.record(gen, Number.NaN, undefined, SUCCESS, undefined);
      return;
    }
    this.inFlight--;
    this.successes++;
    if (gen !== this.gen) return;
    const w = this.window;
    const kind = this.kind;
    w.record(kind === 'time' ? this.now() : 0, false, false);
    this.run = 0;
    // A success opens no breaker in consecutive mode; in rate mode the window may now hold enough calls.
    if (kind !== 'consecutive' && w.calls >= this.minimum && this.s.kind === 'closed') this.decide(w);
  }

  // Kept apart from `record`, so that the common outcome stays small enough for V8 to inline.
  private recordIgnored(gen: number, probe: Probe | undefined, error: unknown): void {
    this.ignored++;
    if (this.events.wants(BIT.ignore)) this.events.emit('ignore', { name: this.name, error });
    if (gen === this.gen && probe !== undefined) {
      this.release(probe);
      this.fleet?.link.probeDone('ignore');
    }
  }

  private probeSettled(s: Inner & { kind: 'halfOpen' }, probe: Probe, failed: boolean): void {
    this.release(probe);
    if (failed) this.reopen('probeFailed', this.attempt + 1);
    else if (++s.successes >= this.o.halfOpenMaxCalls) this.moveTo(CLOSED, 'close', 'probesSucceeded');
    // Probes of one period may run in several processes: the fleet counts their successes.
    else this.fleet?.link.probeDone('success');
  }

  /** Frees a probe's half-open slot. */
  private release(probe: Probe): void {
    const s = this.s;
    if (s.kind !== 'halfOpen') return;
    const i = s.running.indexOf(probe);
    if (i >= 0) s.running.splice(i, 1);
  }

  /** Closed state, rate mode, with enough calls in the window: opens when a rate reaches its threshold. */
  private decide(w: Window): void {
    const o = this.o;
    if (w.failures / w.calls >= o.failureRateThreshold) this.reopen('failureRate', this.attempt);
    else if (o.slowCallDurationMs !== undefined && w.slowCalls / w.calls >= o.slowCallRateThreshold) {
      this.reopen('slowCallRate', this.attempt);
    }
  }

  /** `resetTimeoutMs(attempt)`; a function that throws or returns nonsense is reported, and the default used. */
  private resetFor(attempt: number): number {
    const reset = this.o.resetTimeoutMs;
    if (typeof reset === 'number') return reset;
    let ms: unknown;
    try {
      ms = reset(attempt);
      duration(`resetTimeoutMs(${attempt})`, ms);
      return ms as number;
    } catch (error) {
      this.events.report(this.name, error, 'resetTimeoutMs');
      return DEFAULT_RESET_MS;
    }
  }

  private reopen(reason: OpenReason, attempt: number, ms = this.resetFor(attempt)): void {
    this.attempt = attempt;
    this.moveTo({ kind: 'open', until: this.now() + ms }, 'open', reason, ms);
  }

  // ---- transitions: the one place where the state changes -------------------------------

  private moveTo(next: Inner, event: 'open', reason: OpenReason, retryAfterMs: number): void;
  private moveTo(next: Inner, event: 'close', reason: CloseReason): void;
  private moveTo(next: Inner, event: 'halfOpen' | 'isolate' | 'disable'): void;
  private moveTo(next: Inner, event: EventType, reason?: OpenReason | CloseReason, retryAfterMs?: number): void {
    const from = this.s.kind;
    this.s = next;
    this.gen++;
    this.refusedUntil = undefined;
    if (next.kind === 'closed') {
      this.window.reset();
      this.run = 0;
      this.attempt = 1;
    }
    this.onMove?.(this, next.kind);
    const origin = this.origin;
    if (origin === undefined && next.kind !== 'halfOpen') {
      this.fleet?.publish({ state: next.kind, reason, retryAfterMs: retryAfterMs ?? 0, attempt: this.attempt });
    }
    const events = this.events;
    const name = this.name;
    // close() on a closed breaker only resets it: no event.
    if (events.wants(BIT[event]) && !(event === 'close' && from === 'closed')) {
      const payload = event === 'open' ? { name, reason, retryAfterMs } : event === 'close' ? { name, reason } : { name };
      events.emit(event, origin === undefined ? payload : { ...payload, ...origin });
    }
    if (from !== next.kind && events.wants(BIT.stateChange)) {
      const payload = { name, from, to: next.kind };
      events.emit('stateChange', origin === undefined ? payload : { ...payload, ...origin });
    }
  }

  /**
   * @internal Takes up the fleet's state (made elsewhere when `origin` is given). An open
   * state already in force here only takes the fleet's remaining time, with no event.
   */
  follow(fleet: FleetState, origin: Origin | undefined): void {
    const s = this.observe();
    this.origin = origin;
    try {
      this.attempt = fleet.attempt;
      const reason = fleet.reason;
      switch (fleet.state) {
        case 'open': {
          if (s.kind === 'halfOpen' && fleet.retryAfterMs === 0) return;
          const next: Inner = { kind: 'open', until: this.now() + fleet.retryAfterMs };
          if (s.kind === 'open') this.s = next;
          else this.moveTo(next, 'open', isOpenReason(reason) ? reason : 'manual', fleet.retryAfterMs);
          return;
        }
        case 'closed':
          if (s.kind !== 'closed') this.moveTo(CLOSED, 'close', reason === 'probesSucceeded' ? reason : 'manual');
          return;
        case 'isolated':
          this.isolate();
          return;
        default:
          this.disable();
      }
    } finally {
      this.origin = undefined;
    }
  }

  open(durationMs?: number): void {
    if (durationMs !== undefined) duration('durationMs', durationMs);
    this.reopen('manual', this.attempt, durationMs);
  }

  isolate(): void {
    if (this.s.kind !== 'isolated') this.moveTo(ISOLATED, 'isolate');
  }

  disable(): void {
    if (this.s.kind !== 'disabled') this.moveTo(DISABLED, 'disable');
  }

  close(): void {
    this.moveTo(CLOSED, 'close', 'manual');
  }

  // ---- calls ------------------------------------------------------------------------------

  execute<T>(fn: (ctx: CallContext) => T | PromiseLike<T>, options?: ExecuteOptions): Promise<Awaited<T>> {
    if (options !== undefined || typeof fn !== 'function' || this.o.timeoutMs !== undefined) return execute(this, fn, options);
    // The fast path, written out here: every frame between the caller and `fn` (or its
    // rejection) is one more in each error's stack, and capturing it costs.
    const probe = this.enter();
    if (probe === REFUSED) return Promise.reject(this.refusal(new Error()));
    if (probe?.lease !== undefined) return executeLeased(this, probe, fn) as Promise<Awaited<T>>;
    const gen = this.gen;
    const start = this.startTime();
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
    const probe = this.enter();
    if (probe === REFUSED) throw this.refusal(new Error());
    if (probe?.lease !== undefined) throw this.hold(probe);
    return new ManualPermit(this, this.gen, this.startTime(), probe);
  }

  // ---- reading ----------------------------------------------------------------------------

  stats(): BreakerStats {
    const s = this.observe();
    const w = this.window;
    w.roll(this.now());
    return {
      name: this.name,
      state: s.kind,
      retryAfterMs: this.retryAfter(s),
      inFlight: this.inFlight,
      consecutiveFailures: this.run,
      window: {
        calls: w.calls,
        failures: w.failures,
        slowCalls: w.slowCalls,
        failureRate: w.calls === 0 ? 0 : w.failures / w.calls,
        slowCallRate: w.calls === 0 ? 0 : w.slowCalls / w.calls,
      },
      totals: this.totals(),
    };
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
    const s = this.observe();
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
