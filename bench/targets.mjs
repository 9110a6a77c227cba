// The performance targets, each checked against a figure of the group that measures it.

const row = (result, id) => result.rows.find((r) => r.id === id || r.kind === id || r.framework === id || r.entry === id);
const ratio = (ref) => (result, id) => row(result, id)?.ratios[ref].median;
const times = (x) => `${x.toFixed(2)}x`;
const bytes = (x) => `${Math.round(x)} B`;
/** The fleet-scale group's row of one mode and size. */
const scale = (result, mode, p) => result.rows?.find((r) => r.mode === mode && r.p === p);
const growth = (mode, key, from, to) => (r) => {
  const a = scale(r, mode, from)?.[key];
  const b = scale(r, mode, to)?.[key];
  if (a === undefined || b === undefined) return undefined;
  // Nothing at either size (no deliveries at all): no growth.
  return a === 0 && b === 0 ? 1 : b / a;
};

/** `at most` or `at least` `limit`, read from a group's result by `read(result, id)`. */
const TARGETS = [
  // Held to the floors measured in the same run (bench/closed.mjs, open.mjs, failing.mjs).
  {
    group: 'closed',
    text: 'closed, success, consecutive, wrap vs floor',
    id: 'ts-consecutive-wrap',
    read: ratio('floor'),
    max: 1.1,
  },
  {
    group: 'closed',
    text: 'closed, success, consecutive, execute vs floor',
    id: 'ts-consecutive',
    read: ratio('floor'),
    max: 1.2,
  },
  { group: 'closed', text: 'closed, success, time window vs its floor', id: 'ts-time', read: ratio('floor'), max: 1.15 },
  { group: 'open', text: 'rejected while open, execute vs floor', id: 'ts', read: ratio('floor'), max: 1.1 },
  { group: 'open', text: 'rejected while open, wrap vs floor', id: 'ts-wrap', read: ratio('floor'), max: 1.1 },
  {
    group: 'failing',
    text: 'failing call, consecutive, execute vs bare throw',
    id: 'ts-consecutive',
    read: ratio('floor'),
    max: 1.2,
  },
  {
    group: 'failing',
    text: 'failing call, consecutive, wrap vs bare throw',
    id: 'ts-consecutive-wrap',
    read: ratio('floor'),
    max: 1.2,
  },
  {
    group: 'heap',
    text: 'heap per idle breaker, consecutive',
    id: 'ts-consecutive',
    read: (r, id) => row(r, id)?.bytes,
    max: 600,
  },
  { group: 'heap', text: 'heap per idle breaker, time window', id: 'ts-time', read: (r, id) => row(r, id)?.bytes, max: 1200 },
  // Per framework, the whole server's CPU and the middleware's own time, each with its interval.
  ...[
    ['HTTP server CPU per request', (r, id) => row(r, id)?.tripswitchOverNoop],
    ["HTTP middleware's own time per request", (r, id) => row(r, id)?.own?.tripswitchOverNoop],
  ].flatMap(([what, difference]) =>
    ['express', 'koa', 'hono'].map((id) => ({
      group: 'http',
      text: `${what}, tripswitch over a no-op middleware, ${id}`,
      id,
      read: (r) => difference(r, id)?.median,
      interval: (r) => difference(r, id)?.ci,
      max: 1,
      format: (v) => `${v >= 0 ? '+' : ''}${v.toFixed(2)} µs`,
    })),
  ),
  ...[
    ['Fastify server CPU per request', (r) => row(r, 'fastify')?.tripswitchOverNoop],
    ["Fastify plugin's own time per request", (r) => row(r, 'fastify')?.own?.tripswitchOverNoop],
  ].map(([what, difference]) => ({
    group: 'fastify',
    text: `${what}, tripswitch over a no-op plugin`,
    id: 'fastify',
    read: (r) => difference(r)?.median,
    interval: (r) => difference(r)?.ci,
    max: 1,
    format: (v) => `${v >= 0 ? '+' : ''}${v.toFixed(2)} µs`,
  })),
  {
    group: 'axios',
    text: 'axios GET through guardAxios vs a bare instance',
    id: 'guarded',
    read: ratio('bare'),
    max: 1.02,
    format: times,
  },
  {
    group: 'metrics',
    text: 'closed, success, collected by collectMetrics vs not',
    id: 'collected',
    read: ratio('plain'),
    max: 1.02,
  },
  { group: 'size', text: 'root entry, min+gzip, mitt included', id: '.', read: (r, id) => row(r, id)?.gzip, max: 2560 },
  {
    group: 'size',
    text: 'createBreaker alone, min+gzip, vs cockatiel circuitBreaker + ConsecutiveBreaker + handleAll',
    read: (r) => {
      const part = (name) => r.parts?.find((p) => p.part.startsWith(name))?.gzip;
      const ours = part('createBreaker alone');
      const theirs = part('cockatiel');
      return ours === undefined || theirs === undefined ? undefined : ours / theirs;
    },
    max: 1,
    format: times,
  },
  {
    group: 'fleet',
    text: 'closed, success, with a Redis store vs without',
    id: 'closed-store',
    read: ratio('closed'),
    max: 1.05,
  },
  {
    group: 'upstash',
    text: 'tripswitch/upstash: calls that waited on a request (10,000, endpoint answering in 2 s)',
    read: (r) => r.callPath.callsWaiting,
    max: 0,
    format: String,
  },
  {
    group: 'upstash',
    text: 'tripswitch/upstash: closed, success, store vs no store',
    read: (r) => r.cost.rows[1].ratios.alone.median,
    max: 1.05,
  },
  {
    group: 'upstash',
    text: 'tripswitch/upstash: requests per called breaker per refreshMs',
    read: (r) => r.perPeriod.perPeriod,
    max: 1,
    format: (v) => v.toFixed(2),
  },
  {
    group: 'upstash',
    text: 'tripswitch/upstash: requests of an idle breaker',
    read: (r) => r.perPeriod.idleRequests,
    max: 0,
    format: String,
  },
  {
    group: 'upstash',
    text: 'tripswitch/upstash: a trip elsewhere seen by an instance called every 2 ms, slowest of 10, beyond refreshMs + one request + 2 ms',
    read: (r) => r.propagation.max - (r.propagation.refreshMs + r.propagation.requestMs + 2),
    max: 0,
    format: (v) => `${v.toFixed(1)} ms`,
  },
  {
    group: 'upstash',
    text: 'tripswitch/upstash: 50 cold starts during an outage, ready(), 5 calls each: calls reaching the dependency',
    read: (r) => r.coldStart.ready,
    max: 15,
    format: String,
  },
  {
    group: 'upstash',
    text: 'tripswitch/upstash: call p99 while the endpoint answers in 2 s vs no store',
    read: (r) => r.slowEndpoint.ratio,
    max: 1.1,
  },
  { group: 'fleet', text: 'open, rejected, with a Redis store vs without', id: 'open-store', read: ratio('open'), max: 1.05 },
  { group: 'fleet', text: 'Redis commands per 10,000 closed-state calls', read: (r) => r.commands, max: 0, format: String },
  {
    group: 'fleet',
    text: 'propagation of a trip to 7 processes, p99',
    read: (r) => r.propagation.p99,
    max: 10,
    format: (v) => `${v.toFixed(2)} ms`,
  },
  {
    group: 'fleet',
    text: 'probes per half-open period, 8 processes (halfOpenMaxCalls 1)',
    read: (r) => r.probes.hits / r.probes.periods,
    max: 1,
    format: (v) => v.toFixed(2),
  },
  {
    group: 'fleet',
    text: "closed, success, Redis store counting 'fleet' vs no store",
    id: 'closed-counting-store',
    read: ratio('closed'),
    max: 1.05,
  },
  {
    group: 'fleet',
    text: "closed, 1 % failures, Redis store counting 'fleet' vs no store",
    id: 'failing1-counting-store',
    read: ratio('failing1'),
    max: 1.1,
  },
  {
    group: 'fleet',
    text: "Redis commands per 10,000 calls (4 processes, counting 'fleet'), all succeed",
    read: (r) => r.commandsByRate?.['0 %'].fleet.commands,
    max: 0,
    format: String,
  },
  {
    group: 'fleet',
    text: "Redis commands sent (scripts) per 10,000 calls (4 processes, counting 'fleet'), 1 % failures",
    read: (r) => r.commandsByRate?.['1 %'].fleet.scripts,
    max: 400,
    format: String,
  },
  {
    group: 'fleet',
    text: "calls reaching a dead upstream, 8 processes 20 ms apart, threshold 5, counting 'fleet'",
    read: (r) => r.detection?.consecutive.fleet,
    max: 12,
    format: String,
  },
  {
    group: 'fleet',
    text: "time to open, 12 processes at 1 call/s, 10 s window, minimumCalls 20, 50 %, counting 'fleet'",
    read: (r) => (r.detection === undefined ? undefined : (r.detection.rate.fleet ?? Number.POSITIVE_INFINITY)),
    max: 6000,
    format: (v) => (Number.isFinite(v) ? `${(v / 1000).toFixed(1)} s` : 'never'),
  },
  {
    group: 'fleet',
    text: 'call latency p99 during a Redis outage vs no store',
    read: (r) => r.outage.store.p99 / r.outage.none.p99,
    max: 1.25,
  },
  // The fleet at scale (bench/fleet-scale.mjs): P = 32, K = 100, 5 calls/s per breaker, 2 % failures.
  {
    group: 'fleet-scale',
    text: 'consecutive, P = 32: pub/sub deliveries per failure',
    read: (r) => scale(r, 'consecutive', 32)?.deliveriesPerFailure,
    max: 10,
    format: (v) => v.toFixed(1),
  },
  {
    group: 'fleet-scale',
    text: 'consecutive: deliveries per failure, P = 32 vs P = 8',
    read: growth('consecutive', 'deliveriesPerFailure', 8, 32),
    max: 2,
  },
  {
    group: 'fleet-scale',
    text: 'consecutive, P = 32: scripts per failure',
    read: (r) => scale(r, 'consecutive', 32)?.scriptsPerFailure,
    max: 2,
    format: (v) => v.toFixed(2),
  },
  {
    group: 'fleet-scale',
    text: 'rate (10 s window, 50 %), P = 32: scripts/s',
    read: (r) => scale(r, 'rate', 32)?.scriptsPerSecond,
    max: 100,
    format: (v) => Math.round(v).toLocaleString('en'),
  },
  ...['consecutive', 'rate'].flatMap((mode) => [
    {
      group: 'fleet-scale',
      text: `${mode}, P = 32: Redis CPU`,
      read: (r) => scale(r, mode, 32)?.cpuPercent,
      max: 3,
      format: (v) => `${v.toFixed(1)} %`,
    },
    {
      group: 'fleet-scale',
      text: `${mode}: µs per script, P = 32 vs P = 4 (at most 20 % more)`,
      read: growth(mode, 'usPerScript', 4, 32),
      max: 1.2,
    },
  ]),
  {
    group: 'fleet-scale',
    text: 'fleet trips at the 2 % background, every run of both modes',
    read: (r) => (r.rows?.length ? r.rows.reduce((sum, row) => sum + row.trips, 0) : undefined),
    max: 0,
    format: String,
  },
  {
    group: 'fleet-scale',
    text: 'after an empty restart (P = 32): scripts vs 5 per instance + 2 per breaker not closed',
    read: (r) => (r.restart?.p === 32 ? r.restart.scripts / r.restart.allowed : undefined),
    max: 1,
  },
  {
    group: 'fleet-scale',
    text: 'after an empty restart (P = 32): peak scripts per second',
    read: (r) => (r.restart?.p === 32 ? r.restart.peakPerSecond : undefined),
    max: 2000,
    format: (v) => Math.round(v).toLocaleString('en'),
  },
  {
    group: 'fleet-scale',
    text: 'after an empty restart (P = 32): every instance available, after the new server answered',
    read: (r) => (r.restart?.p === 32 ? (r.restart.availableAfterStartMs ?? Number.POSITIVE_INFINITY) : undefined),
    max: 3000,
    format: (v) => (Number.isFinite(v) ? `${(v / 1000).toFixed(2)} s` : 'never'),
  },
];

/** Evaluates the targets of one group: `{ text, target, measured, status }` per target. */
export function evaluate(group, result) {
  return TARGETS.filter((t) => t.group === group).map((t) => {
    const format = t.format ?? (t.group === 'heap' || t.group === 'size' ? bytes : times);
    const target = t.max !== undefined ? `<= ${format(t.max)}` : `>= ${format(t.min)}`;
    const value = t.read(result, t.id);
    if (value === undefined) return { text: t.text, target, measured: 'not measured', status: 'skipped' };
    const met = (x) => (t.max !== undefined ? x <= t.max : x >= t.min);
    // With a confidence interval, the target is met or missed only when the whole interval is.
    const interval = t.interval?.(result, t.id);
    if (interval !== undefined) {
      const measured = `${format(value)} (95 %: ${format(interval[0])} to ${format(interval[1])})`;
      const status = interval.every(met) ? 'met' : !interval.some(met) ? 'missed' : 'not resolved';
      return { text: t.text, target, measured, status };
    }
    return { text: t.text, target, measured: format(value), status: met(value) ? 'met' : 'missed' };
  });
}
