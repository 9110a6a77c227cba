import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Redis } from '@upstash/redis';
import { type RedisServer, startRedis } from '../redis/server.js';

/** A REST bridge (scripts/rest-bridge.mjs) run as a child process in front of a test's redis-server. */
export interface Bridge {
  readonly url: string;
  readonly token: string;
  /** Switches a fault: `down`, `slow` (`ms` late, 2000 by default), `500`, `token` (401), or `none`. */
  fault(mode: 'none' | 'down' | 'slow' | '500' | 'token', ms?: number): Promise<void>;
  /** HTTP requests and Redis commands the bridge has served. */
  stats(): Promise<{ requests: number; commands: number }>;
  /** A client as a user makes it: the real `@upstash/redis`, no retries (the store's own refresh retries). */
  client(options?: { token?: string }): Redis;
  close(): Promise<void>;
}

export async function startBridge(redisPort: number): Promise<Bridge> {
  const child: ChildProcess = spawn(process.execPath, ['scripts/rest-bridge.mjs', '--redis-port', String(redisPort)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    rl.once('line', (l) => {
      rl.close();
      resolve(l);
    });
    child.once('exit', (code) => reject(new Error(`rest bridge exited with ${code}`)));
  });
  const { url, token, control } = JSON.parse(line) as { url: string; token: string; control: string };
  const get = async (path: string) => (await fetch(`${control}${path}`)).json();
  return {
    url,
    token,
    async fault(mode, ms) {
      await get(`/fault?mode=${mode}${ms === undefined ? '' : `&ms=${ms}`}`);
    },
    stats: () => get('/stats') as Promise<{ requests: number; commands: number }>,
    client: (options = {}) => new Redis({ url, token: options.token ?? token, retry: { retries: 0 }, enableTelemetry: false }),
    async close() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * For a test file: a real redis-server and the bridge in front of it, started before its tests
 * and stopped after them, with the bridge's fault cleared after each test. Read `server` and
 * `bridge` inside the tests (they are set once the file's tests start).
 */
export function useBridge(): { readonly server: RedisServer; readonly bridge: Bridge } {
  const env = {} as { server: RedisServer; bridge: Bridge };
  beforeAll(async () => {
    env.server = await startRedis();
    env.bridge = await startBridge(env.server.port);
  });
  afterAll(async () => {
    await env.bridge?.close();
    await env.server?.stop();
  });
  afterEach(async () => {
    await env.bridge?.fault('none');
  });
  return env;
}
