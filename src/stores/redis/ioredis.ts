import { type Emitter, removeListener, type Shim, within } from './shim.js';

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
  let sub: Ioredis | undefined;
  let ready: (() => void) | undefined;
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
          (error: unknown) => onError(error),
        );
      s.on('error', onError);
      s.on('message', (ch: string, message: unknown) => {
        if (ch === channel) onMessage(message);
      });
      // ioredis subscribes again by itself after a reconnect; a first subscribe refused
      // (offline queue disabled, not connected yet) is retried once the subscriber is ready.
      s.on('ready', () => {
        if (!subscribed) void attempt();
        else onReady();
      });
      return attempt();
    },
    async close(timeoutMs) {
      if (ready) removeListener(client, 'ready', ready);
      const s = sub;
      if (!s) return;
      await within(s.quit(), timeoutMs).catch(() => undefined);
      s.disconnect();
      s.removeAllListeners();
      s.on('error', () => undefined);
    },
  };
}
