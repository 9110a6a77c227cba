import { type Emitter, ignore, type Shim, within } from './shim.js';

interface EvalOptions {
  keys: string[];
  arguments: string[];
}

/** The part of a node-redis client or cluster (`redis` v5, v6) the store uses. */
interface NodeRedis extends Emitter {
  evalSha(sha: string, options: EvalOptions): Promise<unknown>;
  eval(script: string, options: EvalOptions): Promise<unknown>;
  duplicate(): NodeRedis;
  connect(): Promise<unknown>;
  subscribe(channel: string, listener: (message: unknown, channel: string) => void): Promise<unknown>;
  unsubscribe(channel: string): Promise<unknown>;
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

/** A cluster's connections report through `node-ready`, a client's through `ready`. */
const READY_EVENTS = ['ready', 'node-ready'];

/** The store's view of a node-redis client or cluster. */
export function nodeRedisShim(client: NodeRedis): Shim {
  // Both set by subscribe(), which the store calls once, before close().
  let sub: NodeRedis;
  let ready: () => void;
  let connected: Promise<unknown> = Promise.resolve();
  return {
    evalsha: (sha, keys, args) => client.evalSha(sha, { keys, arguments: args }),
    eval: (script, keys, args) => client.eval(script, { keys, arguments: args }),
    subscribe(channel, onMessage, onReady, onError) {
      ready = onReady;
      for (const event of READY_EVENTS) client.on(event, onReady);
      const s = client.duplicate();
      sub = s;
      s.on('error', onError);
      let first = true;
      // node-redis subscribes again by itself after a reconnect.
      s.on('ready', () => {
        if (!first) onReady();
        first = false;
      });
      connected = s.connect();
      return connected.then(() => s.subscribe(channel, (message) => onMessage(message))).then(ignore, onError);
    },
    async close(timeoutMs) {
      for (const event of READY_EVENTS) client.off(event, ready);
      const s = sub;
      await within(connected, timeoutMs).catch(ignore);
      await within(
        Promise.resolve().then(() => s.close()),
        timeoutMs,
      ).catch(ignore);
      try {
        s.destroy();
      } catch {
        // already closed
      }
      s.removeAllListeners();
      s.on('error', ignore);
    },
  };
}
