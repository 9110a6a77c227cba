import type { Context, MiddlewareHandler, Next } from 'hono';
import type { CircuitOpenError } from '../errors.js';
import type { Checked } from '../rules.js';
import type { Permit } from '../types.js';

export type { Handle, HttpBreakerOptions, KeyedHandle, SingleHandle } from './http.js';

import {
  type Closed,
  cutShort,
  errorStatus,
  type Handle,
  type HttpBreakerOptions,
  refuse,
  rejection,
  resolveHttpOptions,
  withHandle,
} from './http.js';

/**
 * Returns the response to a rejected request instead of the default 503.
 *
 * @example
 * ```ts
 * import type { HonoRejectHandler } from 'tripswitch/hono';
 *
 * const busy: HonoRejectHandler = (error, c) => c.text(`busy (${error.state}), try again soon`, 503);
 * ```
 */
export type HonoRejectHandler = (error: CircuitOpenError, c: Context) => Response | Promise<Response>;

/**
 * Options of the Hono middleware: every breaker option except `timeoutMs`, plus `breaker` or
 * `key(c)` with `maxKeys`, `isFailureStatus` and `onReject`.
 *
 * @example
 * ```ts
 * import type { HonoBreakerOptions } from 'tripswitch/hono';
 *
 * const options: HonoBreakerOptions = { key: (c) => c.req.header('x-tenant') ?? 'anonymous', maxKeys: 10_000 };
 * ```
 */
export type HonoBreakerOptions = HttpBreakerOptions<Context, HonoRejectHandler>;

/**
 * A Hono middleware guarded by a breaker, with its `breaker` (or, with `key`, its `registry`).
 *
 * @example
 * ```ts
 * import { circuitBreaker, type HonoCircuitBreaker } from 'tripswitch/hono';
 *
 * const guard: HonoCircuitBreaker<{ failureThreshold: number }> = circuitBreaker({ failureThreshold: 3 });
 * console.log(guard.breaker.state); // 'closed'
 * ```
 */
export type HonoCircuitBreaker<O> = MiddlewareHandler & Handle<O>;

/**
 * Circuit breaker middleware for Hono 4. A request is a failure when the handler throws an
 * error whose `status` (or `statusCode`, else 500) is a failure status (by default >= 500), or
 * when it returns a response with a failure status. Hono's own error handling still answers
 * the request. A client that disconnects (the request's `signal` aborts) before the handler
 * returns is ignored. When the breaker rejects, the handler does not run and the response is a
 * 503 with `Retry-After` and a JSON body.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { circuitBreaker } from 'tripswitch/hono';
 *
 * const app = new Hono();
 * app.use('/reports/*', circuitBreaker({ failureThreshold: 5, resetTimeoutMs: 10_000 }));
 * app.get('/reports/daily', (c) => c.json({ total: 42 }));
 * ```
 */
export function circuitBreaker(): HonoCircuitBreaker<{}>;
export function circuitBreaker<O extends HonoBreakerOptions>(options: Checked<O, true>): HonoCircuitBreaker<O>;
export function circuitBreaker(options?: HonoBreakerOptions): HonoCircuitBreaker<HonoBreakerOptions> {
  const guard = resolveHttpOptions<Context, HonoRejectHandler>(options);
  const { onReject } = guard;
  const middleware = async (c: Context, next: Next): Promise<Response | undefined> => {
    const breaker = guard.breakerFor(c);
    let permit: Permit;
    try {
      permit = breaker.acquire();
    } catch (error) {
      // acquire() throws nothing but the CircuitOpenError of a request turned away.
      refuse(c);
      if (onReject !== undefined) return onReject(error as CircuitOpenError, c);
      const { headers, body } = rejection(error as CircuitOpenError);
      return c.body(body, 503, headers);
    }
    // A client that goes away before the handler returns is ignored. On Node.js
    // (`@hono/node-server`) the outgoing response is watched, because reading `c.req.raw` there
    // makes a whole `Request` for every request; elsewhere the request's signal. On Node.js a
    // response with a body is counted when it has gone out (a stream failing midway is a
    // failure), so `streamed` holds its status until the response closes.
    const ignore = (): void => permit.ignore();
    const outgoing = nodeResponse(c);
    const signal = outgoing === undefined ? c.req.raw.signal : undefined;
    let streamed: number | undefined;
    if (outgoing !== undefined) {
      outgoing.on('close', () => {
        if (streamed === undefined) permit.ignore();
        else if (outgoing.writableFinished && !outgoing.errored) guard.settle(c, permit, breaker, streamed);
        else {
          const cut = cutShort(outgoing, (c.env as { incoming?: { socket?: Closed } }).incoming?.socket);
          if (cut === undefined) permit.ignore();
          else permit.failure(cut);
        }
      });
    } else signal?.addEventListener('abort', ignore, { once: true });
    try {
      await next();
    } catch (error) {
      // Hono hands errors to its error handler and sets `c.error`; this only sees what it rethrows.
      guard.settle(c, permit, breaker, errorStatus(error), error);
      throw error;
    } finally {
      signal?.removeEventListener('abort', ignore);
    }
    const gone = outgoing !== undefined ? outgoing.destroyed && !outgoing.writableFinished : signal?.aborted === true;
    if (gone) permit.ignore();
    else if (c.error !== undefined) guard.settle(c, permit, breaker, errorStatus(c.error), c.error);
    else if (outgoing !== undefined && c.res.body !== null) streamed = c.res.status;
    else guard.settle(c, permit, breaker, c.res.status);
    return undefined;
  };
  return withHandle(middleware, guard.handle) as HonoCircuitBreaker<HonoBreakerOptions>;
}

/** The Node.js response that `@hono/node-server` passes as `c.env.outgoing`. */
interface NodeResponse extends Closed {
  readonly writableFinished: boolean;
  readonly destroyed: boolean;
  on(event: 'close', listener: () => void): unknown;
}

/** The Node.js response under this request, when served by `@hono/node-server`. */
function nodeResponse(c: Context): NodeResponse | undefined {
  const outgoing = (c.env as { outgoing?: NodeResponse } | undefined)?.outgoing;
  return outgoing !== undefined && typeof outgoing.on === 'function' ? outgoing : undefined;
}
