// Real parts for fleet tests: child processes running breakers with a Redis store, and a
// counting upstream on 127.0.0.1.
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import type { RedisServer } from '../redis/server.js';
import type { Command } from './child.js';

/** The URL of a test Redis server. */
export const url = (redis: Pick<RedisServer, 'port'>): string => `redis://127.0.0.1:${redis.port}`;

/** Bundles the child once per test file; returns its path and a cleanup. */
export function bundleChild(): { path: string; remove(): void } {
  // Inside the project, so that the bundle resolves the Redis clients from its node_modules.
  const cache = join(__dirname, '..', '..', 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, 'tripswitch-fleet-'));
  const path = join(dir, 'child.mjs');
  buildSync({
    entryPoints: [join(__dirname, 'child.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile: path,
    logLevel: 'silent',
  });
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

type Reply = Record<string, unknown>;

/** One process of the fleet. */
export class Member {
  private readonly waiting = new Map<number, (reply: Reply) => void>();
  private next = 0;
  /** Everything the process wrote to stdout or stderr: library code must write nothing. */
  output = '';
  /** Unhandled rejections it reported. */
  readonly unhandled: string[] = [];
  readonly events: { name: string; from: string; to: string; remote?: boolean }[] = [];
  readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk) => (this.output += chunk));
    child.stderr?.on('data', (chunk) => (this.output += chunk));
    child.on('message', (message: { type: string; id?: number; error?: string; event?: Member['events'][number] }) => {
      if (message.type === 'reply') {
        this.waiting.get(message.id as number)?.(message as Reply);
        this.waiting.delete(message.id as number);
      } else if (message.type === 'unhandled') this.unhandled.push(message.error as string);
      else if (message.type === 'event') this.events.push(message.event as Member['events'][number]);
    });
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  send<T extends Reply = Reply>(command: Command, deadlineMs = 15_000): Promise<T> {
    const id = ++this.next;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply to ${command.cmd} within ${deadlineMs} ms`)), deadlineMs);
      this.waiting.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply as T);
      });
      this.child.send({ ...command, id });
    });
  }

  state(name: string): Promise<{ state: string; retryAfterMs: number }> {
    return this.send({ cmd: 'state', name });
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}

/** Starts a fleet process; resolves once it is connected to Redis. */
export async function spawnMember(path: string, env: Record<string, string>): Promise<Member> {
  const child = fork(path, [], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  const member = new Member(child);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('fleet process did not start within 15 s')), 15_000);
    child.on('message', (message: { type: string }) => {
      if (message.type !== 'ready') return;
      clearTimeout(timer);
      resolve();
    });
    child.on('exit', (code) => reject(new Error(`fleet process exited with ${code}: ${member.output}`)));
  });
  return member;
}

/** Polls `check` until it holds or `deadlineMs` passes; returns whether it held. */
export async function eventually(check: () => boolean | Promise<boolean>, deadlineMs = 5_000, everyMs = 10): Promise<boolean> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > end) return false;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** An HTTP upstream that counts the requests it gets: healthy, failing (500) or hanging. */
export interface Upstream {
  readonly url: string;
  mode: 'up' | 'down' | 'hang';
  /** When each request arrived (ms since the epoch). */
  readonly hits: number[];
  close(): Promise<void>;
}

export async function startUpstream(): Promise<Upstream> {
  const hanging = new Set<() => void>();
  const upstream = { mode: 'up', hits: [] as number[] } as Upstream & { server: Server };
  const server = createServer((_req, res) => {
    upstream.hits.push(Date.now());
    if (upstream.mode === 'hang') {
      hanging.add(() => res.destroy());
      return;
    }
    res.statusCode = upstream.mode === 'up' ? 200 : 500;
    res.end(upstream.mode);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(upstream, {
    url: `http://127.0.0.1:${port}/`,
    close: async () => {
      for (const end of hanging) end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}
