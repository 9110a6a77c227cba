import type { Gate } from './admission.js';
import type { CircuitOpenError } from './errors.js';
import type { CloseReason, OpenReason } from './events.js';
import { FleetTally } from './fleet-counts.js';
import type { FleetHooks, Origin } from './fleet-hooks.js';
import { follow, type Rooms } from './follow.js';
import type { Probe } from './outcome.js';
import type { State } from './state.js';
import type { FleetCounts } from './stats.js';
import type { BreakerStore, FleetCandidate, FleetGlue, FleetState, StoreLink, StoreMember, Transition } from './store.js';

/** @internal What a breaker hands its store's `join`: itself, and its rooms' functions. */
export interface Joining extends FleetCandidate {
  readonly breaker: Gate;
  readonly rooms: Rooms;
}

const noop = (): void => undefined;

/**
 * @internal A breaker's membership in its store's fleet: it shares the breaker's transitions,
 * hands it the fleet's, and holds the probe leases. Only a breaker with a store has one.
 */
class Fleet implements StoreMember, FleetHooks {
  readonly name: string;
  readonly halfOpenMaxCalls: number;
  readonly link: StoreLink;
  origin: Origin | undefined = undefined;
  readonly called: () => void;
  readonly reports: 'run' | 'window';
  /** The newest fleet epoch taken up. */
  private epoch = 0;
  /** The latest transition made here that the fleet has not answered with a newer state. */
  private mine: Transition | undefined = undefined;
  /** A probe slot whose fleet lease was granted after `acquire()` turned its call away. */
  private kept: Probe | undefined = undefined;
  /**
   * After the fleet refused a lease, another process holds the probe: until its outcome is
   * shared, or its lease expires, calls here are turned away without asking again.
   */
  private refusedUntil: number | undefined = undefined;

  private readonly breaker: Gate;
  private readonly rooms: Rooms;
  /** With a store counting across the fleet: the breaker's share in it. */
  private readonly tallied: FleetTally | undefined;

  constructor(joining: Joining, store: BreakerStore) {
    const breaker = joining.breaker;
    this.breaker = breaker;
    this.rooms = joining.rooms;
    this.name = breaker.name;
    this.halfOpenMaxCalls = breaker.o.halfOpenMaxCalls;
    this.reports = breaker.kind === 'consecutive' ? 'run' : 'window';
    this.link = store.attach(this);
    this.called = this.link.called ?? noop;
    const report = this.link.report;
    this.tallied = report === undefined ? undefined : new FleetTally(breaker, this.rooms, report);
  }

  // ---- counting across the fleet -------------------------------------------------------

  tally(failed: boolean, slow: boolean): void {
    this.tallied?.tally(failed, slow);
  }

  counts(): FleetCounts | undefined {
    return this.tallied?.counts;
  }

  fleetCounts(counts: FleetCounts, counting: boolean): void {
    if (this.breaker.s.kind === 'closed') this.tallied?.learn(counts, counting);
  }

  // ---- the state machine's side --------------------------------------------------------

  moved(state: State, reason: OpenReason | CloseReason | undefined, retryAfterMs: number, attempt: number): void {
    this.refusedUntil = undefined;
    this.tallied?.moved();
    if (this.origin !== undefined || state === 'halfOpen') return;
    const transition: Transition = { state, reason, retryAfterMs, attempt };
    this.mine = transition;
    this.link.publish(transition);
  }

  adopt(fleet: FleetState, remote: boolean): void {
    if (!(fleet.epoch > this.epoch)) return;
    this.epoch = fleet.epoch;
    // The answer to a transition of ours this breaker has moved on from: the newer one is still to be
    // answered. Followed, it would undo that one and be shared again, each answer undoing the next.
    if (!remote && this.mine !== undefined && fleet.state !== this.mine.state) return;
    // A transition this breaker did not make (as the fleet's opening on its counts) is taken up as remote.
    this.origin = remote || this.mine === undefined ? { remote: true, instance: fleet.instance } : undefined;
    this.mine = undefined;
    try {
      follow(this.breaker, fleet, this.rooms);
    } finally {
      this.origin = undefined;
    }
  }

  local(): { readonly transition: Transition; readonly epoch: number } | undefined {
    const mine = this.mine;
    if (mine === undefined && this.epoch === 0) return undefined;
    const b = this.breaker;
    const s = this.rooms.observe(b);
    const state = s.kind;
    // Half-open is shared as open with no time left; isolated and disabled have no reason.
    const transition: Transition = {
      state: state === 'halfOpen' ? 'open' : state,
      reason: state === 'isolated' || state === 'disabled' ? undefined : (mine?.reason ?? 'manual'),
      retryAfterMs: state === 'open' ? this.rooms.retryAfter(b, s) : 0,
      attempt: b.attempt,
    };
    return { transition, epoch: mine === undefined ? this.epoch : 0 };
  }

  // ---- probe leases: admission's and the call path's side ------------------------------

  lease(ttlMs: number): Promise<boolean> {
    return this.link.lease(ttlMs);
  }

  probeDone(outcome: 'success' | 'ignore'): void {
    this.link.probeDone(outcome);
  }

  detach(): void {
    this.link.detach();
  }

  held(running: readonly Probe[]): Probe | undefined {
    const kept = this.kept;
    if (kept === undefined) return undefined;
    this.kept = undefined;
    return running.includes(kept) ? kept : undefined;
  }

  refusalLeft(): number {
    const until = this.refusedUntil;
    return until === undefined ? 0 : Math.max(0, until - this.breaker.now());
  }

  leased(probe: Probe, granted: boolean): Probe | undefined | CircuitOpenError {
    const b = this.breaker;
    const { admitted, reject, release } = this.rooms;
    const s = this.rooms.observe(b);
    probe.lease = undefined;
    if (s.kind === 'halfOpen' && s.running.includes(probe)) {
      if (granted) {
        // Its time as a probe starts now, not while it waited.
        probe.deadline = b.now() + s.ttl;
        return admitted(b, probe);
      }
      this.refusedUntil = b.now() + s.ttl;
      release(b, probe);
      return reject(b, s);
    }
    if (granted) this.link.probeDone('ignore');
    if (s.kind === 'closed' || s.kind === 'disabled') return admitted(b, undefined);
    return reject(b, s);
  }

  hold(probe: Probe): CircuitOpenError {
    const b = this.breaker;
    const { reject, release } = this.rooms;
    (probe.lease as Promise<boolean>).then((granted) => {
      probe.lease = undefined;
      const s = b.s;
      const current = s.kind === 'halfOpen' && s.running.includes(probe);
      if (granted && current) this.kept = probe;
      else {
        if (granted) this.link.probeDone('ignore');
        release(b, probe);
      }
    });
    return reject(b, b.s);
  }

  afterLease(probe: Probe, run: (probe: Probe | undefined) => Promise<unknown>): Promise<unknown> {
    return (probe.lease as Promise<boolean>).then((granted) => {
      const admitted = this.leased(probe, granted);
      // A probe let through is an object, or undefined; anything else is the error of a call turned away.
      return admitted === undefined || 'deadline' in admitted ? run(admitted) : Promise.reject(admitted);
    });
  }
}

/**
 * Makes a breaker a member of its store's fleet, built on the store's `attach`: the glue that
 * shares the breaker's transitions, takes up the fleet's state and holds its probe leases.
 * A store brings it as its `join` (see {@link BreakerStore}), so that a breaker without a
 * store ships none of it; a store of your own sets `join: joinFleet`.
 *
 * @example
 * ```ts
 * import { type BreakerStore, joinFleet } from 'tripswitch';
 *
 * function withFleet(store: Omit<BreakerStore, 'join'>): BreakerStore {
 *   return { instanceId: store.instanceId, attach: (m) => store.attach(m), stats: () => store.stats(), join: joinFleet };
 * }
 * ```
 */
export function joinFleet(breaker: FleetCandidate, store: BreakerStore): FleetGlue {
  return new Fleet(breaker as Joining, store);
}
