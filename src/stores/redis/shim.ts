/** What the store tells its shim to do for it once the user's client is connected. */
export interface Hooks {
  /** The channel to subscribe to. */
  readonly channel: string;
  /** A message on the channel. */
  onMessage(message: unknown): void;
  /** A connection of the store is ready again (after the first time): time to resynchronize. */
  onReady(): void;
  /** A connection of the store failed. */
  onError(error: unknown): void;
  /** The user's client ended for good (`quit()`, `disconnect()`, no more reconnections). */
  onEnd(): void;
  /** The store's connections are being opened (the user's client is connected). */
  onOpen(): void;
}

/**
 * What the store needs of a Redis client, whichever library it comes from. The store runs its
 * commands on a connection of its own, duplicated from the user's client with no offline
 * queue: a command is sent now or fails now, nothing the store sends waits in the user's
 * client, and the user's `quit()` never waits behind the store.
 */
export interface Shim {
  /** The client's own key prefix (ioredis `keyPrefix`) and database: the channel is namespaced as the keys are. */
  readonly namespace: { readonly keyPrefix: string; readonly database: number };
  /**
   * Opens the store's connections (commands, subscriber) once the user's client is connected
   * (at once when it is), then subscribes. A client the user has not connected is not
   * connected by the store. Resolves once subscribed, or once the store gave up on this try.
   */
  start(hooks: Hooks): Promise<void>;
  /** Runs a loaded script by its SHA-1 (rejects with a `NOSCRIPT` error when it is not loaded); rejects at once when not connected. */
  evalsha(sha: string, keys: string[], args: string[]): Promise<unknown>;
  /** Runs a script from its source (and loads it); rejects at once when not connected. */
  eval(script: string, keys: string[], args: string[]): Promise<unknown>;
  /** Releases the store's connections and every listener it added to the user's client. */
  close(timeoutMs: number): Promise<void>;
}

/** A listener target (both libraries' clients are Node event emitters). */
export interface Emitter {
  on(event: string, listener: (...args: never[]) => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
}

/** For failures that need no answer: a close that times out, a subscriber that errs after close. */
export const ignore = (): undefined => undefined;

/** The error of a command the store did not send because its connection is not ready. */
export const notConnected = (): Promise<never> =>
  Promise.reject(new Error('tripswitch/redis: the store is not connected to Redis'));

/** Text of a reply element: a client set to return Buffers for strings still gives the store strings. */
export const text = (value: unknown): unknown => (value instanceof Uint8Array ? new TextDecoder().decode(value) : value);

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
