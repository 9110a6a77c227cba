import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { CircuitOpenError } from '../errors.js';
import type { Checked } from '../rules.js';
import type { Permit } from '../types.js';

export type { Handle, HttpBreakerOptions, KeyedHandle, SingleHandle } from './http.js';

import { cutShort, type Handle, type HttpBreakerOptions, refuse, rejection, resolveHttpOptions, withHandle } from './http.js';

/**
 * Writes the response to a rejected request instead of the default 503. A throw or a
 * rejected promise goes to `next(error)`.
 *
 * @example
 * ```ts
 * import type { ExpressRejectHandler } from 'tripswitch/express';
 *
 * const busy: ExpressRejectHandler = (error, _req, res) => {
 *   res.status(503).set('Retry-After', '30').send(`busy (${error.state}), try again soon`);
 * };
 * ```
 */
export type ExpressRejectHandler = (error: CircuitOpenError, req: Request, res: Response) => void | Promise<void>;

/**
 * Options of the Express middleware: every breaker option except `timeoutMs`, plus `breaker`
 * or `key(req)` with `maxKeys`, `isFailureStatus` and `onReject`.
 *
 * @example
 * ```ts
 * import type { ExpressBreakerOptions } from 'tripswitch/express';
 *
 * const options: ExpressBreakerOptions = { key: (req) => req.baseUrl + req.route.path, maxKeys: 50, failureThreshold: 10 };
 * ```
 */
export type ExpressBreakerOptions = HttpBreakerOptions<Request, ExpressRejectHandler>;

/**
 * An Express middleware guarded by a breaker, with its `breaker` (or, with `key`, its `registry`).
 *
 * @example
 * ```ts
 * import { circuitBreaker, type ExpressCircuitBreaker } from 'tripswitch/express';
 *
 * const guard: ExpressCircuitBreaker<{ failureThreshold: number }> = circuitBreaker({ failureThreshold: 3 });
 * console.log(guard.breaker.stats().inFlight); // 0
 * ```
 */
export type ExpressCircuitBreaker<O> = RequestHandler & Handle<O>;

/**
 * Circuit breaker middleware for Express 5. A request is a failure when the response goes
 * out with a failure status (by default >= 500). Errors thrown by later handlers reach
 * Express's error handling as usual; the status that the error handler (or Express's final
 * handler, from the error's `status`) sets is what counts, when the response finishes. A
 * client that disconnects before the response ends is ignored. When the breaker rejects, the
 * handler does not run and the response is a 503 with `Retry-After` and a JSON body.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { circuitBreaker } from 'tripswitch/express';
 *
 * const app = express();
 * app.use('/reports', circuitBreaker({ failureThreshold: 5, resetTimeoutMs: 10_000 }));
 * app.get('/reports/daily', (_req, res) => {
 *   res.json({ total: 42 });
 * });
 * ```
 */
export function circuitBreaker(): ExpressCircuitBreaker<{}>;
export function circuitBreaker<O extends ExpressBreakerOptions>(options: Checked<O, true>): ExpressCircuitBreaker<O>;
export function circuitBreaker(options?: ExpressBreakerOptions): ExpressCircuitBreaker<ExpressBreakerOptions> {
  const guard = resolveHttpOptions<Request, ExpressRejectHandler>(options);
  const { onReject } = guard;
  const middleware = (req: Request, res: Response, next: NextFunction): void => {
    try {
      const breaker = guard.breakerFor(req);
      let permit: Permit;
      try {
        permit = breaker.acquire();
      } catch (error) {
        // acquire() throws nothing but the CircuitOpenError of a request turned away.
        refuse(res);
        if (onReject !== undefined) Promise.resolve(onReject(error as CircuitOpenError, req, res)).catch(next);
        else reject(res, error as CircuitOpenError);
        return;
      }
      // A response closes once sent, or cut off before it ends: by the client (ignored) or by
      // the server (a stream failing midway: a failure).
      res.on('close', () => {
        if (res.writableFinished && !res.errored) return guard.settle(res, permit, breaker, res.statusCode);
        const cut = cutShort(res, req.socket);
        if (cut === undefined) permit.ignore();
        else permit.failure(cut);
      });
    } catch (error) {
      next(error);
      return;
    }
    next();
  };
  return withHandle(middleware, guard.handle) as ExpressCircuitBreaker<ExpressBreakerOptions>;
}

function reject(res: Response, error: CircuitOpenError): void {
  const { headers, body } = rejection(error);
  res.writeHead(503, { ...headers, 'Content-Length': String(body.length) });
  res.end(body);
}
