// Shared by the timing groups: interleaved rounds of mitata measurements, so that every
// ratio compares cases measured seconds apart, under the same machine load.
import { measure } from 'mitata';

/** The median of a list of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Writes a progress line to stderr (stdout carries the group's JSON result). */
export function log(message) {
  process.stderr.write(`${message}\n`);
}

/** Runs `fn` and fails loudly when a case does not behave as its name says. */
export async function check(label, fn) {
  const problem = await fn();
  if (problem) throw new Error(`${label}: ${problem}`);
}

/**
 * Measures every case once per round, rotating the order each round, and returns per case
 * the median time per call and, per round, its time; `ratios` then divides round by round.
 * A case is `{ id, label, fn }` where `fn` returns a promise (one call).
 */
export async function interleave(cases, { slow = false, ms = 150 } = {}) {
  const rounds = Number(process.env.BENCH_ROUNDS ?? (slow ? 11 : 9));
  // Calls that take microseconds (they create an Error) get smaller batches: mitata's default
  // of 12 batches of 4096 calls would spend seconds on a single measurement.
  const options = { min_cpu_time: ms * 1e6, ...(slow ? { batch_samples: 256, min_samples: 8 } : {}) };
  const times = Object.fromEntries(cases.map((c) => [c.id, []]));
  // One short pass first: every code path is compiled before anything is kept.
  for (const c of cases) await measure(c.fn, { ...options, min_cpu_time: 30e6 });
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < cases.length; k++) {
      const c = cases[(k + round) % cases.length];
      const stats = await measure(c.fn, options);
      times[c.id].push(stats.p50);
    }
    log(`  round ${round + 1}/${rounds} done`);
  }
  return times;
}

/**
 * Per case: the median ns per call, and its ratio to each reference (median, min, max over
 * rounds). The reference `floor` stands for each case's own floor (`c.floor`, the id of the
 * case that measures the least a breaker of this design can cost for that kind of call); a
 * case without one has no `floor` ratio.
 */
export function summarize(cases, times, references) {
  return cases.map((c) => {
    const row = { id: c.id, label: c.label, ns: median(times[c.id]), ratios: {} };
    if (c.floor !== undefined) row.floor = c.floor;
    for (const ref of references) {
      const refId = ref === 'floor' ? c.floor : ref;
      if (refId === undefined) continue;
      const perRound = times[c.id].map((t, r) => t / times[refId][r]);
      row.ratios[ref] = { median: median(perRound), min: Math.min(...perRound), max: Math.max(...perRound) };
    }
    return row;
  });
}

/** Prints a group's rows to stderr, for whoever watches the run. */
export function printRows(title, rows, references) {
  log(`\n${title}`);
  for (const row of rows) {
    const ratios = references
      .filter((ref) => row.ratios[ref] !== undefined)
      .map((ref) => `${row.ratios[ref].median.toFixed(2)}x ${ref}`)
      .join('  ');
    log(`  ${row.label.padEnd(46)} ${row.ns.toFixed(1).padStart(8)} ns   ${ratios}`);
  }
}

/** Ends a group: its result goes to stdout as one JSON line. */
export function emit(result) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/**
 * A measured case whose one call must reject, tallied in `counts[id]` (calls, and rejections
 * that `accept` takes as the expected one), so a group can check that every call rejected.
 */
export function rejectingCase(counts, id, label, call, accept = () => true) {
  const tally = (counts[id] = { calls: 0, rejected: 0 });
  return {
    id,
    label,
    fn: async () => {
      tally.calls++;
      try {
        await call();
      } catch (error) {
        if (accept(error)) tally.rejected++;
      }
    },
  };
}
