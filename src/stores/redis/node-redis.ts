import { type Emitter, type Hooks, ignore, notConnected, type Shim, text, within } from './shim.js';

/**
 * A node-redis client or cluster (`redis` v5, v6), as {@link RedisStoreOptions.client}
 * accepts it: described by its shape, so that the library is not imported.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import type { NodeRedisClient } from 'tripswitch/redis';
 *
 * const client: NodeRedisClient = createClient();
 * ```
 */
export interface NodeRedisClient {
  /** Whether `connect()` was called (the store waits for it). */
  readonly isOpen: boolean;
  /** Runs a loaded script. */
  evalSha(...args: never[]): Promise<unknown>;
  /** A new client with the same settings: the store's own connections. */
  duplicate(...args: never[]): unknown;
  /** Connects the client. */
  connect(): Promise<unknown>;
}

interface Options {
  readonly database?: number;
  readonly keyPrefix?: unknown;
  readonly rootNodes?: unknown;
  readonly defaults?: object;
}

interface EvalOptions {
  keys: string[];
  arguments: string[];
}

/** The part of a node-redis client or cluster (`redis` v5, v6) the store uses. */
interface NodeRedis extends Emitter {
  readonly isOpen: boolean;
  readonly isReady?: boolean;
  /** A client's options (a cluster keeps them in `_options`). */
  readonly options?: Options;
  readonly _options?: Options;
  evalSha(sha: string, options: EvalOptions): Promise<unknown>;
  eval(script: string, options: EvalOptions): Promise<unknown>;
  duplicate(overrides?: object): NodeRedis;
  connect(): Promise<unknown>;
  subscribe(channel: string, listener: (message: unknown, channel: string) => void): Promise<unknown>;
  close(): Promise<unknown>;
  destroy(): unknown;
  removeAllListeners(): unknown;
}

/** node-redis clients and clusters have camel-case `evalSha` and `connect()`. */
export function isNodeRedis(client: unknown): client is NodeRedis {
  const c = client as Partial<NodeRedis> | null;
  return (
    typeof c === 'object' &&
    c !== null &&
    typeof c.evalSha === 'function' &&
    typeof c.duplicate === 'function' &&
    typeof c.connect === 'function' &&
    typeof c.on === 'function'
  );
}

const optionsOf = (client: NodeRedis): Options => client.options ?? client._options ?? {};
const isCluster = (client: NodeRedis): boolean => optionsOf(client).rootNodes !== undefined;

/**
 * A connection of the store's own, with the user's settings but these: no offline queue,
 * replies as strings whatever type mapping the user's client has, and no `CLIENT SETINFO` in
 * the handshake. node-redis ignores any failure of those two commands, a lost connection
 * included: before 5.11, a connection lost during a handshake made of them alone (RESP2, no
 * password, name or database) was taken for ready, on a dead socket, and never reconnected.
 */
function duplicate(client: NodeRedis, queue: boolean): NodeRedis {
  const own = { commandOptions: undefined, disableClientInfo: true, ...(queue ? {} : { disableOfflineQueue: true }) };
  return isCluster(client)
    ? client.duplicate({ ...own, defaults: { ...client.options?.defaults, ...own } })
    : client.duplicate(own);
}

/** The event a connected client (`ready`) or cluster (`connect`) reports, and its end. */
const events = (client: NodeRedis) => (isCluster(client) ? { up: 'connect', end: 'disconnect' } : { up: 'ready', end: 'end' });

/** The store's view of a node-redis client or cluster. */
export function nodeRedisShim(client: NodeRedis): Shim {
  const own: NodeRedis[] = [];
  let cmd: NodeRedis | undefined;
  let started: (() => void) | undefined;
  let ended: (() => void) | undefined;
  const { up, end } = events(client);
  const run = (send: (c: NodeRedis) => Promise<unknown>): Promise<unknown> =>
    cmd?.isReady !== false && cmd?.isOpen
      ? send(cmd).then((reply) => (Array.isArray(reply) ? reply.map(text) : reply))
      : notConnected();
  const open = (hooks: Hooks): Promise<void> => {
    hooks.onOpen();
    const c = duplicate(client, false);
    const s = duplicate(client, true);
    own.push(c, s);
    cmd = c;
    for (const conn of [c, s]) {
      conn.on('error', hooks.onError);
      let first = true;
      // node-redis subscribes again by itself after a reconnect.
      conn.on(events(conn).up, () => {
        if (!first) hooks.onReady();
        first = false;
      });
    }
    const subscribed = s.connect().then(() => s.subscribe(hooks.channel, (message) => hooks.onMessage(text(message))));
    return Promise.all([c.connect(), subscribed]).then(ignore, hooks.onError);
  };
  return {
    namespace: {
      keyPrefix: typeof optionsOf(client).keyPrefix === 'string' ? (optionsOf(client).keyPrefix as string) : '',
      database: isCluster(client) ? 0 : Number(optionsOf(client).database) || 0,
    },
    start(hooks) {
      ended = hooks.onEnd;
      client.on(end, ended);
      // A client the user has not connected yet: the store waits for it.
      if (client.isOpen) return open(hooks);
      return new Promise<void>((resolve) => {
        started = () => {
          client.off(up, started as () => void);
          started = undefined;
          resolve(open(hooks));
        };
        client.on(up, started);
      });
    },
    evalsha: (sha, keys, args) => run((c) => c.evalSha(sha, { keys, arguments: args })),
    eval: (script, keys, args) => run((c) => c.eval(script, { keys, arguments: args })),
    async close(timeoutMs) {
      if (started) client.off(up, started);
      if (ended) client.off(end, ended);
      cmd = undefined;
      await Promise.all(
        own.splice(0).map(async (c) => {
          await within(
            Promise.resolve().then(() => c.close()),
            timeoutMs,
          ).catch(ignore);
          try {
            c.destroy();
          } catch {
            // already closed
          }
          c.removeAllListeners();
          c.on('error', ignore);
        }),
      );
    },
  };
}
