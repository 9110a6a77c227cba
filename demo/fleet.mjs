// `npm run demo:fleet`: four client processes share one breaker through a local Redis. When
// the upstream fails, one trip opens all of them; when it recovers, a single probe closes them.
import { fork } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { haveRedis, startRedis } from '../scripts/redis-server.mjs';
import { phaseAt, startUpstream } from './upstream.mjs';

const WORKERS = 4;
const RUN_MS = 13_000;

const { values } = parseArgs({ options: { speed: { type: 'string', default: '1' }, help: { type: 'boolean', default: false } } });
if (values.help) {
  process.stdout.write('Usage: npm run demo:fleet -- [--speed <x>]\n\n  --speed <x>   time scale (default 1, about 13 s)\n');
  process.exit(0);
}
const speed = Number(values.speed);
if (!(speed > 0 && speed <= 10)) {
  process.stderr.write(`--speed must be a number in (0, 10], got ${values.speed}\n`);
  process.exit(2);
}
if (!haveRedis()) {
  process.stderr.write(
    'npm run demo:fleet needs redis-server on this machine, and it is not installed.\n' +
      'Install it (Debian or Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) and run it again.\n' +
      'The demo starts its own server on a free port and stops it at the end.\n',
  );
  process.exit(1);
}

const startedAt = performance.now();
const at = () => `${((performance.now() - startedAt) / 1000).toFixed(1).padStart(5)} s`;
const say = (line) => process.stdout.write(`${at()}  ${line}\n`);
const redis = await startRedis();
const upstream = await startUpstream({ startedAt, speed, failureRate: 1 });
let upstreamState = 'healthy';
process.stdout.write(
  `Redis on port ${redis.port}, a flaky upstream at ${upstream.url}: healthy, then failing from 3 s to 7.5 s, then healthy.\n` +
    `${WORKERS} client processes share one breaker "upstream" (failureThreshold 3, resetTimeoutMs 1500).\n\n`,
);

const tally = new Map();
const workers = [];
for (let n = 1; n <= WORKERS; n++) {
  const child = fork(new URL('./fleet-worker.mjs', import.meta.url).pathname, [], {
    env: { ...process.env, REDIS_URL: redis.url, UPSTREAM_URL: upstream.url, WORKER: String(n), SPEED: String(speed) },
  });
  tally.set(n, { ok: 0, failed: 0, rejected: 0, probes: 0 });
  child.on('message', (m) => {
    const t = tally.get(n);
    if (m.type === 'call') {
      t[m.outcome]++;
      if (m.state === 'halfOpen' && m.outcome !== 'rejected') {
        t.probes++;
        say(
          `worker ${n}: probe -> upstream ${m.outcome === 'ok' ? 'answered' : 'failed'} (the only call let through fleet-wide)`,
        );
      }
    } else if (m.type === 'state') {
      const why = m.remote ? `following ${m.instance}` : 'its own decision';
      say(`worker ${n}: ${m.from} -> ${m.to}  (${why})`);
    }
  });
  workers.push(new Promise((resolve) => child.on('exit', resolve)));
  workers[n - 1].child = child;
}

const end = performance.now() + RUN_MS / speed;
while (performance.now() < end) {
  const phase = phaseAt(performance.now() - startedAt, speed);
  if (phase !== upstreamState) say(`upstream is now ${(upstreamState = phase)}`);
  await sleep(50);
}
for (const w of workers) if (w.child.connected) w.child.send('stop');
await Promise.all(workers);
await upstream.close();
await redis.stop();

process.stdout.write('\nworker   ok  failed  rejected  probes\n');
for (const [n, t] of tally) {
  process.stdout.write(
    `${String(n).padStart(6)} ${String(t.ok).padStart(4)} ${String(t.failed).padStart(7)} ${String(t.rejected).padStart(9)} ${String(t.probes).padStart(7)}\n`,
  );
}
const failed = [...tally.values()].reduce((sum, t) => sum + t.failed, 0);
process.stdout.write(
  `\n${failed} failed calls reached the failing upstream from ${WORKERS} processes: those before the first trip, then one probe per half-open period for the whole fleet.\n`,
);
