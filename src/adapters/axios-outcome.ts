import type { InternalAxiosRequestConfig } from 'axios';
import { type ManualPermit, permitTimedOut } from '../permit.js';
import type { Permit } from '../types.js';

// How guardAxios reads an error axios rejected with: a cancel, a timeout, or a failure.

/** @internal Whether axios's `isCancel` would say so: cancelled by a `signal` or a `CancelToken`. */
export function isCancel(error: unknown): boolean {
  const e = error as { __CANCEL__?: unknown; code?: unknown } | null;
  return typeof e === 'object' && e !== null && (e.__CANCEL__ === true || e.code === 'ERR_CANCELED');
}

/**
 * @internal The request's `timeout` when `error` is axios's own timeout error (`ECONNABORTED`, or
 * `ETIMEDOUT` with `transitional.clarifyTimeoutError`); undefined for any other error, a
 * connection the system gave up on (a network error) and a browser's abort included.
 */
export function timeoutOf(error: unknown, config: InternalAxiosRequestConfig): number | undefined {
  const ms = config.timeout;
  const { code, message, cause } = error as { code?: unknown; message?: unknown; cause?: { syscall?: unknown } };
  if (typeof ms !== 'number' || !(ms > 0) || (code !== 'ECONNABORTED' && code !== 'ETIMEDOUT')) return undefined;
  if (message === 'Request aborted' || cause?.syscall !== undefined) return undefined;
  return ms;
}

/**
 * @internal Counts a failure by timeout: in `totals.timeouts`, with a `timeout` event, as the
 * breaker's own `timeoutMs`. The guard's breakers are made by its registry: their permits are this package's.
 */
export function timedOut(permit: Permit, error: unknown, timeoutMs: number): void {
  permitTimedOut(permit as ManualPermit, error, timeoutMs);
}

/**
 * @internal Calls `listener` when the request's `CancelToken` is cancelled; returns the
 * function that stops listening. A token's cancel error carries no request config, so the
 * response interceptor cannot tell which request it ends.
 */
export function onCancel(token: unknown, listener: () => void): () => void {
  // axios's own adapters subscribe the same way: a token without these methods fails there first.
  const t = token as { subscribe(l: () => void): void; unsubscribe(l: () => void): void };
  const once = (): void => listener();
  t.subscribe(once);
  return () => t.unsubscribe(once);
}
