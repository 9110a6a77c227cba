import { type Clock, systemClock } from '../clock.js';
import { describe } from '../describe.js';
import type { CloseReason, OpenReason } from '../events.js';
import { joinFleet } from '../fleet.js';
import { knownKeys, optionsObject, positiveInteger } from '../options.js';
import type { BreakerStore, CountReport, FleetState, StoreLink, StoreMember, StoreStats, Transition } from '../store.js';
import { MemoryCounts } from './memory-counts.js';

/**
 * Options of {@link memoryStore}.
 *
 * @example
 * ```ts
 * import { manualClock, memoryStore, type MemoryStoreOptions } from 'tripswitch/testing';
 *
 * const options: MemoryStoreOptions = { quorum: 2, clock: manualClock() };
 * const store = memoryStore(options);
 * ```
 */
export interface MemoryStoreOptions {
  /** How many distinct breakers must trip, within one open period, before the fleet opens. @default 1 */
  readonly quorum?: number | undefined;
  /** The store's clock: the one clock of the fleet. @default systemClock */
  readonly clock?: Clock | undefined;
  /**
   * The prefix of each attached breaker's instance id (`${instanceId}#1`, `#2`, ...: the first
   * number no live breaker of its name uses, so a breaker made after one detached takes its id
   * and replaces its vote, as a process restarted under a stable `instanceId` does). 1 to 256
   * characters. @default 'memory'
   */
  readonly instanceId?: string | undefined;
  /**
   * How failures are counted: `'fleet'`, across every breaker of a name as if one saw every
   * call; `'local'`, each breaker counts its own calls and only transitions are shared.
   * @default 'fleet'
   */
  readonly counting?: 'fleet' | 'local' | undefined;
}

/**
 * A {@link BreakerStore} inside one process, where every attached breaker acts as a process of
 * its own: breakers of one name sharing it behave as a fleet does through `redisStore`. Answers
 * arrive asynchronously, as from a real store; `flush()` waits for all of them.
 *
 * @example
 * ```ts
 * import { createBreaker } from 'tripswitch';
 * import { memoryStore } from 'tripswitch/testing';
 *
 * const store = memoryStore();
 * const [a, b] = [createBreaker({ name: 'db', store }), createBreaker({ name: 'db', store })];
 * a.isolate();
 * await store.flush();
 * console.log(b.state); // 'isolated'
 * store.setAvailable(false); // an outage: every breaker decides alone
 * ```
 */
export interface MemoryStore extends BreakerStore {
  /** Resolves once every answer and message sent so far has been delivered. */
  flush(): Promise<void>;
  /** Resolves at once: the fleet's states are always known (as `redisStore`'s `ready()` once loaded). */
  ready(): Promise<void>;
  /** Simulates an outage (false) and the recovery (true), which resynchronizes every breaker. */
  setAvailable(available: boolean): void;
}

interface FleetRecord {
  state: FleetState['state'];
  epoch: number;
  until: number;
  attempt: number;
  instance: string;
  reason: OpenReason | CloseReason | undefined;
  successes: number;
  readonly votes: Map<string, number>;
  readonly leases: Map<Member, number[]>;
}

const TRIPS: readonly unknown[] = ['failures', 'failureRate', 'slowCallRate'];

/** One attached breaker: its link, and its place in the fleet as an instance of its own. */
class Member implements StoreLink {
  /** The latest transition made while the store was unavailable. */
  pending: Transition | undefined;
  readonly report: ((report: CountReport) => Promise<void>) | undefined;

  constructor(
    private readonly store: Store,
    readonly member: StoreMember,
    readonly id: string,
  ) {
    this.report = store.counts === undefined ? undefined : (report) => this.count(report);
  }

  private count(report: CountReport): Promise<void> {
    // While the store is unavailable nothing is sent: the breaker counts alone.
    if (!this.store.up) return Promise.resolve();
    this.store.stat.reported = (this.store.stat.reported as number) + 1;
    return new Promise((resolve) =>
      this.store.later(() => {
        this.store.tallyOf(this, report);
        resolve();
      }),
    );
  }

  publish(transition: Transition): void {
    this.store.stat.published++;
    if (!this.store.up) this.pending = transition;
    else this.store.later(() => this.store.publish(this, transition));
  }

  lease(ttlMs: number): Promise<boolean> {
    if (!this.store.up) {
      this.store.stat.errors++;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => this.store.later(() => resolve(this.store.lease(this, ttlMs))));
  }

  probeDone(outcome: 'success' | 'ignore'): void {
    if (this.store.up) this.store.later(() => this.store.probeDone(this, outcome));
  }

  detach(): void {
    this.store.detach(this);
  }

  adopt(fleet: FleetState): void {
    this.store.stat.applied++;
    this.member.adopt(fleet, fleet.instance !== this.id);
  }
}

class Store implements MemoryStore {
  readonly instanceId: string;
  readonly join = joinFleet;
  readonly stat: StoreStats = {
    available: true,
    published: 0,
    applied: 0,
    ignored: 0,
    errors: 0,
    leasesGranted: 0,
    leasesRefused: 0,
  };
  up = true;
  private readonly records = new Map<string, FleetRecord>();
  private readonly byName = new Map<string, Set<Member>>();
  private queued: Promise<void> = Promise.resolve();

  /** Counting across the fleet (`counting: 'fleet'`). */
  readonly counts: MemoryCounts | undefined;

  constructor(
    private readonly quorum: number,
    private readonly clock: Clock,
    instanceId: string,
    counting: 'fleet' | 'local',
  ) {
    this.instanceId = instanceId;
    this.counts = counting === 'fleet' ? new MemoryCounts(quorum) : undefined;
    if (counting === 'fleet') this.stat.reported = 0;
  }

  /** A breaker's counts: the fleet sums them, tells its breakers when it starts or stops counting failures, and may open. */
  tallyOf(m: Member, report: CountReport): void {
    const name = m.member.name;
    const r = this.record(name);
    if (r.state !== 'closed' || this.counts === undefined) return;
    const counted = this.counts.count(name, m.id, report, this.now());
    if (counted.open !== undefined) {
      const t: Transition = { state: 'open', reason: counted.open, retryAfterMs: report.retryAfterMs, attempt: report.attempt };
      this.set(m, r, t);
      return;
    }
    const tell = (other: Member) => other.member.fleetCounts?.(counted.counts, counted.counting);
    if (!counted.changed) tell(m);
    else for (const other of this.byName.get(name) as Set<Member>) tell(other);
  }

  attach(member: StoreMember): StoreLink {
    let members = this.byName.get(member.name);
    if (members === undefined) this.byName.set(member.name, (members = new Set()));
    // The first number no live breaker of the name uses: a breaker made after one detached takes
    // its id, as a process restarted under a stable instanceId (its vote replaces the old one).
    const used = new Set([...members].map((other) => other.id));
    let n = 1;
    while (used.has(`${this.instanceId}#${n}`)) n++;
    const m = new Member(this, member, `${this.instanceId}#${n}`);
    members.add(m);
    // A fleet state that is not closed is taken up before the breaker's first call.
    const r = this.records.get(member.name);
    if (r !== undefined && r.state !== 'closed') m.adopt(this.view(r));
    this.later(() => this.sync(m));
    return m;
  }

  detach(m: Member): void {
    this.byName.get(m.member.name)?.delete(m);
  }

  stats(): StoreStats {
    return { ...this.stat, available: this.up };
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }

  flush(): Promise<void> {
    const queued = this.queued;
    return queued.then(() => (this.queued === queued ? undefined : this.flush()));
  }

  setAvailable(available: boolean): void {
    if (typeof available !== 'boolean') throw new TypeError(`available must be a boolean, got ${describe(available)}`);
    if (available === this.up) return;
    this.up = this.stat.available = available;
    if (available) for (const members of this.byName.values()) for (const m of members) this.later(() => this.sync(m));
  }

  /** Runs `task` after the current one, as an answer over the network would arrive. */
  later(task: () => void): void {
    this.queued = this.queued.then(task);
  }

  private now(): number {
    return this.clock.now();
  }

  private record(name: string): FleetRecord {
    let r = this.records.get(name);
    if (r === undefined) {
      r = {
        state: 'closed',
        epoch: 0,
        until: 0,
        attempt: 1,
        instance: '',
        reason: undefined,
        successes: 0,
        votes: new Map(),
        leases: new Map(),
      };
      this.records.set(name, r);
    }
    return r;
  }

  private view(r: FleetRecord): FleetState {
    const retryAfterMs = r.state === 'open' ? Math.max(0, r.until - this.now()) : 0;
    return { state: r.state, retryAfterMs, attempt: r.attempt, epoch: r.epoch, instance: r.instance, reason: r.reason };
  }

  private expiredOpen(r: FleetRecord): boolean {
    return r.state === 'open' && this.now() >= r.until;
  }

  /** Makes `t` the fleet's state, with a new epoch, and tells every breaker of the name. */
  private set(m: Member, r: FleetRecord, t: Transition, attempt: number = t.attempt): void {
    const now = this.now();
    r.state = t.state;
    r.epoch = Math.max(r.epoch + 1, Math.floor(now * 1000));
    r.until = now + t.retryAfterMs;
    r.attempt = attempt;
    r.instance = m.id;
    r.reason = t.reason;
    r.successes = 0;
    r.votes.clear();
    r.leases.clear();
    this.counts?.clear(m.member.name);
    const state = this.view(r);
    for (const other of this.byName.get(m.member.name) ?? []) other.adopt(state);
  }

  publish(m: Member, t: Transition): void {
    const r = this.record(m.member.name);
    const attempt = this.decide(m, r, t);
    if (attempt === undefined) m.adopt(this.view(r));
    else this.set(m, r, t, attempt);
  }

  /** What the fleet makes of a transition: the attempt it takes it with, or undefined to keep its state. */
  private decide(m: Member, r: FleetRecord, t: Transition): number | undefined {
    const expired = this.expiredOpen(r);
    if (t.state === 'open' && (TRIPS.includes(t.reason) || (t.reason === 'probeFailed' && r.state === 'closed'))) {
      // A trip is a vote, and only while the fleet is closed or its open period is over.
      if (r.state !== 'closed' && !expired) return undefined;
      const now = this.now();
      r.votes.set(m.id, now + t.retryAfterMs);
      for (const [id, expiry] of r.votes) if (expiry <= now) r.votes.delete(id);
      return r.votes.size >= this.quorum ? t.attempt : undefined;
    }
    if (t.state === 'open' && t.reason === 'probeFailed') return expired ? Math.max(t.attempt, r.attempt + 1) : undefined;
    if (t.state === 'closed' && t.reason === 'probesSucceeded') return expired ? t.attempt : undefined;
    // Manual transitions are fleet-wide whatever the state.
    return t.attempt;
  }

  lease(m: Member, ttlMs: number): boolean {
    const r = this.record(m.member.name);
    let granted = r.state === 'closed' || r.state === 'disabled';
    if (this.expiredOpen(r)) {
      const now = this.now();
      let held = 0;
      for (const [holder, expiries] of r.leases) {
        const live = expiries.filter((expiry) => expiry > now);
        if (live.length === 0) r.leases.delete(holder);
        else r.leases.set(holder, live);
        held += live.length;
      }
      granted = held + r.successes < m.member.halfOpenMaxCalls;
      if (granted) r.leases.set(m, [...(r.leases.get(m) ?? []), now + ttlMs]);
    }
    if (granted) this.stat.leasesGranted++;
    else {
      this.stat.leasesRefused++;
      m.adopt(this.view(r));
    }
    return granted;
  }

  probeDone(m: Member, outcome: 'success' | 'ignore'): void {
    const r = this.record(m.member.name);
    r.leases.get(m)?.shift();
    if (outcome !== 'success' || !this.expiredOpen(r)) return;
    if (++r.successes >= m.member.halfOpenMaxCalls) {
      this.set(m, r, { state: 'closed', reason: 'probesSucceeded', retryAfterMs: 0, attempt: 1 });
    }
  }

  /** On attach and after an outage: shares what changed here meanwhile, else takes up the fleet's state. */
  sync(m: Member): void {
    const pending = m.pending;
    m.pending = undefined;
    if (pending !== undefined) {
      this.publish(m, pending);
      return;
    }
    const r = this.record(m.member.name);
    const local = m.member.local();
    if (local !== undefined && local.epoch === 0) {
      this.publish(m, local.transition);
    } else if (local !== undefined && local.epoch > r.epoch && local.transition.state !== 'closed') {
      // The store lost a newer state than it holds: the breaker's wins.
      this.set(m, r, local.transition);
    } else {
      m.adopt(this.view(r));
    }
  }
}

/**
 * Creates a {@link MemoryStore}: the fleet's behaviour inside one process, for tests. Each
 * breaker attached to it counts as an instance of its own (for quorum, leases and `remote`).
 *
 * @example
 * ```ts
 * import { createBreaker } from 'tripswitch';
 * import { manualClock, memoryStore } from 'tripswitch/testing';
 *
 * const clock = manualClock();
 * const store = memoryStore({ clock, quorum: 2 });
 * const a = createBreaker({ name: 'api', store, clock, failureThreshold: 1 });
 * const b = createBreaker({ name: 'api', store, clock, failureThreshold: 1 });
 * await a.execute(() => Promise.reject(new Error('down'))).catch(() => {});
 * await store.flush();
 * console.log(a.state, b.state); // 'open' 'closed': one vote of the two needed
 * ```
 */
export function memoryStore(options?: MemoryStoreOptions): MemoryStore {
  const o = knownKeys('options', optionsObject('options', options), ['quorum', 'clock', 'instanceId', 'counting']);
  const quorum = o.quorum ?? 1;
  positiveInteger('quorum', quorum);
  const clock = (o.clock ?? systemClock) as Clock;
  if (typeof clock !== 'object' || clock === null || typeof clock.now !== 'function') {
    throw new TypeError(`clock must be a Clock, got ${describe(clock)}`);
  }
  const instanceId = o.instanceId ?? 'memory';
  if (typeof instanceId !== 'string' || instanceId === '') {
    throw new TypeError(`instanceId must be a non-empty string, got ${describe(instanceId)}`);
  }
  if (instanceId.length > 256) throw new RangeError(`instanceId must have at most 256 characters, got ${instanceId.length}`);
  const counting = o.counting ?? 'fleet';
  if (counting !== 'fleet' && counting !== 'local') {
    throw new RangeError(`counting must be 'fleet' or 'local', got ${describe(counting)}`);
  }
  return new Store(quorum as number, clock, instanceId, counting);
}
