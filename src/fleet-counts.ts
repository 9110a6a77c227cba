import type { Gate } from './admission.js';
import type { Rooms } from './follow.js';
import type { FleetCounts } from './stats.js';
import type { CountReport, StoreLink } from './store.js';

/** Below this, a count window reports at most once per this many milliseconds. */
const COUNT_WINDOW_PERIOD_MS = 1000;
/** Consecutive mode: the failures in a row a process must see before it reports them while the fleet counts no run. */
export const EVIDENCE = 2;
/** Consecutive mode: a failure after at least this many calls without one is evidence on its own (a surprise). */
export const QUIET_CALLS = 1000;
/** Rate mode: a window at this share of a threshold or more is near it, and reports while the fleet counts nothing. */
export const NEAR = 0.5;

/**
 * @internal A breaker's share in counting across the fleet: the glue's side of `tally`. It
 * gathers the outcomes the fleet wants and sends them, never awaited, at most one report in
 * flight (later outcomes wait for the next): in consecutive mode as the run they make since
 * the last report, in rate mode as the window's figures, at most once per bucket period.
 *
 * What the fleet wants: while it counts (it told this breaker so, or the breaker's last report
 * joined a run), every outcome. Otherwise only local evidence: in consecutive mode a run of
 * `EVIDENCE` failures here (sent together) or a failure after `QUIET_CALLS` calls without one,
 * in rate mode a window at `NEAR` of a threshold or more. A background of scattered failures
 * sends next to nothing. It sets the breaker's `shares`:
 * failures only while the fleet counts nothing, every outcome while it counts.
 */
export class FleetTally {
  /** What the fleet counted, as last learnt. */
  counts: FleetCounts | undefined = undefined;
  /** Whether the fleet wants every outcome (a run or a window near a threshold is counted). */
  private counting = false;
  private busy = false;
  private dirty = false;
  // Consecutive mode: the outcomes since the last report, as a run.
  private lead = 0;
  private reset = false;
  private tail = 0;
  /** Consecutive mode: the failures of the breaker's current run already gathered. */
  private gathered = 0;
  /** Consecutive mode: the breaker's calls at its last failure. */
  private failedAt = Number.NEGATIVE_INFINITY;
  /** Rate mode: the period of the last report. */
  private period = Number.NaN;
  /** The breaker's calls when the fleet last told it anything. */
  private calls = 0;

  constructor(
    private readonly b: Gate,
    private readonly rooms: Rooms,
    private readonly send: NonNullable<StoreLink['report']>,
  ) {
    b.shares = 1;
  }

  tally(failed: boolean, _slow: boolean): void {
    const b = this.b;
    if (b.kind === 'consecutive') {
      if (!this.gather(failed)) return;
    } else if (b.shares < 2 && !this.near()) return;
    this.dirty = true;
    // What goes out now makes the fleet count: later outcomes go too, until its answer says otherwise.
    b.shares = 2;
    this.flush();
  }

  /** Consecutive mode: adds an outcome to the run to report; false when the fleet does not want it. */
  private gather(failed: boolean): boolean {
    const b = this.b;
    if (!failed) {
      // A slow success is no failure: the fleet wants it only while it counts a run.
      if (b.shares < 2) return false;
      this.reset = true;
      this.tail = 0;
      return true;
    }
    const run = b.run;
    const surprise = b.calls - this.failedAt > QUIET_CALLS;
    this.failedAt = b.calls;
    if (run <= this.gathered) this.gathered = 0;
    if (b.shares < 2 && !surprise && run < Math.min(EVIDENCE, b.o.failureThreshold - 1)) return false;
    // The breaker's run so far: every failure of it not gathered yet (the first EVIDENCE go together).
    const k = run - this.gathered;
    this.gathered = run;
    if (this.reset) this.tail += k;
    else this.lead += k;
    return true;
  }

  /** Rate mode: whether the breaker's own window is near a threshold. */
  private near(): boolean {
    const b = this.b;
    const o = b.o;
    const w = b.window;
    if (b.kind === 'time') w.roll(b.now());
    if (w.calls === 0) return false;
    if (w.failures >= NEAR * o.failureRateThreshold * w.calls) return true;
    return o.slowCallDurationMs !== undefined && w.slowCalls >= NEAR * o.slowCallRateThreshold * w.calls;
  }

  /** The fleet told what it counts, and whether it wants every outcome of this breaker. */
  learn(counts: FleetCounts, counting: boolean): void {
    const b = this.b;
    // A run announced: a process that called since it was last told anything answers at once with its
    // last outcome, a success (a healthy fleet ends the run within a round trip) or the failures of its
    // run not sent yet (a fleet failing everywhere opens within a round trip).
    const answer = counting && !this.counting && b.kind === 'consecutive' && b.calls > this.calls;
    this.calls = b.calls;
    this.counts = counts;
    this.counting = counting;
    this.share();
    if (!answer) return;
    if (b.run === 0) {
      this.reset = true;
      this.tail = 0;
    } else if (b.run > this.gathered) {
      const k = b.run - this.gathered;
      this.gathered = b.run;
      if (this.reset) this.tail += k;
      else this.lead += k;
    } else return;
    this.dirty = true;
    b.shares = 2;
    this.flush();
  }

  /** The breaker changed state: what was gathered belongs to the old one. */
  moved(): void {
    this.dirty = this.reset = this.counting = false;
    this.lead = this.tail = this.gathered = 0;
    this.counts = undefined;
    this.share();
  }

  private share(): void {
    const b = this.b;
    // In rate mode a window near a threshold keeps reporting; in consecutive mode only the fleet's run counts.
    const own = b.kind !== 'consecutive' && this.near();
    const failing = this.counting || (this.dirty && (this.lead > 0 || this.tail > 0)) || own;
    b.shares = failing ? 2 : 1;
  }

  private flush(): void {
    const b = this.b;
    if (this.busy || !this.dirty || b.s.kind !== 'closed') return;
    const o = b.o;
    const attempt = b.attempt;
    const retryAfterMs = this.rooms.resetFor(b, attempt);
    let report: CountReport;
    if (b.kind === 'consecutive') {
      report = {
        kind: 'run',
        lead: this.lead,
        reset: this.reset,
        tail: this.tail,
        threshold: o.failureThreshold,
        retryAfterMs,
        attempt,
        keepMs: retryAfterMs,
      };
      this.lead = this.tail = 0;
      this.reset = false;
    } else {
      const w = o.window;
      const step = w.kind === 'time' ? w.durationMs / w.buckets : COUNT_WINDOW_PERIOD_MS;
      const now = b.now();
      const period = Math.floor(now / step);
      // At most once per period: what changes meanwhile goes with a later outcome.
      if (period === this.period) return;
      this.period = period;
      const win = b.window;
      win.roll(now);
      report = {
        kind: 'window',
        calls: win.calls,
        failures: win.failures,
        slowCalls: win.slowCalls,
        minimumCalls: o.minimumCalls,
        failureRate: o.failureRateThreshold,
        slowCallRate: o.slowCallDurationMs === undefined ? 2 : o.slowCallRateThreshold,
        retryAfterMs,
        attempt,
        // A count window has no duration: its figures last an open period, and at least until a
        // member calling once per period has reported again.
        keepMs: w.kind === 'time' ? w.durationMs : Math.max(retryAfterMs, 2 * COUNT_WINDOW_PERIOD_MS),
        periodMs: step,
      };
    }
    this.dirty = false;
    this.busy = true;
    this.send(report).then(() => {
      this.busy = false;
      this.share();
      this.flush();
    });
  }
}
