// Fleet figures: breakers sharing their state through a real Redis (Debian's redis-server,
// started here on a free port). Run by bench/run.mjs as `node --expose-gc bench/fleet.mjs`.
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { Redis } from 'ioredis';
import { createBreaker } from '../dist/index.js';
import { redisStore } from '../dist/stores/redis/index.js';
import { haveRedis, startRedis } from '../scripts/redis-server.mjs';
import { check, emit, interleave, log, printRows, rejectingCase, summarize } from './harness.mjs';

if (!haveRedis()) throw new Error('redis-server is not installed (Debian: apt-get install redis-server)');
const HOUR = 3_600_000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (values, p) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))];
const redis = await startRedis();

// ---- call cost, with a store and without ----------------------------------------------------
const client = new Redis(redis.url);
client.on('error', () => {});
const store = redisStore({ client, prefix: 'bench-cost:' });
const fn = async (x) => x + 1;
let i = 0;
const plain = createBreaker({ name: 'plain' });
const shared = createBreaker({ name: 'shared', store });
const plainOpen = createBreaker({ name: 'plain-open', resetTimeoutMs: HOUR });
const sharedOpen = createBreaker({ name: 'shared-open', store, resetTimeoutMs: HOUR });
plainOpen.open();
sharedOpen.open();
await sleep(200);
const counts = {};
const cases = [
  { id: 'closed', label: 'closed, success, no store', fn: () => plain.execute(() => fn(++i)) },
  { id: 'closed-store', label: 'closed, success, Redis store', fn: () => shared.execute(() => fn(++i)) },
  rejectingCase(counts, 'open', 'open, rejected, no store', () => plainOpen.execute(() => fn(++i))),
  rejectingCase(counts, 'open-store', 'open, rejected, Redis store', () => sharedOpen.execute(() => fn(++i))),
];
await check('closed with a store', async () => ((await shared.execute(() => fn(1))) === 2 ? undefined : 'wrong result'));
const times = await interleave(cases, { slow: true });
const references = ['closed', 'open'];
const rows = summarize(cases, times, references);
printRows('call cost with a store', rows, references);
for (const [id, c] of Object.entries(counts))
  if (c.rejected !== c.calls) throw new Error(`${id}: ${c.calls - c.rejected} calls ran`);

// ---- Redis commands per 10,000 closed-state calls -----------------------------------------
const admin = new Redis(redis.url);
admin.on('error', () => {}); // Redis is killed on purpose below
const processed = async () => Number((await admin.info('stats')).match(/total_commands_processed:(\d+)/)[1]);
const idle0 = await processed();
const idle1 = await processed();
const before = await processed();
for (let k = 0; k < 10_000; k++) await shared.execute(() => fn(k));
const commands = (await processed()) - before - (idle1 - idle0);
log(`\nRedis commands per 10,000 closed-state calls: ${commands}`);
await store.close();
await client.quit();

// ---- a fleet of 8 processes ----------------------------------------------------------------
const fleet = await Promise.all(
  Array.from({ length: 8 }, async () => {
    const child = fork(new URL('./fleet-child.mjs', import.meta.url).pathname, [], {
      env: { ...process.env, REDIS_URL: redis.url },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const waiting = new Map();
    const events = [];
    let next = 0;
    child.on('message', (m) => {
      if (m.type === 'reply') waiting.get(m.id)?.(m);
      else if (m.type === 'event') events.push(m);
    });
    await new Promise((resolve) => child.once('message', resolve));
    const send = (command) =>
      new Promise((resolve) => {
        const id = ++next;
        waiting.set(id, resolve);
        child.send({ ...command, id });
      });
    return { child, events, send };
  }),
);
const until = async (test, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error('the fleet did not get there in time');
    await sleep(1);
  }
};

// Propagation: one process trips, the 7 others see the fleet open (and reject from then on).
await Promise.all(
  fleet.map((m) => m.send({ cmd: 'make', name: 'propagation', options: { failureThreshold: 1, resetTimeoutMs: HOUR } })),
);
await sleep(300);
const latencies = [];
const TRIALS = Number(process.env.BENCH_FLEET_TRIALS ?? 60);
for (let trial = 0; trial < TRIALS; trial++) {
  const from = fleet.map((m) => m.events.length);
  await fleet[0].send({ cmd: 'trip', name: 'propagation' });
  const fresh = (m, k) => m.events.slice(from[k]);
  await until(() => fleet.every((m, k) => fresh(m, k).some((e) => e.to === 'open')));
  const tripped = fresh(fleet[0], 0).find((e) => e.to === 'open').at;
  for (const [k, m] of fleet.entries()) if (k > 0) latencies.push(fresh(m, k).find((e) => e.to === 'open').at - tripped);
  const closing = fleet.map((m) => m.events.length);
  await fleet[0].send({ cmd: 'close', name: 'propagation' });
  await until(() => fleet.every((m, k) => m.events.slice(closing[k]).some((e) => e.to === 'closed')));
}
const propagation = {
  samples: latencies.length,
  p50: percentile(latencies, 50),
  p99: percentile(latencies, 99),
  max: Math.max(...latencies),
};
log(
  `propagation to 7 processes: p50 ${propagation.p50.toFixed(2)} ms, p99 ${propagation.p99.toFixed(2)} ms (${latencies.length} samples)`,
);

// Probes per half-open period: 8 processes call a failing upstream as fast as they can.
const hits = [];
const upstream = createServer((_req, res) => {
  hits.push(Date.now());
  res.statusCode = 500;
  res.end();
});
await new Promise((resolve) => upstream.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${upstream.address().port}/`;
const PERIOD = 200;
await Promise.all(
  fleet.map((m) => m.send({ cmd: 'make', name: 'probes', options: { failureThreshold: 1, resetTimeoutMs: PERIOD } })),
);
await sleep(300);
await fleet[0].send({ cmd: 'trip', name: 'probes' });
await until(() => fleet.every((m) => m.events.some((e) => e.name === 'probes' && e.to === 'open')));
const opened = hits.length;
await Promise.all(fleet.map((m) => m.send({ cmd: 'hammer', name: 'probes', url, forMs: 4_000 })));
const probeHits = hits.slice(opened);
// Every probe fails and reopens the fleet for a period: a probe less than 90% of a period
// after the one before is a second probe in one half-open period.
const gaps = probeHits.slice(1).map((t, k) => t - probeHits[k]);
const extra = gaps.filter((gap) => gap < 0.9 * PERIOD).length;
const exits = await Promise.all(fleet.map((m) => m.send({ cmd: 'exit' })));
const probes = {
  processes: fleet.length,
  periodMs: PERIOD,
  hits: probeHits.length,
  periods: probeHits.length - extra,
  extra,
  minGapMs: gaps.length > 0 ? Math.min(...gaps) : null,
  storeErrors: exits.reduce((sum, r) => sum + r.stats.errors, 0),
  leasesRefused: exits.reduce((sum, r) => sum + r.stats.leasesRefused, 0),
};
log(
  `probes: ${probes.hits} reached the upstream in ${probes.periods} half-open periods (${extra} extra; min gap ${probes.minGapMs} ms; ${probes.leasesRefused} leases refused, ${probes.storeErrors} store errors)`,
);
upstream.close();

// ---- latency and heap while Redis is down -------------------------------------------------
async function outage(withStore) {
  const c = withStore ? new Redis(redis.url) : undefined;
  // The application's client: its own errors are the application's to handle.
  c?.on('error', () => {});
  const s = withStore ? redisStore({ client: c, prefix: 'bench-outage:' }) : undefined;
  const b = createBreaker({ name: 'outage', store: s, resetTimeoutMs: 1 });
  if (withStore) {
    await sleep(100);
    redis.signal('SIGKILL');
    await sleep(300);
  }
  globalThis.gc();
  const heap0 = process.memoryUsage().heapUsed;
  const latency = [];
  for (let k = 0; k < 20_000; k++) {
    // A transition every 500 calls: with a store they are kept for later, the latest only.
    if (k % 500 === 0) b.open();
    if (k % 500 === 1) b.close();
    const t0 = performance.now();
    await b.execute(() => fn(k)).catch(() => {});
    latency.push(performance.now() - t0);
  }
  globalThis.gc();
  const heap = process.memoryUsage().heapUsed - heap0;
  if (withStore) {
    await s.close();
    c.disconnect();
    await redis.restart();
  }
  return { p50: percentile(latency, 50) * 1000, p99: percentile(latency, 99) * 1000, heapKiB: heap / 1024 };
}
const outageRows = { none: await outage(false), store: await outage(true) };
log(
  `outage: p99 ${outageRows.store.p99.toFixed(1)} µs with the store down, ${outageRows.none.p99.toFixed(1)} µs without a store`,
);
await admin.quit();
await redis.stop();

emit({
  group: 'fleet',
  rounds: times.closed.length,
  references,
  rows,
  counts,
  commands,
  propagation,
  probes,
  outage: outageRows,
});
