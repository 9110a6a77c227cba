import type { CircuitOpenError } from './errors.js';
import type { CloseReason, OpenReason } from './events.js';
import type { Probe } from './outcome.js';
import type { State } from './state.js';
import type { FleetCounts } from './stats.js';

/** @internal Where a transition came from, when another instance of the fleet made it. */
export interface Origin {
  readonly remote: true;
  readonly instance: string;
}

/**
 * @internal What the breaker's rooms ask of the fleet glue, which only a breaker with a store
 * has: the store brings it (`BreakerStore.join`), so a breaker without one ships none of it.
 * Each hook is called at one place: the state machine shares its transitions, admission asks
 * for probe leases, counting ends them, the call path waits for them.
 */
export interface FleetHooks {
  /** Set while the breaker takes up a transition made elsewhere in the fleet: it is not shared again. */
  readonly origin: Origin | undefined;
  /** The state machine moved to `state` (shared unless it is half-open or taken up from the fleet). */
  moved(state: State, reason: OpenReason | CloseReason | undefined, retryAfterMs: number, attempt: number): void;
  /** A probe slot whose lease was granted after `acquire()` turned its call away, if still among `running`. */
  held(running: readonly Probe[]): Probe | undefined;
  /** How long calls are still turned away after the fleet refused a lease (0: not). */
  refusalLeft(): number;
  /** Asks the fleet for a probe lease held for `ttlMs` at most. */
  lease(ttlMs: number): Promise<boolean>;
  /** A probe that held a lease ended. */
  probeDone(outcome: 'success' | 'ignore'): void;
  /** The fleet answered a would-be probe's lease: the probe let through, or the error of the call turned away. */
  leased(probe: Probe, granted: boolean): Probe | undefined | CircuitOpenError;
  /** `acquire()` cannot wait for a lease: returns its call's error, keeping a granted lease for the next call. */
  hold(probe: Probe): CircuitOpenError;
  /** Waits for a would-be probe's lease, then runs the call as `run` says, or rejects it. */
  afterLease(probe: Probe, run: (probe: Probe | undefined) => Promise<unknown>): Promise<unknown>;
  /** A call reached the breaker (admission): the store may refresh the fleet's view in the background. Cheap: called on every call. */
  readonly called: () => void;
  /** Stops following the fleet (a registry let the breaker go). */
  detach(): void;
  /** Counting across the fleet: an outcome counted while closed (a failure or slow call always, a success while `shares` is 2). */
  tally(failed: boolean, slow: boolean): void;
  /** What the breaker last learnt of the fleet's counts (undefined: nothing yet, or counting locally). */
  counts(): FleetCounts | undefined;
}
