import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A free TCP port on 127.0.0.1 (its cluster bus port, +10000, is checked free too). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    if (port >= 55_535) continue;
    const busFree = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port + 10_000, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (busFree) return port;
  }
}

/** Runs `redis-cli -p port ...args`; resolves with its output. */
export function cli(port: number, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 10_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`redis-cli ${args.join(' ')}: ${stderr || error.message}`)) : resolve(stdout.trim()),
    );
  });
}

/** Polls `check` until it returns a truthy value; throws after `timeoutMs`. */
export async function until<T>(check: () => T | Promise<T>, timeoutMs = 5000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A redis-server process of the tests. */
export interface RedisServer {
  readonly port: number;
  /** The process id of the running server (0 when stopped). */
  readonly pid: number;
  /** SIGSTOP: the server stops answering, connections stay open. */
  pause(): void;
  /** SIGCONT. */
  resume(): void;
  /** SIGKILL, then waits for the process to be gone. */
  kill(): Promise<void>;
  /** Starts the server again on the same port (empty: nothing is saved). */
  start(): Promise<void>;
  /** SIGTERM (SIGKILL after 3 s) and removes its directory. */
  stop(): Promise<void>;
}

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));

/** Starts `redis-server` on a free port in a temporary directory. */
export async function startRedis(extra: string[] = [], port?: number): Promise<RedisServer> {
  const p = port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'tripswitch-redis-'));
  let child: ChildProcess | undefined;
  let paused = false;
  const start = async () => {
    const c = spawn(
      'redis-server',
      ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extra],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = c;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start on ${p}: ${output}`)), 10_000);
      c.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      c.stderr?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      c.once('exit', () => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited: ${output}`));
      });
    });
    c.stdout?.removeAllListeners('data');
    c.stdout?.resume();
    c.stderr?.resume();
  };
  const kill = async () => {
    const c = child;
    if (!c) return;
    c.kill('SIGKILL');
    await exited(c);
    child = undefined;
    paused = false;
  };
  await start();
  return {
    port: p,
    get pid() {
      return child?.pid ?? 0;
    },
    pause() {
      child?.kill('SIGSTOP');
      paused = true;
    },
    resume() {
      child?.kill('SIGCONT');
      paused = false;
    },
    kill,
    start,
    async stop() {
      const c = child;
      if (c) {
        if (paused) c.kill('SIGCONT');
        c.kill('SIGTERM');
        const timer = setTimeout(() => c.kill('SIGKILL'), 3000);
        await exited(c);
        clearTimeout(timer);
        child = undefined;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A three-primary Redis Cluster (no replicas) on free ports. */
export interface RedisCluster {
  readonly ports: number[];
  stop(): Promise<void>;
}

export async function startCluster(): Promise<RedisCluster> {
  const servers: RedisServer[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      servers.push(
        await startRedis(
          ['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '5000'],
          port,
        ),
      );
    }
    const ports = servers.map((s) => s.port);
    await cli(ports[0], '--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes');
    for (const port of ports) {
      await until(async () => (await cli(port, 'cluster', 'info')).includes('cluster_state:ok'), 20_000, 'cluster_state:ok');
    }
    return { ports, stop: () => Promise.all(servers.map((s) => s.stop())).then(() => undefined) };
  } catch (error) {
    await Promise.all(servers.map((s) => s.stop()));
    throw error;
  }
}
