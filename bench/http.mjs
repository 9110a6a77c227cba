// Server CPU time per request of a minimal Express, Koa and Hono app: without middleware, with
// a no-op middleware and with the tripswitch middleware, all three in one server process.
// The server is pinned to one core and this process (autocannon, the load) to the other when
// `taskset` is there; each round loads every variant once, in a rotating order, and reads the
// server's own CPU time (process.cpuUsage()) and request count around each run. Differences are
// taken within a round; each figure is the median over rounds, with a 95 % confidence interval for it: the
// resolution of the measurement, which decides whether a target is met, missed or not resolved.
// Then the middleware's own time per request, read inside the server around it (the whole
// server's CPU cannot resolve 1 µs on a framework that costs 100 µs per request).
// Run by bench/run.mjs as `node --expose-gc bench/http.mjs`.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { emit, log, median } from './harness.mjs';

const FRAMEWORKS = (process.env.BENCH_HTTP_FRAMEWORKS ?? 'express,koa,hono').split(',');
const VARIANTS = ['none', 'noop', 'tripswitch'];
// The whole server's CPU per request: runs of 2 s. The middleware's own time, read inside the
// server, resolves far finer and needs only short runs (OWN_SECONDS); both take ROUNDS rounds.
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 2);
const OWN_SECONDS = 1;
const ROUNDS = Number(process.env.BENCH_HTTP_ROUNDS ?? 12);
const CONNECTIONS = 10;
const server = fileURLToPath(new URL('./http-server.mjs', import.meta.url));

/** Pins the server to core 0 and the load to core 1, when there are two cores and taskset. */
function pinning() {
  if (availableParallelism() < 2) return undefined;
  try {
    execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });
    return ['taskset', ['-c', '0', process.execPath]];
  } catch {
    return undefined;
  }
}
const pinned = pinning();

/** One autocannon run; fails on any error, timeout or non-2xx answer. */
async function load(port, duration) {
  const result = await autocannon({ url: `http://127.0.0.1:${port}/`, connections: CONNECTIONS, pipelining: 1, duration });
  if (result.errors > 0 || result.timeouts > 0 || result.non2xx > 0) {
    throw new Error(`port ${port}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx`);
  }
  return result.requests.average;
}

/** Starts the framework's servers; returns their ports and a way to ask the process. */
async function start(framework, ...args) {
  const [command, prefix] = pinned ?? [process.execPath, []];
  const child = spawn(command, [...prefix, server, framework, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const { value } = await lines.next();
  if (value === undefined) throw new Error(`${framework} server exited before listening`);
  const ask = async (question) => {
    child.stdin.write(`${question}\n`);
    return JSON.parse((await lines.next()).value);
  };
  return { child, ask, ports: JSON.parse(value) };
}

/** Server CPU µs per request of one run against `variant`. */
async function run(ask, ports, variant) {
  const before = await ask('cpu');
  const reqPerSec = await load(ports[variant], SECONDS);
  const after = await ask('cpu');
  const requests = after.counts[variant] - before.counts[variant];
  return { us: (after.cpuMicros - before.cpuMicros) / requests, reqPerSec };
}

/**
 * The median of `values` with the range, and a distribution-free 95 % confidence interval for
 * the median: the order statistics k and n + 1 - k, k = floor((n - 1.96 sqrt(n)) / 2) (at
 * least the first), which hold the true median between them with about 95 % probability.
 */
function spread(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const k = Math.max(1, Math.floor((n - 1.96 * Math.sqrt(n)) / 2));
  return { median: median(values), min: sorted[0], max: sorted[n - 1], ci: [sorted[k - 1], sorted[n - k]] };
}

/** Starts a framework's server (`args` as for bench/http-server.mjs), warms `variants` up, runs `use`, then stops it. */
async function withServer(framework, args, variants, use) {
  const server = await start(framework, ...args);
  try {
    for (const variant of variants) await load(server.ports[variant], 1);
    return await use(server);
  } finally {
    server.child.stdin.end();
    await once(server.child, 'exit');
  }
}

/**
 * ROUNDS rounds, each running every variant once in a rotating order; per variant, what
 * `runOne(variant)` returned, round by round. `afterRound(round, results)` may log.
 */
async function alternate(variants, runOne, afterRound = () => {}) {
  const results = Object.fromEntries(variants.map((v) => [v, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < variants.length; k++) {
      const variant = variants[(k + round) % variants.length];
      results[variant].push(await runOne(variant));
    }
    afterRound(round, results);
  }
  return results;
}

function measure(framework) {
  return withServer(framework, [], VARIANTS, async ({ ask, ports }) => {
    const runs = await alternate(
      VARIANTS,
      (variant) => run(ask, ports, variant),
      (round, r) =>
        log(
          `  ${framework} round ${round + 1}/${ROUNDS}: ${VARIANTS.map((v) => `${v} ${r[v][round].us.toFixed(2)} µs`).join(', ')}`,
        ),
    );
    const stats = await ask('stats');
    // The middleware must have seen its requests, and counted them all as successes.
    if (stats.totals.calls === 0 || stats.totals.successes !== stats.totals.calls || stats.state !== 'closed') {
      throw new Error(`${framework}: the middleware did not count the requests: ${JSON.stringify(stats)}`);
    }
    const us = (v) => runs[v].map((r) => r.us);
    const diff = (a, b) => us(a).map((x, r) => x - us(b)[r]);
    return {
      framework,
      none: spread(us('none')),
      noopOverNone: spread(diff('noop', 'none')),
      tripswitchOverNone: spread(diff('tripswitch', 'none')),
      tripswitchOverNoop: spread(diff('tripswitch', 'noop')),
      reqPerSec: Object.fromEntries(VARIANTS.map((v) => [v, median(runs[v].map((r) => r.reqPerSec))])),
      counted: stats.totals.calls,
    };
  });
}

/**
 * The middleware's own time per request, read inside the server (see bench/http-server.mjs,
 * variant `own`): the no-op and the tripswitch app, alternating, µs per request per run.
 */
function measureOwn(framework) {
  const variants = ['noop', 'tripswitch'];
  return withServer(framework, ['own'], variants, async ({ ask, ports }) => {
    const us = await alternate(variants, async (variant) => {
      const before = (await ask('own'))[variant];
      await load(ports[variant], OWN_SECONDS);
      const after = (await ask('own'))[variant];
      return ((after.ms - before.ms) / (after.requests - before.requests)) * 1000;
    });
    log(`  ${framework} own time: no-op ${median(us.noop).toFixed(2)} µs, tripswitch ${median(us.tripswitch).toFixed(2)} µs`);
    return {
      noop: spread(us.noop),
      tripswitch: spread(us.tripswitch),
      tripswitchOverNoop: spread(us.tripswitch.map((x, r) => x - us.noop[r])),
    };
  });
}

const rows = [];
const skipped = [];
for (const framework of FRAMEWORKS) {
  if (!existsSync(new URL(`../dist/adapters/${framework}.js`, import.meta.url))) {
    log(`  ${framework}: skipped, dist/adapters/${framework}.js was not built`);
    skipped.push(framework);
    continue;
  }
  rows.push({ ...(await measure(framework)), own: await measureOwn(framework) });
}
emit({
  group: process.env.BENCH_HTTP_GROUP ?? 'http',
  seconds: SECONDS,
  ownSeconds: OWN_SECONDS,
  rounds: ROUNDS,
  connections: CONNECTIONS,
  pinned: pinned !== undefined,
  rows,
  skipped,
});
