import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CircuitOpenError } from '../errors.js';
import type { Breaker, Permit } from '../types.js';
import { type Stream, streamOf } from './fastify-plugin.js';
import { errorStatus, type Guard, rejection } from './http.js';

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

// The hooks tripswitch/fastify adds to a context: a permit taken in onRequest, kept on the
// request, and settled by whichever of onResponse, onRequestAbort and onTimeout comes first.

/** A guarded request's permit, its breaker and the error seen on its way, kept on the request. */
interface Pending {
  readonly permit: Permit;
  readonly breaker: Breaker;
  error: unknown;
  /** The response stream failed after the headers went out. */
  broken: boolean;
}

type Slots = Record<symbol, Pending | null>;
type Done = (error?: Error) => void;

/** @internal The hooks of one registration, sharing `slot` on the request. */
export function routeHooks(guard: Guard<FastifyRequest, FastifyRejectHandler>, slot: symbol): [string, unknown][] {
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
