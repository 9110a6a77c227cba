// The scale benchmark's reading of Redis (bench/fleet-scale-info.mjs) on a real redis-server:
// a known number of scripts and publishes, and the counters it reads from INFO must match.
// The module is ESM-only, so a Node process of its own runs it and prints what it read.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type RedisServer, startRedis } from '../redis/server.js';

jest.setTimeout(60_000);

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

const root = resolve(__dirname, '../..');
const info = pathToFileURL(resolve(root, 'bench/fleet-scale-info.mjs')).href;

/** 5 EVALs that publish, 3 EVALSHAs that do not, 2 plain PUBLISHes, 2 subscribers. */
const script = (port: number) => `
import { Redis } from 'ioredis';
import { between, readCounters, readScripts } from '${info}';
const url = 'redis://127.0.0.1:${port}';
const admin = new Redis(url);
const subscribers = [new Redis(url), new Redis(url)];
let received = 0;
for (const s of subscribers) {
  await s.subscribe('c');
  s.on('message', () => received++);
}
const a = await readCounters(admin);
for (let k = 0; k < 5; k++) await admin.eval("redis.call('PUBLISH', 'c', 'x') return 1", 0);
const sha = await admin.script('LOAD', "return redis.call('INCR', KEYS[1])");
for (let k = 0; k < 3; k++) await admin.evalsha(sha, 1, 'n');
for (let k = 0; k < 2; k++) await admin.publish('c', 'y');
const deadline = Date.now() + 10000;
while (received < 14 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
const b = await readCounters(admin);
const total = await readScripts(admin);
for (const c of [admin, ...subscribers]) c.disconnect();
process.stdout.write(JSON.stringify({ delta: between(a, b), b, total, received }));
`;

/** What the process read: the difference of two readings, the second reading, and the totals. */
interface Read {
  delta: Record<'scripts' | 'publishes' | 'seconds' | 'usPerScript' | 'bytesOutPerSecond' | 'cpuPercent', number>;
  b: { usedMemory: number; commands: number };
  total: number;
  received: number;
}

function run(port: number): Promise<Read> {
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', script(port)],
      { cwd: root, timeout: 30_000 },
      (error, stdout, stderr) => (error ? fail(new Error(`${error.message}\n${stderr}`)) : done(JSON.parse(stdout))),
    );
  });
}

test('scripts, publishes and the other INFO figures are read as Redis counted them', async () => {
  const { delta, b, total, received } = await run(redis.port);
  expect(received).toBe(14);
  expect(delta.scripts).toBe(8);
  expect(total).toBe(8);
  // PUBLISH run inside a script is counted with the others.
  expect(delta.publishes).toBe(7);
  expect(delta.seconds).toBeGreaterThan(0);
  expect(delta.usPerScript).toBeGreaterThan(0);
  expect(delta.bytesOutPerSecond).toBeGreaterThan(0);
  expect(delta.cpuPercent).toBeGreaterThanOrEqual(0);
  expect(b.usedMemory).toBeGreaterThan(100_000);
  expect(Number.isInteger(b.commands)).toBe(true);
});
