import type { State } from './state.js';

/**
 * Counts over the breaker's window: the rate window in rate mode, the outcomes since the
 * breaker last closed in consecutive mode.
 *
 * @example
 * ```ts
 * import { createBreaker, type WindowStats } from 'tripswitch';
 *
 * const window: WindowStats = createBreaker().stats().window;
 * console.log(window.failureRate); // 0
 * ```
 */
export interface WindowStats {
  /** Outcomes counted in the window (ignored ones excluded). */
  calls: number;
  /** Failures among them, timeouts and result failures included. */
  failures: number;
  /** Slow calls among them (lasting at least `slowCallDurationMs`). */
  slowCalls: number;
  /** failures / calls; 0 when the window is empty. */
  failureRate: number;
  /** slowCalls / calls; 0 when the window is empty. */
  slowCallRate: number;
}

/**
 * Counters that only grow, for metrics (Prometheus-style).
 *
 * @example
 * ```ts
 * import { createBreaker, type TotalStats } from 'tripswitch';
 *
 * const totals: TotalStats = createBreaker().stats().totals;
 * console.log(totals.calls, totals.rejected); // 0 0
 * ```
 */
export interface TotalStats {
  /** Calls let through. */
  calls: number;
  /** Calls that succeeded. */
  successes: number;
  /** Failures, timeouts and result failures included. */
  failures: number;
  /** Outcomes counted as neither success nor failure. */
  ignored: number;
  /** Calls turned away by `execute`, a guarded function or `acquire`. */
  rejected: number;
  /** Calls that ran longer than `timeoutMs` (also counted in `failures`). */
  timeouts: number;
}

/**
 * What the fleet has counted of a breaker's calls, as a process last learnt it: in rate mode
 * the sum of the live processes' windows; in consecutive mode the fleet's run of failures
 * (`calls` equals `failures`). `instances`: the processes whose figures make it up.
 *
 * @example
 * ```ts
 * import type { FleetCounts } from 'tripswitch';
 *
 * const counts: FleetCounts = { calls: 120, failures: 60, slowCalls: 0, instances: 12 };
 * console.log(counts.failures / counts.calls); // 0.5
 * ```
 */
export interface FleetCounts {
  /** Calls counted (consecutive mode: the run's failures). */
  readonly calls: number;
  /** Failures among them. */
  readonly failures: number;
  /** Slow calls among them (rate mode). */
  readonly slowCalls: number;
  /** The processes whose figures make up these counts. */
  readonly instances: number;
}

/**
 * A breaker's state and counters at one moment.
 *
 * @example
 * ```ts
 * import { createBreaker, type BreakerStats } from 'tripswitch';
 *
 * const stats: BreakerStats = createBreaker({ name: 'db' }).stats();
 * console.log(stats.name, stats.state, stats.inFlight); // 'db' 'closed' 0
 * ```
 */
export interface BreakerStats {
  /** The breaker's name. */
  name: string;
  /** The state, after applying any transition that was due. */
  state: State;
  /** Milliseconds until a call may be let through: 0 when one may be now, `Infinity` when isolated. */
  retryAfterMs: number;
  /** Calls let through whose outcome is not yet known. */
  inFlight: number;
  /**
   * The share of calls let through now: below 1 while ramping up after a close from half-open
   * (`rampUpMs`), 1 otherwise (even while open: this is the ramp, not the state).
   */
  ramp: number;
  /** Failures in a row among the outcomes counted towards the state. */
  consecutiveFailures: number;
  /** Counts over the window: the rate window, or the outcomes since the last close in consecutive mode. */
  window: WindowStats;
  /** Counters since the breaker was made (or since the snapshot it was restored from). */
  totals: TotalStats;
  /**
   * With a store counting across the fleet: what the breaker last learnt of the fleet's
   * counts. Absent when it knows nothing yet or counts locally.
   */
  fleet?: FleetCounts | undefined;
}
