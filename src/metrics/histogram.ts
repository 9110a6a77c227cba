/** @internal One label set's observations: counts per bucket (not cumulated), sum and count. */
interface Cell {
  readonly counts: number[];
  sum: number;
  count: number;
}

/** @internal A point as prom-client's registry formats it. */
export interface PromValue {
  readonly labels: Record<string, string | number>;
  readonly value: number;
  readonly metricName?: string;
}

/**
 * @internal Call durations by breaker name and outcome, in Prometheus histogram form. Lighter
 * than prom-client's `Histogram` on the call path (no label hashing): one map lookup and a
 * short scan of the bounds per call.
 */
export class DurationHistogram {
  private readonly cells = new Map<string, Map<string, Cell>>();

  constructor(private readonly bounds: readonly number[]) {}

  observe(name: string, outcome: string, seconds: number): void {
    let byOutcome = this.cells.get(name);
    if (byOutcome === undefined) this.cells.set(name, (byOutcome = new Map()));
    let cell = byOutcome.get(outcome);
    if (cell === undefined)
      byOutcome.set(outcome, (cell = { counts: new Array(this.bounds.length + 1).fill(0), sum: 0, count: 0 }));
    let i = 0;
    while (i < this.bounds.length && seconds > (this.bounds[i] as number)) i++;
    (cell.counts[i] as number)++;
    cell.sum += seconds;
    cell.count++;
  }

  /** The `_bucket`, `_sum` and `_count` points; names not in `present` are forgotten. */
  values(metric: string, present: ReadonlySet<string>, labels: Record<string, string>): PromValue[] {
    const out: PromValue[] = [];
    for (const [name, byOutcome] of this.cells) {
      if (!present.has(name)) {
        this.cells.delete(name);
        continue;
      }
      for (const [outcome, cell] of byOutcome) {
        const own = { ...labels, name, outcome };
        let cumulative = 0;
        this.bounds.forEach((bound, i) => {
          cumulative += cell.counts[i] as number;
          out.push({ metricName: `${metric}_bucket`, labels: { ...own, le: bound }, value: cumulative });
        });
        out.push({ metricName: `${metric}_bucket`, labels: { ...own, le: '+Inf' }, value: cell.count });
        out.push({ metricName: `${metric}_sum`, labels: own, value: cell.sum });
        out.push({ metricName: `${metric}_count`, labels: own, value: cell.count });
      }
    }
    return out;
  }
}
