import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CircuitOpenError } from '../errors.js';
import type { Breaker, Permit } from '../types.js';
import { pluginMeta, type Stream, streamOf } from './fastify-plugin.js';

export type { Handle, HttpBreakerOptions, KeyedHandle, SingleHandle } from './http.js';

import {
  errorStatus,
  type Guard,
  type HttpBreakerOptions,
  type KeyedHandle,
  rejection,
  resolveHttpOptions,
  type SingleHandle,
} from './http.js';

/**
 * Writes the response to a rejected request (with `reply.code(...).send(...)`) instead of the
 * default 503. A throw or a rejected promise goes to Fastify's error handling.
 *
 * @example
 * ```ts
 * import type { FastifyRejectHandler } from 'tripswitch/fastify';
 *
 * const busy: FastifyRejectHandler = (error, _request, reply) => {
 *   reply.code(503).header('Retry-After', '30').send(`busy (${error.state}), try again soon`);
 * };
 * ```
 */
export type FastifyRejectHandler = (
  error: CircuitOpenError,
  request: FastifyRequest,
  reply: FastifyReply,
) => void | Promise<void>;

/**
 * Options of the Fastify plugin: every breaker option except `timeoutMs`, plus `breaker` or
 * `key(request)` with `maxKeys`, `isFailureStatus` and `onReject`.
 *
 * @example
 * ```ts
 * import type { FastifyBreakerOptions } from 'tripswitch/fastify';
 *
 * const options: FastifyBreakerOptions = { key: (request) => request.routeOptions.url ?? 'unknown', maxKeys: 100 };
 * ```
 */
export type FastifyBreakerOptions = HttpBreakerOptions<FastifyRequest, FastifyRejectHandler>;

/**
 * What a registration of the plugin leaves on the Fastify instance it was registered in, as
 * `app.tripswitch`: its `breaker`, or with `key` its `registry`.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { circuitBreaker, type FastifyBreakerHandle } from 'tripswitch/fastify';
 *
 * const app = Fastify();
 * await app.register(circuitBreaker, { failureThreshold: 3 });
 * const handle: FastifyBreakerHandle = app.tripswitch;
 * console.log(handle.breaker?.state); // 'closed'
 * ```
 */
export type FastifyBreakerHandle = Partial<SingleHandle & KeyedHandle>;

declare module 'fastify' {
  interface FastifyInstance {
    /** The breaker (or, with `key`, the registry) of the tripswitch plugin registered in this context or above it. */
    readonly tripswitch: FastifyBreakerHandle;
  }
  interface FastifyContextConfig {
    /** `false`: this route is not guarded by the tripswitch plugin. */
    readonly circuitBreaker?: boolean | undefined;
  }
}

/**
 * The type of {@link circuitBreaker}: a Fastify plugin taking {@link FastifyBreakerOptions}.
 *
 * @example
 * ```ts
 * import { circuitBreaker, type FastifyCircuitBreaker } from 'tripswitch/fastify';
 *
 * const plugin: FastifyCircuitBreaker = circuitBreaker;
 * ```
 */
export type FastifyCircuitBreaker = (
  instance: FastifyInstanceLike,
  options: FastifyBreakerOptions,
  done: (error?: Error) => void,
) => void;

/**
 * The part of a Fastify instance the plugin uses. Any Fastify 5 instance fits, also one from
 * another copy of fastify (such as the one `@nestjs/platform-fastify` brings).
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import type { FastifyInstanceLike } from 'tripswitch/fastify';
 *
 * const app: FastifyInstanceLike = Fastify();
 * ```
 */
export interface FastifyInstanceLike {
  decorateRequest(name: string, value: null): unknown;
  addHook(name: string, hook: (...args: never[]) => unknown): unknown;
}

/** A guarded request's permit, its breaker and the error seen on its way, kept on the request. */
interface Pending {
  readonly permit: Permit;
  readonly breaker: Breaker;
  error: unknown;
  /** The response stream failed after the headers went out. */
  broken: boolean;
}

/**
 * Circuit breaker plugin for Fastify 5. Registered at the root it guards every route of the
 * app; registered inside an encapsulated context (a `register`ed plugin), that context's routes
 * only, whether declared before or after it; a route opts out with
 * `config: { circuitBreaker: false }`. A request is a failure when its response goes out with
 * a failure status (by default >= 500): an error thrown by the handler counts by the status
 * Fastify's error handling answers with (the error's `statusCode` or `status`, else 500). A
 * response stream that fails midway is a failure, as is a request that hits Fastify's
 * `connectionTimeout`. A client that disconnects before the response ends is ignored. When the
 * breaker rejects, the handler does not run and the response is a 503 with `Retry-After` and a
 * JSON body. The breaker (or with `key` the registry) is `app.tripswitch`.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { circuitBreaker } from 'tripswitch/fastify';
 *
 * const app = Fastify();
 * await app.register(circuitBreaker, { failureThreshold: 5, resetTimeoutMs: 10_000 });
 * app.get('/reports/daily', async () => ({ total: 42 }));
 * app.get('/health', { config: { circuitBreaker: false } }, async () => 'ok');
 * ```
 */
export const circuitBreaker: FastifyCircuitBreaker = pluginMeta(function circuitBreaker(
  instance: FastifyInstanceLike,
  options: FastifyBreakerOptions,
  done: (error?: Error) => void,
): void {
  if (typeof done !== 'function') {
    throw new TypeError(
      'circuitBreaker is a Fastify plugin: app.register(circuitBreaker, options), not app.register(circuitBreaker(options))',
    );
  }
  let guard: Guard<FastifyRequest, FastifyRejectHandler>;
  try {
    guard = resolveHttpOptions<FastifyRequest, FastifyRejectHandler>(options);
  } catch (error) {
    // Bad options: app.register(), app.ready() and app.listen() reject with this error.
    done(error as Error);
    return;
  }
  // One slot per registration: a route guarded at the root and in its own context has two.
  const slot = Symbol('tripswitch.pending');
  instance.decorateRequest(slot as unknown as string, null);
  Object.defineProperty(instance, 'tripswitch', { value: guard.handle, configurable: true });
  // Context hooks, not route hooks: they reach the routes declared before the plugin loads
  // (`app.register(circuitBreaker); app.get(...)` without await) as well as after.
  for (const [name, hook] of routeHooks(guard, slot)) instance.addHook(name, hook as never);
  done();
});

type Slots = Record<symbol, Pending | null>;
type Done = (error?: Error) => void;

/** The hooks of one registration, sharing `slot` on the request. */
function routeHooks(guard: Guard<FastifyRequest, FastifyRejectHandler>, slot: symbol): [string, unknown][] {
  const { onReject } = guard;
  const take = (request: FastifyRequest): Pending | null => {
    const pending = (request as unknown as Slots)[slot] ?? null;
    (request as unknown as Slots)[slot] = null;
    return pending;
  };
  const onRequest = (request: FastifyRequest, reply: FastifyReply, next: Done): void => {
    if (request.routeOptions.config?.circuitBreaker === false) {
      next();
      return;
    }
    let breaker: Breaker;
    let permit: Permit;
    try {
      breaker = guard.breakerFor(request);
    } catch (error) {
      next(error as Error);
      return;
    }
    try {
      permit = breaker.acquire();
    } catch (error) {
      // acquire() throws nothing but the CircuitOpenError of a request turned away; the reply
      // is sent here, so `next` is not called and the handler does not run.
      if (onReject === undefined) reject(reply, error as CircuitOpenError);
      else answer(onReject, error as CircuitOpenError, request, reply);
      return;
    }
    (request as unknown as Slots)[slot] = { permit, breaker, error: undefined, broken: false };
    next();
  };
  const onError = (request: FastifyRequest, _reply: FastifyReply, error: unknown, next: Done): void => {
    const pending = (request as unknown as Slots)[slot];
    if (pending) pending.error = error;
    next();
  };
  const onSend = (
    request: FastifyRequest,
    _reply: FastifyReply,
    payload: unknown,
    next: (error?: Error | null, value?: unknown) => void,
  ) => {
    const stream: Stream | undefined = streamOf(payload);
    const pending = (request as unknown as Slots)[slot];
    if (stream !== undefined && pending) {
      stream.once('error', (error: unknown) => {
        pending.error = error;
        pending.broken = true;
      });
    }
    next(null, payload);
  };
  const onResponse = (request: FastifyRequest, reply: FastifyReply, next: Done): void => {
    const pending = take(request);
    if (pending !== null) guard.settle(pending.permit, pending.breaker, reply.statusCode, pending.error);
    next();
  };
  // The client went away before the response ended (Fastify then runs no onResponse), or the
  // response was destroyed because its stream failed: a failure then, else ignored.
  const onRequestAbort = (request: FastifyRequest, next: Done): void => {
    const pending = take(request);
    if (pending?.broken) guard.settle(pending.permit, pending.breaker, errorStatus(pending.error), pending.error);
    else pending?.permit.ignore();
    next();
  };
  // Fastify's connectionTimeout hung the socket up on a request that took too long: a failure.
  const onTimeout = (request: FastifyRequest, _reply: FastifyReply, next: Done): void => {
    const pending = take(request);
    pending?.permit.failure(Object.assign(new Error('the request outlasted connectionTimeout'), { status: 503 }));
    next();
  };
  return [
    ['onRequest', onRequest],
    ['onError', onError],
    ['onSend', onSend],
    ['onResponse', onResponse],
    ['onRequestAbort', onRequestAbort],
    ['onTimeout', onTimeout],
  ];
}

/** Runs the user's `onReject`; what it throws or rejects with goes to Fastify's error handling. */
function answer(onReject: FastifyRejectHandler, error: CircuitOpenError, request: FastifyRequest, reply: FastifyReply): void {
  try {
    const result = onReject(error, request, reply);
    if (result !== undefined && typeof result.then === 'function')
      result.then(undefined, (thrown: unknown) => fail(reply, thrown));
  } catch (thrown) {
    fail(reply, thrown);
  }
}

function fail(reply: FastifyReply, error: unknown): void {
  if (!reply.sent) reply.send(error instanceof Error ? error : new Error(String(error)));
}

function reject(reply: FastifyReply, error: CircuitOpenError): void {
  const { headers, body } = rejection(error);
  // A Buffer, so Fastify sends the body and its Content-Type as they are (no charset added).
  reply.code(503).headers(headers).send(Buffer.from(body));
}
