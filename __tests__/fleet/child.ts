// One process of a fleet under test: breakers sharing their state through a real Redis, driven
// by its parent over IPC. Bundled with esbuild by the tests and run with plain `node`.
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { type Breaker, type BreakerOptions, type Clock, createBreaker, systemClock } from '../../src/index.js';
import { type RedisStore, redisStore } from '../../src/stores/redis/index.js';
import { Background, type BackgroundCommand } from './background-child.js';

export type Command =
  | {
      cmd: 'make';
      name: string;
      quorum?: number;
      counting?: 'fleet' | 'local';
      options?: Omit<BreakerOptions, 'resetTimeoutMs'> & { resetTimeoutMs?: number | number[] };
    }
  | { cmd: 'call'; name: string; url: string }
  | { cmd: 'hammer'; name: string; url: string; forMs: number; everyMs: number }
  | { cmd: 'state'; name: string }
  | { cmd: 'stats'; name: string }
  | { cmd: 'manual'; name: string; action: 'isolate' | 'close' | 'open' | 'disable' }
  | { cmd: 'store' }
  | { cmd: 'many'; prefix: string; stores: number; names: string[] }
  | { cmd: 'manyStats' }
  | { cmd: 'manyOpen'; names: string[] }
  | BackgroundCommand
  | { cmd: 'exit' };

const send = (message: unknown): void => {
  process.send?.(message);
};
process.on('unhandledRejection', (error) => {
  send({ type: 'unhandled', error: String(error) });
  process.exitCode = 99;
});

const url = process.env.REDIS_URL as string;
const kind = process.env.CLIENT ?? 'ioredis';
const skewMs = Number(process.env.SKEW_MS ?? 0);
// A stable identity (a pod name) when given; a random one otherwise.
const instanceId = process.env.INSTANCE_ID || undefined;
// A process whose clock is off: every reading of time in its breakers is skewed.
const clock: Clock = skewMs === 0 ? systemClock : { ...systemClock, now: () => Date.now() + skewMs };

async function connect(): Promise<{ client: unknown; quit(): Promise<unknown> }> {
  if (kind === 'node-redis') {
    const client = createClient({ url, socket: { reconnectStrategy: () => 50 } });
    client.on('error', () => undefined);
    await client.connect();
    return { client, quit: () => client.close() };
  }
  const client = new Redis(url, { retryStrategy: () => 50 });
  client.on('error', () => undefined);
  return { client, quit: () => client.quit() };
}

async function main(): Promise<void> {
  const { client, quit } = await connect();
  const stores = new Map<string, RedisStore>();
  const storeEvents: string[] = [];
  const storeFor = (quorum: number, counting: 'fleet' | 'local' | undefined): RedisStore => {
    const prefix = counting === undefined ? `fleet-q${quorum}:` : `fleet-q${quorum}-${counting}:`;
    let store = stores.get(prefix);
    if (store === undefined) {
      store = redisStore({ client: client as never, quorum, prefix, timeoutMs: 250, counting, instanceId });
      store.on('unavailable', () => storeEvents.push('unavailable'));
      store.on('available', () => storeEvents.push('available'));
      stores.set(prefix, store);
    }
    return store;
  };
  const breakers = new Map<string, Breaker>();
  // Several stores in one process, each an instance of its own holding a breaker per name.
  const many: { store: RedisStore; breakers: Breaker[]; events: string[] }[] = [];
  const get = (name: string): Breaker => breakers.get(name) as Breaker;
  // A background failure rate on many instances of this process (background-child.ts).
  let background: Background | undefined;

  const call = async (b: Breaker, target: string): Promise<{ ok: boolean; code?: string; state?: string; ms: number }> => {
    const started = Date.now();
    try {
      await b.execute(async ({ signal }) => {
        const response = await fetch(target, { signal });
        await response.arrayBuffer();
        if (!response.ok) throw new Error(`status ${response.status}`);
      });
      return { ok: true, ms: Date.now() - started };
    } catch (error) {
      const e = error as { code?: string; state?: string };
      return { ok: false, code: e.code, state: e.state, ms: Date.now() - started };
    }
  };

  process.on('message', async (message: Command & { id: number }) => {
    const reply = (body: object): void => send({ type: 'reply', id: message.id, ...body });
    switch (message.cmd) {
      case 'make': {
        const { resetTimeoutMs, ...options } = message.options ?? {};
        const reset = Array.isArray(resetTimeoutMs)
          ? (attempt: number) => resetTimeoutMs[Math.min(attempt, resetTimeoutMs.length) - 1]
          : resetTimeoutMs;
        const b = createBreaker({
          ...options,
          resetTimeoutMs: reset,
          name: message.name,
          clock,
          store: storeFor(message.quorum ?? 1, message.counting),
        });
        b.on('stateChange', (event) => send({ type: 'event', event }));
        breakers.set(message.name, b);
        return reply({});
      }
      case 'call':
        return reply(await call(get(message.name), message.url));
      case 'hammer': {
        const b = get(message.name);
        const end = Date.now() + message.forMs;
        let ran = 0;
        let rejected = 0;
        let slowest = 0;
        while (Date.now() < end) {
          const result = await call(b, message.url);
          if (result.code === 'ERR_CIRCUIT_OPEN') rejected++;
          else ran++;
          slowest = Math.max(slowest, result.ms);
          await new Promise((resolve) => setTimeout(resolve, message.everyMs));
        }
        return reply({ ran, rejected, slowest });
      }
      case 'state': {
        const stats = get(message.name).stats();
        return reply({ state: stats.state, retryAfterMs: stats.retryAfterMs });
      }
      case 'stats':
        return reply({ stats: get(message.name).stats() });
      case 'manual':
        get(message.name)[message.action]();
        return reply({});
      case 'many':
        for (let i = 0; i < message.stores; i++) {
          const store = redisStore({ client: client as never, prefix: message.prefix, timeoutMs: 250 });
          const events: string[] = [];
          store.on('unavailable', () => events.push('unavailable'));
          store.on('available', () => events.push('available'));
          many.push({ store, events, breakers: message.names.map((name) => createBreaker({ name, store })) });
        }
        return reply({});
      case 'manyOpen':
        for (const b of many[0].breakers) if (message.names.includes(b.name)) b.open();
        return reply({});
      case 'manyStats':
        return reply({
          stores: many.map(({ store, breakers, events }) => ({
            available: store.stats().available,
            events,
            notClosed: breakers.filter((b) => b.state !== 'closed').length,
          })),
        });
      case 'backgroundStart':
        await background?.close();
        background = await Background.start(message, connect);
        return reply({});
      case 'backgroundPrime':
        await background?.prime(message.gapMs);
        return reply({});
      case 'background':
        return reply({ ...(await (background as Background).run(message.callsPerSecond, message.failureRate, message.forMs)) });
      case 'backgroundClose':
        await background?.close();
        background = undefined;
        return reply({});
      case 'store':
        return reply({ stats: [...stores.values()].map((s) => s.stats()), events: storeEvents });
      case 'exit':
        for (const store of [...stores.values(), ...many.map((m) => m.store)]) await store.close();
        await background?.close();
        await quit();
        reply({});
        process.disconnect();
        return;
    }
  });
  send({ type: 'ready' });
}

void main();
