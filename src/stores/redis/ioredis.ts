import { type Emitter, ignore, type Shim, within } from './shim.js';

/** The part of an ioredis `Redis` or `Cluster` (v5, v6) the store uses. */
interface Ioredis extends Emitter {
  readonly status: string;
  evalsha(sha: string, keyCount: number, ...keysAndArgs: string[]): Promise<unknown>;
  eval(script: string, keyCount: number, ...keysAndArgs: string[]): Promise<unknown>;
  duplicate(): Ioredis;
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

/** The store's view of an ioredis client. */
export function ioredisShim(client: Ioredis): Shim {
  // Both set by subscribe(), which the store calls once, before close().
  let sub: Ioredis;
  let ready: () => void;
  return {
    evalsha: (sha, keys, args) => client.evalsha(sha, keys.length, ...keys, ...args),
    eval: (script, keys, args) => client.eval(script, keys.length, ...keys, ...args),
    subscribe(channel, onMessage, onReady, onError) {
      ready = onReady;
      client.on('ready', onReady);
      const s = client.duplicate();
      sub = s;
      let subscribed = false;
      const attempt = () =>
        s.subscribe(channel).then(
          () => {
            subscribed = true;
          },
          // Refused before the subscriber is ready (offline queue disabled): retried on `ready`.
          (error: unknown) => {
            if (s.status === 'ready') onError(error);
          },
        );
      s.on('error', onError);
      // The subscriber is ours and holds this one channel.
      s.on('message', (_channel: string, message: unknown) => onMessage(message));
      // ioredis subscribes again by itself after a reconnect; a first subscribe refused
      // (offline queue disabled, not connected yet) is retried once the subscriber is ready.
      s.on('ready', () => {
        if (!subscribed) void attempt();
        else onReady();
      });
      return attempt();
    },
    async close(timeoutMs) {
      client.off('ready', ready);
      const s = sub;
      await within(s.quit(), timeoutMs).catch(ignore);
      s.disconnect();
      s.removeAllListeners();
      s.on('error', ignore);
    },
  };
}
