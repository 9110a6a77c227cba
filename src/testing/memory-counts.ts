import type { OpenReason } from '../events.js';
import type { FleetCounts } from '../stats.js';
import type { CountReport } from '../store.js';

/** The fleet's run of failures of one name: its length, each process's share, when it expires, whether it is announced. */
interface Run {
  n: number;
  readonly by: Map<string, number>;
  expires: number;
  announced: boolean;
  /** The processes whose failures it counted since it was announced. */
  readonly after: Set<string>;
}

/** One process's window report: its figures and when they stop counting. */
interface WindowFigures {
  readonly calls: number;
  readonly failures: number;
  readonly slowCalls: number;
  readonly expires: number;
}

/** What the fleet made of a report: the counts after it, whether it wants every outcome, and whether it opens. */
export interface Counted {
  readonly counts: FleetCounts;
  /** Whether the fleet wants every outcome from the reporter (and, when `changed`, from every process). */
  readonly counting: boolean;
  /** Whether the fleet started or stopped counting (a run announced or ended, a window near a threshold or not): every process of the name is told. */
  readonly changed: boolean;
  readonly open: OpenReason | undefined;
}

/** Rate mode: a sum at this share of a threshold or more is near it (as `NEAR` in the script). */
const NEAR = 0.5;

const NONE: FleetCounts = { calls: 0, failures: 0, slowCalls: 0, instances: 0 };

/**
 * @internal Counting across the fleet inside one process, as the Redis script does it: the
 * run of failures (consecutive mode), announced once it is one short of the threshold with
 * failures from two processes, and only then able to open (with failures counted since from two
 * processes, or `quorum`), and the live processes' windows summed (rate mode), decided on only
 * once the fleet has been counting (the sum near a threshold) for a report period; each
 * expiring when no report renews it.
 */
export class MemoryCounts {
  private readonly runs = new Map<string, Run>();
  private readonly windows = new Map<string, Map<string, WindowFigures>>();
  /** Rate mode: since when the fleet counts each name's windows. */
  private readonly since = new Map<string, number>();

  constructor(private readonly quorum: number) {}

  /** The fleet's state changed: its counts start again. */
  clear(name: string): void {
    this.runs.delete(name);
    this.windows.delete(name);
    this.since.delete(name);
  }

  count(name: string, id: string, r: CountReport, now: number): Counted {
    const result = r.kind === 'run' ? this.run(name, id, r, now) : this.window(name, id, r, now);
    if (result.open !== undefined) this.clear(name);
    return result;
  }

  private run(name: string, id: string, r: CountReport & { kind: 'run' }, now: number): Counted {
    let run = this.runs.get(name);
    if (run !== undefined && run.expires <= now) run = undefined;
    const announced = run?.announced ?? false;
    const add = (k: number): OpenReason | undefined => {
      if (k <= 0) return undefined;
      if (run === undefined) this.runs.set(name, (run = { n: 0, by: new Map(), expires: 0, announced, after: new Set() }));
      run.n += k;
      run.by.set(id, (run.by.get(id) ?? 0) + k);
      run.expires = now + r.keepMs;
      if (!announced) return undefined;
      run.after.add(id);
      return run.n >= r.threshold && run.after.size >= Math.max(this.quorum, 2) ? 'failures' : undefined;
    };
    let open = add(r.lead);
    if (open === undefined && r.reset) {
      run = undefined;
      this.runs.delete(name);
      open = add(r.tail);
    }
    if (open !== undefined) return { counts: NONE, counting: false, changed: false, open };
    const n = run?.n ?? 0;
    const instances = run?.by.size ?? 0;
    // A run that starts again from the failures after a success stays announced; one that ends is no longer.
    const told = n > 0 && (announced || (instances >= 2 && n >= r.threshold - 1));
    if (run !== undefined) run.announced = told;
    return { counts: { calls: n, failures: n, slowCalls: 0, instances }, counting: n > 0, changed: told !== announced, open };
  }

  private window(name: string, id: string, r: CountReport & { kind: 'window' }, now: number): Counted {
    let reports = this.windows.get(name);
    if (reports === undefined) this.windows.set(name, (reports = new Map()));
    // The reports expire together with the last of them (one key in Redis), and the count with them.
    if (![...reports.values()].some((figures) => figures.expires > now)) this.since.delete(name);
    reports.set(id, { calls: r.calls, failures: r.failures, slowCalls: r.slowCalls, expires: now + r.keepMs });
    let calls = 0;
    let failures = 0;
    let slowCalls = 0;
    let failingBy = 0;
    let slowBy = 0;
    for (const [key, figures] of reports) {
      if (figures.expires <= now) {
        reports.delete(key);
        continue;
      }
      calls += figures.calls;
      failures += figures.failures;
      slowCalls += figures.slowCalls;
      if (figures.failures > 0) failingBy++;
      if (figures.slowCalls > 0) slowBy++;
    }
    const counts = { calls, failures, slowCalls, instances: reports.size };
    const since = this.since.get(name);
    if (since !== undefined && now - since >= r.periodMs && calls > 0 && calls >= r.minimumCalls) {
      let open: OpenReason | undefined;
      if (failures / calls >= r.failureRate && failingBy >= this.quorum) open = 'failureRate';
      else if (r.slowCallRate <= 1 && slowCalls / calls >= r.slowCallRate && slowBy >= this.quorum) open = 'slowCallRate';
      if (open !== undefined) return { counts: NONE, counting: false, changed: false, open };
    }
    const near =
      calls > 0 &&
      (failures >= NEAR * r.failureRate * calls || (r.slowCallRate <= 1 && slowCalls >= NEAR * r.slowCallRate * calls));
    if (near && since === undefined) this.since.set(name, now);
    else if (!near) this.since.delete(name);
    return { counts, counting: near, changed: near !== (since !== undefined), open: undefined };
  }
}
