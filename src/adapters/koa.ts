import type { Context, Middleware, Next } from 'koa';
import type { CircuitOpenError } from '../errors.js';
import type { Checked } from '../rules.js';
import type { Permit } from '../types.js';

export type { Handle, HttpBreakerOptions, KeyedHandle, SingleHandle } from './http.js';

import { errorStatus, type Handle, type HttpBreakerOptions, refuse, rejection, resolveHttpOptions, withHandle } from './http.js';

/**
 * Writes the response to a rejected request (set `ctx.status`, `ctx.body`...) instead of the
 * default 503. A throw or a rejected promise goes to Koa's error handling.
 *
 * @example
 * ```ts
 * import type { KoaRejectHandler } from 'tripswitch/koa';
 *
 * const busy: KoaRejectHandler = (error, ctx) => {
 *   ctx.status = 503;
 *   ctx.body = `busy (${error.state}), try again soon`;
 * };
 * ```
 */
export type KoaRejectHandler = (error: CircuitOpenError, ctx: Context) => void | Promise<void>;

/**
 * Options of the Koa middleware: every breaker option except `timeoutMs`, plus `breaker` or
 * `key(ctx)` with `maxKeys`, `isFailureStatus` and `onReject`.
 *
 * @example
 * ```ts
 * import type { KoaBreakerOptions } from 'tripswitch/koa';
 *
 * const options: KoaBreakerOptions = { key: (ctx) => ctx.path, window: { size: 50 } };
 * ```
 */
export type KoaBreakerOptions = HttpBreakerOptions<Context, KoaRejectHandler>;

/**
 * A Koa middleware guarded by a breaker, with its `breaker` (or, with `key`, its `registry`).
 *
 * @example
 * ```ts
 * import { circuitBreaker, type KoaCircuitBreaker } from 'tripswitch/koa';
 *
 * const guard: KoaCircuitBreaker<{ failureThreshold: number }> = circuitBreaker({ failureThreshold: 3 });
 * console.log(guard.breaker.state); // 'closed'
 * ```
 */
export type KoaCircuitBreaker<O> = Middleware & Handle<O>;

/**
 * Circuit breaker middleware for Koa 3. A request is a failure when a later middleware throws
 * an error whose `status` (or `statusCode`, else 500) is a failure status (by default >= 500),
 * or when the response goes out with a failure status. The error is rethrown for Koa to
 * handle. A client that disconnects before the response ends is ignored. When the breaker
 * rejects, later middleware does not run and the response is a 503 with `Retry-After` and a
 * JSON body.
 *
 * @example
 * ```ts
 * import Koa from 'koa';
 * import { circuitBreaker } from 'tripswitch/koa';
 *
 * const app = new Koa();
 * app.use(circuitBreaker({ failureThreshold: 5, resetTimeoutMs: 10_000 }));
 * app.use((ctx) => {
 *   ctx.body = { total: 42 };
 * });
 * ```
 */
export function circuitBreaker(): KoaCircuitBreaker<{}>;
export function circuitBreaker<O extends KoaBreakerOptions>(options: Checked<O, true>): KoaCircuitBreaker<O>;
export function circuitBreaker(options?: KoaBreakerOptions): KoaCircuitBreaker<KoaBreakerOptions> {
  const guard = resolveHttpOptions<Context, KoaRejectHandler>(options);
  const { onReject } = guard;
  const middleware = async (ctx: Context, next: Next): Promise<void> => {
    const breaker = guard.breakerFor(ctx);
    let permit: Permit;
    try {
      permit = breaker.acquire();
    } catch (error) {
      // acquire() throws nothing but the CircuitOpenError of a request turned away.
      refuse(ctx.res);
      if (onReject !== undefined) return onReject(error as CircuitOpenError, ctx);
      const { headers, body } = rejection(error as CircuitOpenError);
      ctx.status = 503;
      ctx.set(headers);
      ctx.body = body;
      return;
    }
    const res = ctx.res;
    // The response is written after the middleware chain returns: count it once it is sent
    // (it then closes), and ignore it when the client goes away before it ends.
    res.on('close', () => (res.writableFinished ? guard.settle(res, permit, breaker, res.statusCode) : permit.ignore()));
    try {
      await next();
    } catch (error) {
      guard.settle(res, permit, breaker, errorStatus(error), error);
      throw error;
    }
  };
  return withHandle(middleware, guard.handle) as KoaCircuitBreaker<KoaBreakerOptions>;
}
