// Requests per second of a minimal Express, Koa and Hono app, without and with the
// tripswitch middleware. The servers run in a child process (one core), autocannon here
// (the other core); runs alternate without/with and the ratio is the median of the pairs.
// Run by bench/run.mjs as `node --expose-gc bench/http.mjs`.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { emit, log, median } from './harness.mjs';

const FRAMEWORKS = ['express', 'koa', 'hono'];
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 3);
const PAIRS = Number(process.env.BENCH_HTTP_PAIRS ?? 4);
const server = fileURLToPath(new URL('./http-server.mjs', import.meta.url));

/** One autocannon run; fails on any error, timeout or non-2xx answer. */
async function load(port, duration) {
  const result = await autocannon({ url: `http://127.0.0.1:${port}/`, connections: 50, pipelining: 1, duration });
  if (result.errors > 0 || result.timeouts > 0 || result.non2xx > 0) {
    throw new Error(`port ${port}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx`);
  }
  return result.requests.average;
}

/** Starts the framework's two servers; returns their ports and a line reader. */
async function start(framework) {
  const child = spawn(process.execPath, [server, framework], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const { value } = await lines.next();
  if (value === undefined) throw new Error(`${framework} server exited before listening`);
  return { child, lines, ports: JSON.parse(value) };
}

async function measure(framework) {
  const { child, lines, ports } = await start(framework);
  try {
    await load(ports.plain, 1);
    await load(ports.guarded, 1);
    const plain = [];
    const guarded = [];
    for (let pair = 0; pair < PAIRS; pair++) {
      // Alternate which goes first, so neither always runs on a warmer process.
      if (pair % 2 === 0) {
        plain.push(await load(ports.plain, SECONDS));
        guarded.push(await load(ports.guarded, SECONDS));
      } else {
        guarded.push(await load(ports.guarded, SECONDS));
        plain.push(await load(ports.plain, SECONDS));
      }
      log(`  ${framework} pair ${pair + 1}/${PAIRS}: ${plain[pair].toFixed(0)} vs ${guarded[pair].toFixed(0)} req/s`);
    }
    child.stdin.write('stats\n');
    const stats = JSON.parse((await lines.next()).value);
    // The middleware must have seen the guarded requests, and counted them all as successes.
    if (stats.totals.calls === 0 || stats.totals.successes !== stats.totals.calls || stats.state !== 'closed') {
      throw new Error(`${framework}: the middleware did not count the requests: ${JSON.stringify(stats)}`);
    }
    const ratios = plain.map((p, k) => guarded[k] / p);
    return {
      framework,
      ratio: { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) },
      plainReqPerSec: median(plain),
      guardedReqPerSec: median(guarded),
      counted: stats.totals.calls,
    };
  } finally {
    child.stdin.end();
    await once(child, 'exit');
  }
}

const rows = [];
const skipped = [];
for (const framework of FRAMEWORKS) {
  if (!existsSync(new URL(`../dist/adapters/${framework}.js`, import.meta.url))) {
    log(`  ${framework}: skipped, dist/adapters/${framework}.js was not built`);
    skipped.push(framework);
    continue;
  }
  rows.push(await measure(framework));
}
emit({ group: 'http', seconds: SECONDS, pairs: PAIRS, connections: 50, pipelining: 1, rows, skipped });
