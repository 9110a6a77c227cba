// `npm run demo:fleet`: two fleets of four client processes, side by side on one local Redis and
// one flaky upstream. Each fleet shares one breaker: when the upstream fails, one trip opens all
// of its processes; when it recovers, a single probe closes them. One fleet counts failures
// across its processes (`counting: 'fleet'`), the other each process alone (`'local'`).
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
    `Two fleets of ${WORKERS} client processes, each sharing one breaker "upstream" (failureThreshold 3, resetTimeoutMs 1500):\n` +
    `one counts failures across its processes (counting: 'fleet'), the other each process alone (counting: 'local').\n\n`,
);

const FLEETS = ['fleet', 'local'];
const tallies = new Map(FLEETS.map((counting) => [counting, new Map()]));
const workers = [];
for (const counting of FLEETS) {
  const tally = tallies.get(counting);
  const who = (n) => `${counting}-counting worker ${n}`;
  for (let n = 1; n <= WORKERS; n++) {
    const child = fork(new URL('./fleet-worker.mjs', import.meta.url).pathname, [], {
      env: {
        ...process.env,
        REDIS_URL: redis.url,
        UPSTREAM_URL: upstream.url,
        WORKER: String(n),
        SPEED: String(speed),
        COUNTING: counting,
      },
    });
    tally.set(n, { ok: 0, failed: 0, rejected: 0, probes: 0 });
    child.on('message', (m) => {
      const t = tally.get(n);
      if (m.type === 'call') {
        t[m.outcome]++;
        if (m.state === 'halfOpen' && m.outcome !== 'rejected') {
          t.probes++;
          say(
            `${who(n)}: probe -> upstream ${m.outcome === 'ok' ? 'answered' : 'failed'} (the only call let through in its fleet)`,
          );
        }
      } else if (m.type === 'state') {
        const why = m.remote ? `following ${m.instance}` : 'its own decision';
        say(`${who(n)}: ${m.from} -> ${m.to}  (${why})`);
      }
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    exited.child = child;
    workers.push(exited);
  }
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

const failedIn = (counting) => [...tallies.get(counting).values()].reduce((sum, t) => sum + t.failed, 0);
for (const counting of FLEETS) {
  process.stdout.write(`\ncounting: '${counting}'\nworker   ok  failed  rejected  probes\n`);
  for (const [n, t] of tallies.get(counting)) {
    process.stdout.write(
      `${String(n).padStart(6)} ${String(t.ok).padStart(4)} ${String(t.failed).padStart(7)} ${String(t.rejected).padStart(9)} ${String(t.probes).padStart(7)}\n`,
    );
  }
}
process.stdout.write(
  `\nFailed calls that reached the failing upstream from ${WORKERS} processes: ${failedIn('fleet')} counting across the fleet, ${failedIn('local')} counting alone.\n` +
    'Those before the first trip, then one probe per half-open period for the whole fleet: counting together, the fleet\n' +
    'trips after failureThreshold failures in all; counting alone, only once one process has seen that many itself.\n',
);
