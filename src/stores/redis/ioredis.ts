import { type Emitter, type Hooks, ignore, notConnected, type Shim, text, within } from './shim.js';

/**
 * An ioredis `Redis` or `Cluster` (v5, v6; iovalkey too), as {@link RedisStoreOptions.client}
 * accepts it: described by its shape, so that neither library is imported.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import type { IoredisClient } from 'tripswitch/redis';
 *
 * const client: IoredisClient = new Redis({ lazyConnect: true });
 * ```
 */
export interface IoredisClient {
  /** The connection's status (`ready` once connected). */
  readonly status: string;
  /** Runs a script by its SHA-1. */
  evalsha(...args: never[]): Promise<unknown>;
  /** A new client with the same settings: the store's own connections. */
  duplicate(...args: never[]): unknown;
}

/** The part of an ioredis `Redis` or `Cluster` (v5, v6) the store uses. */
interface Ioredis extends Emitter {
  readonly status: string;
  readonly isCluster?: boolean;
  readonly options?: { keyPrefix?: string; db?: number; redisOptions?: object };
  evalsha(sha: string, keyCount: number, ...keysAndArgs: string[]): Promise<unknown>;
  eval(script: string, keyCount: number, ...keysAndArgs: string[]): Promise<unknown>;
  duplicate(...args: object[]): Ioredis;
  subscribe(channel: string): Promise<unknown>;
  quit(): Promise<unknown>;
  disconnect(): void;
  removeAllListeners(): unknown;
}

/** ioredis clients have lower-case `evalsha` and a `status` string. */
export function isIoredis(client: unknown): client is Ioredis {
  const c = client as Partial<Ioredis> | null;
  return (
    typeof c === 'object' &&
    c !== null &&
    typeof c.evalsha === 'function' &&
    typeof c.duplicate === 'function' &&
    typeof c.on === 'function' &&
    typeof c.status === 'string'
  );
}

/** A connection of the store's own, with the user's settings but these. */
function duplicate(client: Ioredis, override: Record<string, unknown>): Ioredis {
  if (client.isCluster) {
    const redisOptions = { ...client.options?.redisOptions, ...override };
    return client.duplicate([], { ...override, redisOptions });
  }
  return client.duplicate(override);
}

/** The store's view of an ioredis client. */
export function ioredisShim(client: Ioredis): Shim {
  const own: Ioredis[] = [];
  let cmd: Ioredis | undefined;
  let started: (() => void) | undefined;
  let ended: (() => void) | undefined;
  const run = (send: (c: Ioredis) => Promise<unknown>): Promise<unknown> =>
    cmd?.status === 'ready' ? send(cmd).then((reply) => (Array.isArray(reply) ? reply.map(text) : reply)) : notConnected();
  const open = (hooks: Hooks): Promise<void> => {
    hooks.onOpen();
    // Commands: sent now or refused now, never queued, never sent again after a reconnect.
    const c = duplicate(client, { enableOfflineQueue: false, autoResendUnfulfilledCommands: false, lazyConnect: false });
    const s = duplicate(client, { lazyConnect: false, enableOfflineQueue: true });
    own.push(c, s);
    cmd = c;
    c.on('error', hooks.onError);
    s.on('error', hooks.onError);
    let first = true;
    c.on('ready', () => {
      if (!first) hooks.onReady();
      first = false;
    });
    // The subscriber is ours and holds this one channel.
    s.on('message', (_channel: string, message: unknown) => hooks.onMessage(text(message)));
    let subscribed = false;
    const subscribe = () =>
      s.subscribe(hooks.channel).then(
        () => {
          subscribed = true;
        },
        (error: unknown) => {
          if (s.status === 'ready') hooks.onError(error);
        },
      );
    // ioredis subscribes again by itself after a reconnect.
    s.on('ready', () => {
      if (subscribed) hooks.onReady();
    });
    const ready = new Promise<void>((resolve) => {
      const check = () => {
        if (c.status === 'ready') resolve();
      };
      c.on('ready', check);
      check();
    });
    return Promise.all([subscribe(), ready]).then(ignore);
  };
  return {
    namespace: {
      keyPrefix: typeof client.options?.keyPrefix === 'string' ? client.options.keyPrefix : '',
      database: client.isCluster ? 0 : Number(client.options?.db) || 0,
    },
    start(hooks) {
      ended = hooks.onEnd;
      client.on('end', ended);
      // A client the user has not connected yet (lazyConnect): the store waits for it.
      if (client.status !== 'wait') return open(hooks);
      return new Promise<void>((resolve) => {
        started = () => {
          client.off('ready', started as () => void);
          started = undefined;
          resolve(open(hooks));
        };
        client.on('ready', started);
      });
    },
    evalsha: (sha, keys, args) => run((c) => c.evalsha(sha, keys.length, ...keys, ...args)),
    eval: (script, keys, args) => run((c) => c.eval(script, keys.length, ...keys, ...args)),
    async close(timeoutMs) {
      if (started) client.off('ready', started);
      if (ended) client.off('end', ended);
      cmd = undefined;
      await Promise.all(
        own.splice(0).map(async (c) => {
          await within(c.quit(), timeoutMs).catch(ignore);
          c.disconnect();
          c.removeAllListeners();
          c.on('error', ignore);
        }),
      );
    },
  };
}
