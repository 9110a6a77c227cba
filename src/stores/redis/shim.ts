import { ioredisShim, isIoredis } from './ioredis.js';
import { isNodeRedis, nodeRedisShim } from './node-redis.js';

/** What the store needs of a Redis client, whichever library it comes from. */
export interface Shim {
  /** Runs a loaded script by its SHA-1 (rejects with a `NOSCRIPT` error when it is not loaded). */
  evalsha(sha: string, keys: string[], args: string[]): Promise<unknown>;
  /** Runs a script from its source (and loads it). */
  eval(script: string, keys: string[], args: string[]): Promise<unknown>;
  /**
   * Opens the subscriber (a duplicate of the user's client) and subscribes to `channel`.
   * `onReady` is called whenever a connection of the user's client or of the subscriber is
   * ready again; `onError` when the subscriber fails. Resolves once subscribed.
   */
  subscribe(
    channel: string,
    onMessage: (message: unknown) => void,
    onReady: () => void,
    onError: (error: unknown) => void,
  ): Promise<void>;
  /** Unsubscribes, removes every listener it added, and releases the subscriber. */
  close(timeoutMs: number): Promise<void>;
}

/** A listener target (both libraries' clients are Node event emitters). */
export interface Emitter {
  on(event: string, listener: (...args: never[]) => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
}

/** For failures that need no answer: a close that times out, a subscriber that errs after close. */
export const ignore = (): undefined => undefined;

/** Waits for `promise` at most `ms`; a late settlement is dropped, never unhandled. */
export function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tripswitch/redis: no reply within ${ms} ms`)), ms);
    (timer as { unref?: () => void }).unref?.();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** Recognises the client by its shape (neither library is imported) and wraps it. */
export function shimOf(client: unknown): Shim | undefined {
  if (isIoredis(client)) return ioredisShim(client);
  if (isNodeRedis(client)) return nodeRedisShim(client);
  return undefined;
}
