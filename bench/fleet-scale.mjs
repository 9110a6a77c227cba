// The fleet at scale: P instances (several stores per child process, each store its own
// instance on a client of its own) x K breakers on one real redis-server, 5 calls/s per breaker
// per instance, 2 % of them failing at random, in both modes (consecutive, threshold 5; rate,
// a 10 s window at 50 %). Per P, what Redis does (INFO) and what the instances received; then
// Redis restarted empty under the largest fleet, and what the resynchronization costs.
// Run by bench/run.mjs (`npm run bench -- --group fleet-scale [--quick] [--p=4,32] ...`), or
// directly: `node bench/fleet-scale.mjs --quick` after `npm run build`.
import { fork } from 'node:child_process';
import { Redis } from 'ioredis';
import { haveRedis, startRedis } from '../scripts/redis-server.mjs';
import { between, readCounters, readScripts } from './fleet-scale-info.mjs';
import { scaleOptions } from './fleet-scale-options.mjs';
import { emit, log } from './harness.mjs';

if (!haveRedis()) throw new Error('redis-server is not installed (Debian: apt-get install redis-server)');
const settings = scaleOptions(process.argv.slice(2));
const MODES = {
  consecutive: { label: 'consecutive, threshold 5', options: { failureThreshold: 5 } },
  rate: {
    label: 'rate, 10 s window, 50 %',
    options: { window: { durationMs: 10_000, buckets: 10 }, failureRateThreshold: 0.5 },
  },
};
const IPC_MS = 60_000;
const READY_MS = 20_000;
const AVAILABLE_MS = 30_000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const now = () => performance.timeOrigin + performance.now();

/** A child process of the fleet, driven by `send(command)` (each answer within IPC_MS). */
async function spawnChild(events) {
  const child = fork(new URL('./fleet-scale-child.mjs', import.meta.url).pathname, [], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const waiting = new Map();
  let next = 0;
  child.on('message', (m) => {
    if (m.type === 'reply') waiting.get(m.id)?.(m);
    else if (m.type === 'event') events.push(m);
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await Promise.race([
    new Promise((resolve) => child.once('message', resolve)),
    exited.then(() => {
      throw new Error('a fleet process exited before it was ready');
    }),
  ]);
  const send = (command) =>
    new Promise((resolve, reject) => {
      const id = ++next;
      const timer = setTimeout(
        () => reject(new Error(`a fleet process did not answer "${command.cmd}" within ${IPC_MS} ms`)),
        IPC_MS,
      );
      waiting.set(id, (m) => {
        clearTimeout(timer);
        waiting.delete(id);
        if (m.error) reject(new Error(`fleet process, ${command.cmd}: ${m.error}`));
        else resolve(m);
      });
      child.send({ ...command, id });
    });
  return { child, send, exited };
}

const sum = (values, key) => values.reduce((total, v) => total + v[key], 0);
const snapshot = async (children) => {
  const parts = await Promise.all(children.map((c) => c.send({ cmd: 'snapshot' })));
  const total = { parts };
  for (const key of ['calls', 'failures', 'rejected', 'trips', 'adopted', 'messages', 'notClosed', 'available', 'storeErrors'])
    total[key] = sum(parts, key);
  return total;
};
/** Per second, summed over the processes, each over the time between its own two snapshots. */
const perSecond = (a, b, key) =>
  b.parts.reduce((total, part, k) => total + ((part[key] - a.parts[k][key]) / (part.at - a.parts[k].at)) * 1000, 0);

/** Starts P instances of `mode` spread over the children; resolves once every one is ready. */
async function startFleet(children, redis, mode, p, run) {
  const instances = Array.from({ length: p }, (_, n) => `scale-${run}-${n}`);
  const replies = await Promise.all(
    children.map((c, k) =>
      c.send({
        cmd: 'start',
        url: redis.url,
        prefix: `scale-${run}:`,
        instances: instances.filter((_, n) => n % children.length === k),
        breakers: settings.breakers,
        options: MODES[mode].options,
        callsPerSecond: settings.callsPerSecond,
        failureRate: settings.failureRate,
        readyMs: READY_MS,
      }),
    ),
  );
  const ready = sum(replies, 'ready');
  if (ready !== p) throw new Error(`${p - ready} of ${p} instances were not ready within ${READY_MS} ms`);
  await Promise.all(children.map((c) => c.send({ cmd: 'go' })));
}

/** One measured period of a running fleet: Redis's counters and the instances', before and after. */
async function measure(children, admin, mode, p, baselineMemory) {
  // The instances' counters and Redis's are read at the same time, at both ends.
  const [fleet0, redis0] = await Promise.all([snapshot(children), readCounters(admin)]);
  await sleep(settings.seconds * 1000);
  const [fleet1, redis1] = await Promise.all([snapshot(children), readCounters(admin)]);
  const r = between(redis0, redis1);
  const d = (key) => fleet1[key] - fleet0[key];
  const failures = d('failures');
  const deliveries = d('messages');
  const failuresPerSecond = perSecond(fleet0, fleet1, 'failures');
  const row = {
    id: `${mode}-${p}`,
    mode,
    p,
    breakers: settings.breakers,
    seconds: r.seconds,
    callsPerSecond: perSecond(fleet0, fleet1, 'calls'),
    failuresPerSecond,
    scriptsPerSecond: r.scriptsPerSecond,
    scriptsPerFailure: failures > 0 ? r.scriptsPerSecond / failuresPerSecond : undefined,
    publishesPerSecond: r.publishesPerSecond,
    deliveriesPerSecond: perSecond(fleet0, fleet1, 'messages'),
    deliveriesPerFailure: failures > 0 ? deliveries / failures : undefined,
    bytesOutPerSecond: r.bytesOutPerSecond,
    cpuPercent: r.cpuPercent,
    usPerScript: r.usPerScript,
    usedMemory: r.usedMemory,
    fleetMemory: r.usedMemory - baselineMemory,
    commandsPerSecond: r.commandsPerSecond,
    trips: d('trips'),
    adopted: d('adopted'),
    rejected: d('rejected'),
    storeErrors: d('storeErrors'),
  };
  log(
    `  ${MODES[mode].label}, P = ${p}: ${row.failuresPerSecond.toFixed(0)} failures/s, ${row.scriptsPerSecond.toFixed(0)} scripts/s (${row.scriptsPerFailure?.toFixed(2) ?? '—'} per failure), ${row.publishesPerSecond.toFixed(0)} publishes/s, ${row.deliveriesPerFailure?.toFixed(1) ?? '—'} deliveries per failure, ${(row.bytesOutPerSecond / 1000).toFixed(1)} kB/s out, Redis CPU ${row.cpuPercent.toFixed(1)} %, ${row.usPerScript?.toFixed(1) ?? '—'} µs per script, used_memory ${(row.usedMemory / 2 ** 20).toFixed(1)} MiB, ${row.trips} trips (${row.adopted} adopted), ${row.storeErrors} store errors`,
  );
  return row;
}

/**
 * Kills Redis under the running fleet (its calls paused, so that every script counted is the
 * resynchronization's), keeps it down `downMs`, starts it again empty on the same port, and
 * samples its scripts every 100 ms until every instance's store has said 'available'.
 */
async function emptyRestart(children, redis, events, p) {
  await Promise.all(children.map((c) => c.send({ cmd: 'pause' })));
  await sleep(1000);
  const before = await snapshot(children);
  const killedAt = now();
  redis.signal('SIGKILL');
  await sleep(settings.downMs);
  await redis.restart();
  const upAt = now();
  const sampler = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  sampler.on('error', () => {});
  const samples = [{ at: upAt, scripts: 0 }];
  // Per instance, its last event since the kill, and how many times it said 'unavailable'.
  const last = new Map();
  const downs = new Map();
  const seen = () => {
    for (const e of events.splice(0)) {
      if (e.at < killedAt) continue;
      last.set(e.instance, e);
      if (e.kind === 'unavailable') downs.set(e.instance, (downs.get(e.instance) ?? 0) + 1);
    }
  };
  // Every instance that went down is back; one that has not said anything 1 s after the new
  // server answered never noticed (it is counted as available throughout).
  const allBack = (t) => [...last.values()].every((e) => e.kind === 'available') && (last.size === p || t - upAt > 1000);
  let settleUntil;
  while (true) {
    const t = now();
    // Stamped when the reply is in: what it says held then.
    const scripts = await readScripts(sampler);
    samples.push({ at: now(), scripts });
    seen();
    if (settleUntil === undefined && allBack(t)) settleUntil = t + 1000;
    if (settleUntil !== undefined && t >= settleUntil) break;
    if (t - upAt > AVAILABLE_MS) break;
    await sleep(Math.max(0, settings.sampleMs - (now() - t)));
  }
  const back = [...last.values()].filter((e) => e.kind === 'available');
  const allAt = back.length > 0 && back.length === last.size ? Math.max(...back.map((e) => e.at)) : undefined;
  const after = await snapshot(children);
  await sampler.quit();
  // The peak rate: over each stretch between a sample and the latest one at least 100 ms
  // before it (two readings a few ms apart would make a burst look far faster than it was).
  const rates = [];
  for (let b = 1, a = 0; b < samples.length; b++) {
    while (a + 1 < b && samples[b].at - samples[a + 1].at >= settings.sampleMs) a++;
    if (samples[b].at - samples[a].at >= settings.sampleMs)
      rates.push(((samples[b].scripts - samples[a].scripts) / (samples[b].at - samples[a].at)) * 1000);
  }
  // The most scripts in any second: sliding over the samples.
  let perSecond = 0;
  for (let a = 0; a < samples.length; a++)
    for (let b = a + 1; b < samples.length && samples[b].at - samples[a].at <= 1000; b++)
      perSecond = Math.max(perSecond, samples[b].scripts - samples[a].scripts);
  const scripts = samples.at(-1).scripts;
  const result = {
    p,
    breakers: settings.breakers,
    downMs: settings.downMs,
    notClosed: before.notClosed,
    allowed: 5 * p + 2 * before.notClosed,
    scripts,
    scriptsPerInstance: scripts / p,
    peakPerSecond: Math.max(0, ...rates),
    mostInOneSecond: perSecond,
    sampleMs: settings.sampleMs,
    wentDown: downs.size,
    available: back.length,
    downAgain: [...downs.values()].filter((n) => n > 1).length,
    availableAfterStartMs: allAt === undefined ? null : allAt - upAt,
    availableAfterKillMs: allAt === undefined ? null : allAt - killedAt,
    notClosedAfter: after.notClosed,
  };
  const when = (ms) => (ms === null ? `not within ${AVAILABLE_MS / 1000} s` : `${(ms / 1000).toFixed(2)} s`);
  log(
    `  empty restart, P = ${p}: ${scripts} scripts (${result.scriptsPerInstance.toFixed(1)} per instance; allowed ${result.allowed}), peak ${result.peakPerSecond.toFixed(0)} scripts/s over ${settings.sampleMs} ms (${perSecond} in the busiest second), ${result.wentDown} instances went down, ${result.available} available again (${result.downAgain} went down more than once), every one ${when(result.availableAfterStartMs)} after the new server answered (${when(result.availableAfterKillMs)} after the kill)`,
  );
  return result;
}

const redis = await startRedis();
const events = [];
const children = [];
const admin = new Redis(redis.url);
admin.on('error', () => {}); // Redis is killed on purpose
const rows = [];
let restart;
const started = Date.now();
try {
  for (let k = 0; k < settings.processes; k++) children.push(await spawnChild(events));
  log(
    `  ${settings.processes} processes, K = ${settings.breakers} breakers per instance, ${settings.callsPerSecond} calls/s per breaker per instance, ${settings.failureRate * 100} % failures; warm-up ${settings.warmup} s, ${settings.seconds} s measured`,
  );
  let run = 0;
  const runs = settings.modes.flatMap((mode) => settings.p.map((p) => ({ mode, p })));
  // The empty restart happens under the first mode's fleet at that size, or a fleet of its own.
  const restartRun = runs.find((r) => r.p === settings.restartP && r.mode === settings.modes[0]);
  if (restartRun === undefined && settings.restartP > 0) runs.push({ mode: settings.modes[0], p: settings.restartP, only: true });
  for (const r of runs) {
    run++;
    await admin.flushall();
    const baseline = await readCounters(admin);
    await startFleet(children, redis, r.mode, r.p, run);
    await sleep(settings.warmup * 1000);
    if (!r.only) rows.push(await measure(children, admin, r.mode, r.p, baseline.usedMemory));
    if (r === restartRun || r.only) restart = await emptyRestart(children, redis, events, r.p);
    await Promise.all(children.map((c) => c.send({ cmd: 'stop', closeMs: 2000 })));
    events.length = 0;
  }
} finally {
  await Promise.all(
    children.map(async (c) => {
      await c.send({ cmd: 'exit', closeMs: 1000 }).catch(() => {});
      const timer = setTimeout(() => c.child.kill('SIGKILL'), 5000);
      await c.exited;
      clearTimeout(timer);
    }),
  );
  admin.disconnect();
  await redis.stop();
}
log(`  (${Math.round((Date.now() - started) / 1000)} s)`);

emit({
  group: 'fleet-scale',
  settings: { ...settings, modes: settings.modes.map((m) => ({ id: m, label: MODES[m].label })) },
  rows,
  restart,
});
