import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { keysOf } from '../../src/stores/redis/protocol.js';
import { bundleEntries, runChild } from './child.js';
import { cli, freePort, type RedisServer, startRedis } from './server.js';

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

describe('shutting down', () => {
  let server: RedisServer;
  const entries = bundleEntries();
  beforeEach(async () => {
    server = await startRedis();
  });
  afterEach(() => server.stop());
  afterAll(() => entries.remove());

  /** A process of the fleet: `body` runs with `client`, `store` and a breaker `payments`, then prints `done <ms>`. */
  const script = (lib: string, connect: string, body: string) => `
const { redisStore } = require(${JSON.stringify(entries.redis)});
const { createBreaker } = require(${JSON.stringify(entries.core)});
const lib = require(${JSON.stringify(require.resolve(lib))});
process.on('unhandledRejection', (e) => { console.log('unhandled', e); process.exitCode = 1; });
(async () => {
  ${connect}
  const store = redisStore({ client, timeoutMs: 250 });
  await store.ready();
  const payments = createBreaker({ name: 'payments', store });
  await store.flush();
  ${body}
})();
`;
  const clients: [string, string, string, string][] = [
    [
      'ioredis',
      'ioredis',
      "const client = new lib.Redis({ host: '127.0.0.1', port: PORT }); client.on('error', () => {});",
      'await client.quit();',
    ],
    [
      'node-redis',
      'redis',
      "const client = lib.createClient({ socket: { host: '127.0.0.1', port: PORT } }); client.on('error', () => {}); await client.connect();",
      'client.destroy();',
    ],
  ];

  test.each(clients)(
    '%s: Redis killed, then isolate(), close() and quit: settled within timeoutMs + 1 s, and the process exits as it would with no store',
    async (_name, lib, connect, quit) => {
      const body = `
  process.kill(${server.pid}, 'SIGKILL');
  await new Promise((r) => setTimeout(r, 100));
  payments.isolate();
  const started = Date.now();
  const error = await store.close().then(() => undefined, (e) => e);
  ${quit}
  console.log(JSON.stringify({ started, settled: Date.now(), names: error && error.names }));`;
      const run = await runChild(entries.dir, script(lib, connect.replace('PORT', String(server.port)), body));
      expect(run.code).toBe(0);
      const { started, settled, names } = JSON.parse(run.output);
      // close() says what it could not deliver.
      expect(names).toEqual(['payments']);
      expect(settled - started).toBeLessThan(250 + 1000);
      // The same shutdown with no store at all: a client quit while it reconnects may keep a timer of its own.
      await server.kill();
      await server.start();
      const bare = `
const lib = require(${JSON.stringify(require.resolve(lib))});
(async () => {
  ${connect.replace('PORT', String(server.port))}
  await new Promise((r) => setTimeout(r, 100));
  process.kill(${server.pid}, 'SIGKILL');
  await new Promise((r) => setTimeout(r, 100));
  const started = Date.now();
  ${quit}
  console.log(JSON.stringify({ started }));
})();`;
      const alone = await runChild(entries.dir, bare);
      expect(alone.code).toBe(0);
      const exitAlone = alone.exitedAt - JSON.parse(alone.output).started;
      expect(run.exitedAt - started).toBeLessThan(exitAlone + 250 + 1000);
      await server.kill();
    },
  );

  test.each(clients)(
    '%s: the user quits the client and forgets store.close(): the process still exits',
    async (_name, lib, connect, quit) => {
      const body = `
  payments.isolate();
  const started = Date.now();
  ${quit}
  console.log(JSON.stringify({ started }));`;
      const run = await runChild(entries.dir, script(lib, connect.replace('PORT', String(server.port)), body));
      expect(run.code).toBe(0);
      const { started } = JSON.parse(run.output);
      expect(run.exitedAt - started).toBeLessThan(250 + 1000);
    },
  );
});

describe('a one-shot ops script: isolate(), close(), quit', () => {
  let server: RedisServer;
  const entries = bundleEntries();
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server.stop();
    entries.remove();
  });

  test.each([
    ['ioredis', 'ioredis', "const client = new lib.Redis({ host: '127.0.0.1', port: PORT });", 'await client.quit();'],
    [
      'node-redis',
      'redis',
      "const client = lib.createClient({ socket: { host: '127.0.0.1', port: PORT } }); await client.connect();",
      'await client.close();',
    ],
  ])('%s: the kill switch reaches Redis 20 times in 20, with a cold script cache', async (name, lib, connect, quit) => {
    for (let i = 0; i < 20; i++) {
      await cli(server.port, 'script', 'flush');
      const breaker = `payments-${name}-${i}`;
      const source = `
const { redisStore } = require(${JSON.stringify(entries.redis)});
const { createBreaker } = require(${JSON.stringify(entries.core)});
const lib = require(${JSON.stringify(require.resolve(lib))});
(async () => {
  ${connect.replace('PORT', String(server.port))}
  const store = redisStore({ client });
  createBreaker({ name: ${JSON.stringify(breaker)}, store }).isolate();
  await store.close();
  ${quit}
})();`;
      const run = await runChild(entries.dir, source);
      expect(run).toMatchObject({ code: 0, output: '' });
      expect(await cli(server.port, 'hget', keysOf('tripswitch:', breaker)[0], 'state')).toBe('isolated');
    }
  });
});
