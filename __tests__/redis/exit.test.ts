import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { freePort, type RedisServer, startRedis } from './server.js';

jest.setTimeout(60_000);

/** The entry bundled as a user would load it (CommonJS), with the client libraries left outside. */
const dir = mkdtempSync(join(tmpdir(), 'tripswitch-exit-'));
const bundle = join(dir, 'redis.cjs');
buildSync({
  entryPoints: [resolve(__dirname, '../../src/stores/redis/index.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  outfile: bundle,
  external: ['ioredis', 'redis'],
  logLevel: 'silent',
});

const child = (lib: string, port: number, body: string) => `
const { redisStore } = require(${JSON.stringify(bundle)});
const lib = require(${JSON.stringify(require.resolve(lib))});
const member = { name: 'svc', halfOpenMaxCalls: 1, adopt() {}, local: () => undefined };
const port = ${port};
(async () => { ${body}; process.stdout.write('closed'); })();
`;

/** Runs a script in a child process; resolves with how long it took to exit after printing `closed`. */
function exitDelay(source: string): Promise<number> {
  const file = join(dir, `child-${Math.random().toString(36).slice(2)}.cjs`);
  writeFileSync(file, source);
  return new Promise((done, fail) => {
    const proc = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let closedAt = 0;
    let output = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('closed')) closedAt = Date.now();
    });
    proc.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      fail(new Error(`the child did not exit: ${output}`));
    }, 15_000);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0 || closedAt === 0 || output !== 'closed') fail(new Error(`exit ${code}: ${output}`));
      else done(Date.now() - closedAt);
    });
  });
}

describe('close() lets the process exit', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const work = `
    const link = store.attach(member);
    link.publish({ state: 'open', reason: 'manual', retryAfterMs: 60000, attempt: 1 });
    await link.lease(1000);
    await new Promise((r) => setTimeout(r, 200));
    await store.close();`;
  // With Redis unreachable, close() says what it could not deliver, and still lets go.
  const unreachable = work.replace(
    'await store.close();',
    "await store.close().then(() => { throw new Error('close() resolved'); }, (e) => { if (e.names[0] !== 'svc') throw e; });",
  );

  test('ioredis', async () => {
    const body = `const client = new lib.Redis({ host: '127.0.0.1', port });
      const store = redisStore({ client }); ${work} await client.quit();`;
    expect(await exitDelay(child('ioredis', server.port, body))).toBeLessThan(2000);
  });

  test('node-redis', async () => {
    const body = `const client = lib.createClient({ socket: { host: '127.0.0.1', port } });
      client.on('error', () => {}); await client.connect();
      const store = redisStore({ client }); ${work} await client.close();`;
    expect(await exitDelay(child('redis', server.port, body))).toBeLessThan(2000);
  });

  // An ioredis client disconnected while still connecting keeps a timer of its own for about
  // 2 s (also with no store at all), so this bound is looser.
  test('ioredis with Redis unreachable: no output, no unhandled rejection, exits', async () => {
    const dead = await freePort();
    const body = `process.on('unhandledRejection', (e) => { console.log('unhandled', e); process.exitCode = 1; });
      const client = new lib.Redis({ host: '127.0.0.1', port });
      client.on('error', () => {});
      const store = redisStore({ client, timeoutMs: 100 }); ${unreachable} client.disconnect();`;
    expect(await exitDelay(child('ioredis', dead, body))).toBeLessThan(5000);
  });

  test('node-redis with Redis unreachable: no output, no unhandled rejection, exits', async () => {
    const dead = await freePort();
    const body = `process.on('unhandledRejection', (e) => { console.log('unhandled', e); process.exitCode = 1; });
      const client = lib.createClient({ socket: { host: '127.0.0.1', port } });
      client.on('error', () => {}); client.connect().catch(() => {});
      const store = redisStore({ client, timeoutMs: 100 }); ${unreachable} client.destroy();`;
    expect(await exitDelay(child('redis', dead, body))).toBeLessThan(2000);
  });
});
