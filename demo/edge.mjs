// `npm run demo:edge`: a Cloudflare Worker (workerd, through Miniflare) and a Node process
// share one breaker, `payments`, through one Redis: the Node process with tripswitch/redis
// (ioredis, a subscription), the Worker with tripswitch/upstash (Redis's REST protocol, served
// here by scripts/rest-bridge.mjs in front of the same redis-server).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { createBreaker } from 'tripswitch';
import { redisStore } from 'tripswitch/redis';
import { haveRedis, startRedis } from '../scripts/redis-server.mjs';
import { startBridge } from '../scripts/rest-bridge.mjs';

const node22 = new URL('../runtimes/nodes/node_modules/node22/bin/node', import.meta.url).pathname;
if (!haveRedis()) {
  process.stderr.write('npm run demo:edge needs redis-server on this machine (Debian: apt-get install redis-server).\n');
  process.exit(1);
}
if (!existsSync(node22)) {
  process.stderr.write('npm run demo:edge runs workerd through Miniflare, which needs Node 22: npm ci --prefix runtimes/nodes\n');
  process.exit(1);
}

// The upstream: /pay answers 200 while up, 500 while down. It counts the calls it gets.
let upstreamUp = false;
const hits = { node: 0, worker: 0 };
const upstream = createServer((req, res) => {
  hits[req.headers['x-from'] === 'node' ? 'node' : 'worker']++;
  res.writeHead(upstreamUp ? 200 : 500).end(upstreamUp ? 'ok' : 'down');
});
await new Promise((resolve) => upstream.listen(0, '127.0.0.1', resolve));
const upstreamUrl = `http://127.0.0.1:${upstream.address().port}`;

const redis = await startRedis();
const bridge = await startBridge({ redisPort: redis.port, token: 'demo-token' });
const host = spawn(node22, [new URL('./edge-host.mjs', import.meta.url).pathname], {
  env: { ...process.env, UPSTASH_URL: bridge.url, UPSTASH_TOKEN: bridge.token, UPSTREAM_URL: upstreamUrl },
  stdio: ['pipe', 'pipe', 'inherit'],
});
const { url: workerUrl } = JSON.parse(
  await new Promise((resolve) => createInterface({ input: host.stdout }).once('line', resolve)),
);

const io = new Redis(redis.url);
const store = redisStore({ client: io, instanceId: 'node' });
await store.ready();
const payments = createBreaker({ name: 'payments', store, failureThreshold: 3, resetTimeoutMs: 60_000 });
payments.on('stateChange', (e) => {
  const by = e.remote ? ` (by ${e.instance})` : '';
  console.log(`  node     breaker ${e.from} -> ${e.to}${by}`);
});
const callFromNode = () =>
  payments
    .execute(async () => {
      const r = await fetch(`${upstreamUrl}/pay`, { headers: { 'x-from': 'node' } });
      if (!r.ok) throw new Error(`upstream ${r.status}`);
    })
    .then(
      () => 'paid',
      (e) => (e.code === 'ERR_CIRCUIT_OPEN' ? 'rejected: circuit open' : `failed: ${e.message}`),
    );
const callWorker = async () => {
  const { outcome, state } = await (await fetch(workerUrl)).json();
  console.log(`  worker   ${outcome.padEnd(26)} breaker ${state}`);
  return state;
};

try {
  console.log(`upstream down; Node calls it 3 times (threshold 3):`);
  for (let i = 0; i < 3; i++) console.log(`  node     ${await callFromNode()}`);
  console.log(`\nA Worker starts (ready() loads the fleet) and is called 3 times:`);
  for (let i = 0; i < 3; i++) await callWorker();
  console.log(`  upstream calls from the Worker so far: ${hits.worker}`);

  console.log(`\nupstream back; Node closes the breaker by hand: the Worker follows at its next refresh:`);
  upstreamUp = true;
  payments.close();
  await store.flush();
  for (let i = 0; i < 20 && (await callWorker()) !== 'closed'; i++) await sleep(100);

  console.log(`\nupstream down again; the Worker trips it, and the Node process follows through Redis:`);
  upstreamUp = false;
  for (let i = 0; i < 3; i++) await callWorker();
  for (let i = 0; i < 50 && payments.state !== 'open'; i++) await sleep(20);
  console.log(`  node     ${await callFromNode()}`);
  console.log(
    `\nupstream calls: ${hits.node} from Node, ${hits.worker} from the Worker (its first 3, while the fleet was open, made none)`,
  );
} finally {
  await store.close().catch(() => undefined);
  io.disconnect();
  host.stdin.end();
  await new Promise((resolve) => host.once('exit', resolve));
  await bridge.close();
  await redis.stop();
  upstream.close();
}
