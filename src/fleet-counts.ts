import type { Gate } from './admission.js';
import type { Rooms } from './follow.js';
import type { FleetCounts } from './stats.js';
import type { CountReport, StoreLink } from './store.js';

/** Below this, a count window reports at most once per this many milliseconds. */
const COUNT_WINDOW_PERIOD_MS = 1000;

/**
 * @internal A breaker's share in counting across the fleet: the glue's side of `tally`. It
 * gathers the outcomes the fleet wants and sends them, never awaited, at most one report in
 * flight (later outcomes wait for the next): in consecutive mode as the run they make since
 * the last report, in rate mode as the window's figures, at most once per bucket period.
 * It sets the breaker's `shares`: failures only while the fleet counts no failures, every
 * outcome while it does (or, in rate mode, while the breaker's own window holds failures).
 */
export class FleetTally {
  /** What the fleet counted, as last learnt. */
  counts: FleetCounts | undefined = undefined;
  /** Whether the fleet is counting failures (a run or a failing window is going). */
  private counting = false;
  private busy = false;
  private dirty = false;
  // Consecutive mode: the outcomes since the last report, as a run.
  private lead = 0;
  private reset = false;
  private tail = 0;
  /** Rate mode: the period of the last report. */
  private period = Number.NaN;

  constructor(
    private readonly b: Gate,
    private readonly rooms: Rooms,
    private readonly send: NonNullable<StoreLink['report']>,
  ) {
    b.shares = 1;
  }

  tally(failed: boolean, slow: boolean): void {
    // A slow success is no failure in consecutive mode: the fleet wants it only while it counts a run.
    if (!failed && this.b.shares < 2 && this.b.kind === 'consecutive') return;
    if (this.b.kind === 'consecutive') {
      if (!failed) {
        this.reset = true;
        this.tail = 0;
      } else if (this.reset) this.tail++;
      else this.lead++;
    }
    this.dirty = true;
    // A failure (or slow call) of ours starts a run (or a failing window) in the fleet: later successes count.
    if (failed || slow) this.b.shares = 2;
    this.flush();
  }

  /** The fleet told what it counts, and whether it is counting failures. */
  learn(counts: FleetCounts, counting: boolean): void {
    this.counts = counts;
    this.counting = counting;
    this.share();
  }

  /** The breaker changed state: what was gathered belongs to the old one. */
  moved(): void {
    this.dirty = this.reset = this.counting = false;
    this.lead = this.tail = 0;
    this.counts = undefined;
    this.share();
  }

  private share(): void {
    const b = this.b;
    const w = b.window;
    // In rate mode a window holding failures or slow calls keeps reporting; in consecutive mode only the fleet's run counts.
    const own = b.kind !== 'consecutive' && (w.failures > 0 || w.slowCalls > 0);
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
