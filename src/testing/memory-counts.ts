import type { OpenReason } from '../events.js';
import type { FleetCounts } from '../stats.js';
import type { CountReport } from '../store.js';

/** The fleet's run of failures of one name: its length, each process's share, and when it expires. */
interface Run {
  n: number;
  readonly by: Map<string, number>;
  expires: number;
}

/** One process's window report: its figures and when they stop counting. */
interface WindowFigures {
  readonly calls: number;
  readonly failures: number;
  readonly slowCalls: number;
  readonly expires: number;
}

/** What the fleet made of a report: the counts after it, whether it counts failures, and whether it opens. */
export interface Counted {
  readonly counts: FleetCounts;
  readonly counting: boolean;
  /** Whether `counting` changed: every process of the name is told. */
  readonly changed: boolean;
  readonly open: OpenReason | undefined;
}

const NONE: FleetCounts = { calls: 0, failures: 0, slowCalls: 0, instances: 0 };

/**
 * @internal Counting across the fleet inside one process, as the Redis script does it: the
 * run of failures (consecutive mode) and the live processes' windows summed (rate mode),
 * each expiring when no report renews it, and the decision to open on them.
 */
export class MemoryCounts {
  private readonly runs = new Map<string, Run>();
  private readonly windows = new Map<string, Map<string, WindowFigures>>();
  private readonly failing = new Set<string>();

  constructor(private readonly quorum: number) {}

  /** The fleet's state changed: its counts start again. */
  clear(name: string): void {
    this.runs.delete(name);
    this.windows.delete(name);
    this.failing.delete(name);
  }

  count(name: string, id: string, r: CountReport, now: number): Counted {
    const was = this.failing.has(name);
    const result = r.kind === 'run' ? this.run(name, id, r, now) : this.window(name, id, r, now);
    if (result.open !== undefined) {
      this.clear(name);
      return { counts: NONE, counting: false, changed: false, open: result.open };
    }
    const counting = result.counts.failures > 0 || result.counts.slowCalls > 0;
    if (counting) this.failing.add(name);
    else this.failing.delete(name);
    return { counts: result.counts, counting, changed: counting !== was, open: undefined };
  }

  private run(name: string, id: string, r: CountReport & { kind: 'run' }, now: number): Omit<Counted, 'counting' | 'changed'> {
    let run = this.runs.get(name);
    if (run !== undefined && run.expires <= now) run = undefined;
    const add = (k: number): OpenReason | undefined => {
      if (k <= 0) return undefined;
      if (run === undefined) this.runs.set(name, (run = { n: 0, by: new Map(), expires: 0 }));
      run.n += k;
      run.by.set(id, (run.by.get(id) ?? 0) + k);
      run.expires = now + r.keepMs;
      return run.n >= r.threshold && run.by.size >= this.quorum ? 'failures' : undefined;
    };
    let open = add(r.lead);
    if (open === undefined && r.reset) {
      run = undefined;
      this.runs.delete(name);
      open = add(r.tail);
    }
    const n = run?.n ?? 0;
    return { counts: { calls: n, failures: n, slowCalls: 0, instances: run?.by.size ?? 0 }, open };
  }

  private window(
    name: string,
    id: string,
    r: CountReport & { kind: 'window' },
    now: number,
  ): Omit<Counted, 'counting' | 'changed'> {
    let reports = this.windows.get(name);
    if (reports === undefined) this.windows.set(name, (reports = new Map()));
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
    let open: OpenReason | undefined;
    if (calls > 0 && calls >= r.minimumCalls) {
      if (failures / calls >= r.failureRate && failingBy >= this.quorum) open = 'failureRate';
      else if (r.slowCallRate <= 1 && slowCalls / calls >= r.slowCallRate && slowBy >= this.quorum) open = 'slowCallRate';
    }
    return { counts, open };
  }
}
