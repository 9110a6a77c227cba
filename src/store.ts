import type { CloseReason, OpenReason, State } from './state.js';
import type { FleetCounts } from './stats.js';

/**
 * A breaker's state as the fleet holds it. The store keeps one per breaker name.
 *
 * `halfOpen` is never stored: it is an `open` state whose period is over (`retryAfterMs` 0).
 *
 * @example
 * ```ts
 * import type { FleetState } from 'tripswitch';
 *
 * const opened: FleetState = { state: 'open', retryAfterMs: 30_000, attempt: 1, epoch: 1, instance: 'web-1', reason: 'failures' };
 * ```
 */
export interface FleetState {
  /** `closed`, `open`, `isolated` or `disabled`. */
  readonly state: Exclude<State, 'halfOpen'>;
  /** Open: milliseconds left in the open period, measured on the store's clock (0 once over). Otherwise 0. */
  readonly retryAfterMs: number;
  /** The attempt of the open period (1 on the first opening since the last close). */
  readonly attempt: number;
  /** Grows with every fleet transition, never goes back: a state with a lower epoch is older. 0: no record. */
  readonly epoch: number;
  /** The instance that made the transition. */
  readonly instance: string;
  /** Why it opened or closed, when it did. */
  readonly reason?: OpenReason | CloseReason | undefined;
}

/**
 * A transition a breaker made, as it tells the store. The store decides what the fleet makes
 * of it (a trip may only count as a vote, or be overtaken by a newer state) and answers with
 * the fleet's state through {@link StoreMember.adopt}.
 *
 * @example
 * ```ts
 * import type { Transition } from 'tripswitch';
 *
 * const trip: Transition = { state: 'open', reason: 'failures', retryAfterMs: 30_000, attempt: 1 };
 * ```
 */
export interface Transition {
  /** The state entered (`halfOpen` is never shared: every instance reaches it with time). */
  readonly state: Exclude<State, 'halfOpen'>;
  /** Open and close: why. An open with reason `failures`, `failureRate` or `slowCallRate` is a trip, subject to quorum. */
  readonly reason?: OpenReason | CloseReason | undefined;
  /** Open: the length of the open period in milliseconds. Otherwise 0. */
  readonly retryAfterMs: number;
  /** The attempt of the open period. */
  readonly attempt: number;
}

/**
 * What a breaker counting across the fleet tells its store, through {@link StoreLink.report}:
 * in consecutive mode (`run`) its outcomes since its last report, in rate mode (`window`) its
 * window's figures; with what the fleet needs to decide on them. Never awaited by a call.
 *
 * @example
 * ```ts
 * import type { CountReport } from 'tripswitch';
 *
 * const threeFailures: CountReport = {
 *   kind: 'run', lead: 3, reset: false, tail: 0, threshold: 5, retryAfterMs: 30_000, attempt: 1, keepMs: 30_000,
 * };
 * ```
 */
export type CountReport =
  | {
      /** Consecutive mode: the outcomes since the last report, as a run. */
      readonly kind: 'run';
      /** Failures before the report's first success (all of them when it has none). */
      readonly lead: number;
      /** Whether a success was counted: the fleet's run starts again from `tail`. */
      readonly reset: boolean;
      /** Failures after the report's last success. */
      readonly tail: number;
      /** The run that opens the fleet (`failureThreshold`). */
      readonly threshold: number;
      /** The open period if it opens, in milliseconds. */
      readonly retryAfterMs: number;
      /** The attempt of that open period. */
      readonly attempt: number;
      /** How long the fleet keeps the run with no new report, in milliseconds. */
      readonly keepMs: number;
    }
  | {
      /** Rate mode: the window's figures. */
      readonly kind: 'window';
      /** The window's calls. */
      readonly calls: number;
      /** Failures among them. */
      readonly failures: number;
      /** Slow calls among them. */
      readonly slowCalls: number;
      /** The calls the fleet's window must hold before a decision (`minimumCalls`). */
      readonly minimumCalls: number;
      /** `failureRateThreshold`. */
      readonly failureRate: number;
      /** `slowCallRateThreshold`, or a number above 1 when slow calls are not counted. */
      readonly slowCallRate: number;
      /** The open period if it opens, in milliseconds. */
      readonly retryAfterMs: number;
      /** The attempt of that open period. */
      readonly attempt: number;
      /** How long this report counts, in milliseconds (a time window's duration; a count window: the open period, at least two report periods). */
      readonly keepMs: number;
      /** The report period (a time window's bucket, a count window: a second): the fleet decides only once it has counted this long. */
      readonly periodMs: number;
    };

/**
 * What a store sees of a breaker attached to it. The breaker implements it; a store calls
 * `adopt` with the fleet's state, never on the call path of the breaker.
 *
 * @example
 * ```ts
 * import type { StoreMember } from 'tripswitch';
 *
 * const member: StoreMember = {
 *   name: 'payments',
 *   halfOpenMaxCalls: 1,
 *   adopt: (fleet, remote) => console.log(fleet.state, remote),
 *   local: () => undefined,
 * };
 * ```
 */
export interface StoreMember {
  /** The breaker's name (in a registry, its key): breakers of one name are one breaker fleet-wide. */
  readonly name: string;
  /** Probes allowed fleet-wide per half-open period. */
  readonly halfOpenMaxCalls: number;
  /**
   * Takes up the fleet's state when it is newer (by epoch) than the last one this breaker saw.
   * `remote` is true when another instance made the transition.
   */
  adopt(fleet: FleetState, remote: boolean): void;
  /**
   * For resynchronization: the breaker's current state as a transition, with epoch 0 when it
   * was made here and the fleet has not answered it yet (share it), or the fleet epoch it was
   * taken up at (restore it if the store lost it); undefined when the breaker has neither, as
   * when it is new (take up the fleet's state).
   */
  local():
    | {
        /** The breaker's current state, as the transition that led to it. */
        readonly transition: Transition;
        /** 0: made here and not yet answered by the fleet; otherwise the fleet epoch it was taken up at. */
        readonly epoch: number;
      }
    | undefined;
  /**
   * Fleet counting: how the breaker reports its counts (`run`: consecutive mode, `window`:
   * rate mode), for a store without a subscription that reads the fleet's counts itself.
   * Optional: a breaker sets it.
   */
  readonly reports?: 'run' | 'window' | undefined;
  /**
   * Fleet counting: what the fleet has counted of this name, and whether it wants every
   * outcome from this breaker now (its run is counted, or the fleet counts the name: the
   * breaker then reports its successes and windows too). Optional: a breaker implements it,
   * a store calls it.
   */
  fleetCounts?(counts: FleetCounts, counting: boolean): void;
}

/**
 * A breaker's link to its store, returned by {@link BreakerStore.attach}. None of its methods
 * throws or rejects; `lease` is the only one a call ever waits for.
 *
 * @example
 * ```ts
 * import type { StoreLink } from 'tripswitch';
 *
 * async function probe(link: StoreLink): Promise<boolean> {
 *   const granted = await link.lease(30_000);
 *   if (granted) link.probeDone('success');
 *   return granted;
 * }
 * ```
 */
export interface StoreLink {
  /** Shares a transition. Never waits; while the store is unavailable only the latest is kept. */
  publish(transition: Transition): void;
  /**
   * Asks for one of the fleet's `halfOpenMaxCalls` probe slots of the current half-open
   * period, held for `ttlMs` at most. Resolves true when granted, and also when the store
   * cannot answer within its timeout (the breaker then decides alone); false when refused.
   */
  lease(ttlMs: number): Promise<boolean>;
  /** A probe that held a lease ended: a success counts towards closing the fleet; `ignore` frees the slot. A failure is shared by `publish` (the reopening). */
  probeDone(outcome: 'success' | 'ignore'): void;
  /** Stops following the fleet. */
  detach(): void;
  /**
   * Optional: told of every call the breaker admits or turns away, so that a store without a
   * subscription can refresh the breaker's view of the fleet while it is used (an idle
   * breaker is never refreshed). Runs on the call path: it must be cheap and never throw.
   */
  readonly called?: (() => void) | undefined;
  /**
   * Present when the store counts failures across the fleet (`counting: 'fleet'`): sends a
   * breaker's counts. Resolves once the store answered or gave up; never rejects. While the
   * store is unavailable nothing is sent (the breaker counts alone meanwhile).
   */
  readonly report?: ((report: CountReport) => Promise<void>) | undefined;
}

/**
 * The health of a store and what went through it.
 *
 * @example
 * ```ts
 * import type { StoreStats } from 'tripswitch';
 *
 * const healthy = (stats: StoreStats) => stats.available && stats.errors === 0;
 * ```
 */
export interface StoreStats {
  /** Whether the store answers now. */
  available: boolean;
  /** Transitions sent to the fleet. */
  published: number;
  /** Fleet transitions taken up by a breaker here. */
  applied: number;
  /** Messages that were malformed, foreign or stale, and were dropped. */
  ignored: number;
  /** Store operations that failed or timed out. */
  errors: number;
  /** Probe leases granted to breakers here. */
  leasesGranted: number;
  /** Probe leases refused to breakers here. */
  leasesRefused: number;
  /** Counting across the fleet: count reports sent to the fleet (absent when the store counts locally). */
  reported?: number | undefined;
}

/**
 * A breaker joining its store's fleet, as {@link BreakerStore.join} receives it. Opaque: only
 * {@link joinFleet} reads it.
 *
 * @example
 * ```ts
 * import type { FleetCandidate } from 'tripswitch';
 *
 * const label = (breaker: FleetCandidate) => `joining as ${breaker.name}`;
 * ```
 */
export interface FleetCandidate {
  /** The breaker's name (in a registry, its key). */
  readonly name: string;
}

/**
 * The glue a breaker runs as a member of its store's fleet, returned by
 * {@link BreakerStore.join}. Opaque: only the breaker uses it.
 *
 * @example
 * ```ts
 * import { type FleetGlue, joinFleet } from 'tripswitch';
 * import { memoryStore } from 'tripswitch/testing';
 *
 * const join: (breaker: { name: string }) => FleetGlue = (breaker) => joinFleet(breaker, memoryStore());
 * ```
 */
export interface FleetGlue {
  /** Set while the breaker takes up a transition made elsewhere in the fleet. */
  readonly origin: unknown;
}

/**
 * Shared state for breakers of the same name across processes: the `store` option. The core
 * knows only this interface; `redisStore` (`tripswitch/redis`) and `memoryStore`
 * (`tripswitch/testing`) implement it.
 *
 * @example
 * ```ts
 * import { createBreaker } from 'tripswitch';
 * import { memoryStore } from 'tripswitch/testing';
 *
 * const store = memoryStore();
 * const a = createBreaker({ name: 'payments', store, failureThreshold: 1 });
 * const b = createBreaker({ name: 'payments', store });
 * a.open();
 * await store.flush();
 * console.log(b.state); // 'open'
 * ```
 */
export interface BreakerStore {
  /** This process's id in votes, leases and events. */
  readonly instanceId: string;
  /** Attaches a breaker; it then follows the fleet's state of its name, taken up at once. */
  attach(member: StoreMember): StoreLink;
  /** Health and counters. */
  stats(): StoreStats;
  /**
   * Makes a breaker of this store a member of its fleet (the store is passed as `store`): a
   * store brings this glue, so that a breaker without a store ships none of it. Every store
   * built on `attach` sets it to `joinFleet` (from `tripswitch`).
   */
  readonly join: (breaker: FleetCandidate, store: BreakerStore) => FleetGlue;
}
