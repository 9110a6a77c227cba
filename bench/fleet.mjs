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
const store = redisStore({ client, prefix: 'bench-cost:', counting: 'local' });
const countingStore = redisStore({ client, prefix: 'bench-counted:', counting: 'fleet' });
const fn = async (x) => x + 1;
const down = new Error('down');
let i = 0;
const plain = createBreaker({ name: 'plain' });
const shared = createBreaker({ name: 'shared', store });
const counted = createBreaker({ name: 'counted', store: countingStore });
// One call in 100 fails: never five in a row, so the breakers stay closed.
const onePercent = (k) => (k % 100 === 0 ? Promise.reject(down) : fn(k));
const plainFailing = createBreaker({ name: 'plain-failing' });
const countedFailing = createBreaker({ name: 'counted-failing', store: countingStore });
const plainOpen = createBreaker({ name: 'plain-open', resetTimeoutMs: HOUR });
const sharedOpen = createBreaker({ name: 'shared-open', store, resetTimeoutMs: HOUR });
plainOpen.open();
sharedOpen.open();
await sleep(200);
const counts = {};
const cases = [
  { id: 'closed', label: 'closed, success, no store', fn: () => plain.execute(() => fn(++i)) },
  { id: 'closed-store', label: 'closed, success, Redis store', fn: () => shared.execute(() => fn(++i)) },
  {
    id: 'closed-counting-store',
    ref: 'closed',
    label: "closed, success, Redis store counting 'fleet'",
    fn: () => counted.execute(() => fn(++i)),
  },
  {
    id: 'failing1',
    label: 'closed, 1 % failures, no store',
    fn: () => plainFailing.execute(() => onePercent(++i)).catch(() => {}),
  },
  {
    id: 'failing1-counting-store',
    ref: 'failing1',
    label: "closed, 1 % failures, Redis store counting 'fleet'",
    fn: () => countedFailing.execute(() => onePercent(++i)).catch(() => {}),
  },
  rejectingCase(counts, 'open', 'open, rejected, no store', () => plainOpen.execute(() => fn(++i))),
  rejectingCase(counts, 'open-store', 'open, rejected, Redis store', () => sharedOpen.execute(() => fn(++i))),
];
await check('closed with a store', async () => ((await shared.execute(() => fn(1))) === 2 ? undefined : 'wrong result'));
const times = await interleave(cases, { slow: true });
const references = ['closed', 'open', 'failing1'];
const rows = summarize(cases, times, references);
for (const row of rows) row.ref = cases.find((c) => c.id === row.id).ref;
printRows('call cost with a store', rows, references);
for (const [id, c] of Object.entries(counts))
  if (c.rejected !== c.calls) throw new Error(`${id}: ${c.calls - c.rejected} calls ran`);

// ---- Redis commands per 10,000 closed-state calls -----------------------------------------
const admin = new Redis(redis.url);
admin.on('error', () => {}); // Redis is killed on purpose below
const processed = async () => Number((await admin.info('stats')).match(/total_commands_processed:(\d+)/)[1]);
/** Scripts run (EVALSHA and EVAL calls), each counted once whatever it runs inside. */
const scripts = async () => {
  const stats = await admin.info('commandstats');
  const calls = (command) => Number(stats.match(new RegExp(`cmdstat_${command}:calls=(\\d+)`))?.[1] ?? 0);
  return calls('evalsha') + calls('eval');
};
const idle0 = await processed();
const idle1 = await processed();
const before = await processed();
for (let k = 0; k < 10_000; k++) await shared.execute(() => fn(k));
const commands = (await processed()) - before - (idle1 - idle0);
log(`\nRedis commands per 10,000 closed-state calls: ${commands}`);
await store.close();
await countingStore.close();

// ---- Redis commands per 10,000 calls over 4 processes, by failure rate ---------------------
// Four stores on clients of their own stand for four processes, each making 2,500 calls about
// a millisecond apart, out of step; each fails one call in `failEvery` (0: none).
async function commandsAt(counting, failEvery) {
  const clients = Array.from({ length: 4 }, () => new Redis(redis.url));
  const prefix = `bench-commands-${counting}-${failEvery}:`;
  const stores = clients.map((c, m) => redisStore({ client: c, prefix, counting, instanceId: `p${m}` }));
  await Promise.all(stores.map((s) => s.ready()));
  const members = stores.map((s) => createBreaker({ name: 'commands', store: s }));
  await sleep(100);
  // INFO is a command too: the scripts are read first, so the count of commands starts after.
  const scriptsBefore = await scripts();
  const start = await processed();
  await Promise.all(
    members.map(async (b, m) => {
      await sleep(m / 4);
      for (let j = 0; j < 2_500; j++) {
        const fails = failEvery > 0 && (j + 25 * m) % failEvery === 0;
        await b.execute(() => (fails ? Promise.reject(down) : fn(j))).catch(() => {});
        await sleep(1);
      }
    }),
  );
  await Promise.all(stores.map((s) => s.flush()));
  const sent = (await processed()) - start - (idle1 - idle0);
  const sentScripts = (await scripts()) - scriptsBefore;
  const reports = stores.reduce((sum, s) => sum + (s.stats().reported ?? 0), 0);
  for (const s of stores) await s.close();
  for (const c of clients) await c.quit();
  return { commands: sent, scripts: sentScripts, reports };
}
const commandsByRate = {};
for (const [label, failEvery] of [
  ['0 %', 0],
  ['1 %', 100],
  ['100 %', 1],
]) {
  commandsByRate[label] = { local: await commandsAt('local', failEvery), fleet: await commandsAt('fleet', failEvery) };
  const { fleet: f, local: l } = commandsByRate[label];
  log(
    `Redis commands per 10,000 calls, 4 processes, ${label} failures: ${f.commands} (${f.scripts} scripts, ${f.reports} count reports) counting 'fleet', ${l.commands} (${l.scripts} scripts) counting 'local'`,
  );
}
await client.quit();

// ---- a fleet of 8 processes ----------------------------------------------------------------
const spawnFleet = (n) =>
  Promise.all(
    Array.from({ length: n }, async () => {
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
const fleet = await spawnFleet(8);
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
upstream.close();

// ---- detection: the upstream dies for every process at once --------------------------------
const dead = { up: true, hits: 0 };
const scenarioUpstream = createServer((_req, res) => {
  if (!dead.up) dead.hits++;
  res.statusCode = dead.up ? 200 : 500;
  res.end();
});
await new Promise((resolve) => scenarioUpstream.listen(0, '127.0.0.1', resolve));
const deadUrl = `http://127.0.0.1:${scenarioUpstream.address().port}/`;
const MODES = ['none', 'local', 'fleet'];

// Consecutive: 8 processes calling every 20 ms, failureThreshold 5; calls reaching the dead upstream.
const consecutive = {};
for (const mode of MODES) {
  const name = `consecutive-${mode}`;
  await Promise.all(
    fleet.map((m) => m.send({ cmd: 'make', name, counting: mode, options: { failureThreshold: 5, resetTimeoutMs: HOUR } })),
  );
  await sleep(300);
  dead.up = false;
  dead.hits = 0;
  await Promise.all(fleet.map((m) => m.send({ cmd: 'hammer', name, url: deadUrl, forMs: 2_000, everyMs: 20 })));
  consecutive[mode] = dead.hits;
  dead.up = true;
}
log(
  `consecutive, 8 processes 20 ms apart, threshold 5: ${consecutive.fleet} calls reached the dead upstream counting 'fleet', ${consecutive.local} counting 'local', ${consecutive.none} with no store`,
);

// Rate: 12 processes at one call per second, a 10 s window, minimumCalls 20, 50 %: time until every process rejects.
const rateFleet = [...fleet, ...(await spawnFleet(4))];
const RATE_WINDOW = { durationMs: 10_000, buckets: 10 };
for (const mode of MODES) {
  await Promise.all(
    rateFleet.map((m) =>
      m.send({
        cmd: 'make',
        name: `rate-${mode}`,
        counting: mode,
        options: { window: RATE_WINDOW, minimumCalls: 20, failureRateThreshold: 0.5, resetTimeoutMs: HOUR },
      }),
    ),
  );
}
const RATE_WARM_MS = Number(process.env.BENCH_RATE_WARM_MS ?? 11_000);
const RATE_WATCH_MS = Number(process.env.BENCH_RATE_WATCH_MS ?? 12_000);
const pacing = Promise.all(
  rateFleet.flatMap((m) =>
    MODES.map((mode) =>
      m.send({ cmd: 'hammer', name: `rate-${mode}`, url: deadUrl, forMs: RATE_WARM_MS + RATE_WATCH_MS, everyMs: 1000 }),
    ),
  ),
);
await sleep(RATE_WARM_MS);
const from = rateFleet.map((m) => m.events.length);
dead.up = false;
const died = performance.timeOrigin + performance.now();
await pacing;
dead.up = true;
const rate = {};
for (const mode of MODES) {
  const opened = rateFleet.map((m, k) => m.events.slice(from[k]).find((e) => e.name === `rate-${mode}` && e.to === 'open')?.at);
  rate[mode] = opened.every((at) => at !== undefined) ? Math.max(...opened) - died : null;
}
const seconds = (ms) => (ms === null ? `not within ${RATE_WATCH_MS / 1000} s` : `${(ms / 1000).toFixed(1)} s`);
log(
  `rate, 12 processes at 1 call/s, 10 s window, minimumCalls 20, 50 %: opened ${seconds(rate.fleet)} counting 'fleet', ${seconds(rate.local)} counting 'local', ${seconds(rate.none)} with no store`,
);
scenarioUpstream.close();
const detection = { consecutive, rate, watchMs: RATE_WATCH_MS };

const exits = await Promise.all(rateFleet.map((m) => m.send({ cmd: 'exit' })));
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
    // What the outage kept is undeliverable until Redis is back: close() says so, and still releases everything.
    await s.close().catch(() => {});
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
  commandsByRate,
  detection,
});
