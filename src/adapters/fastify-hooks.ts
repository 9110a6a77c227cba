import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CircuitOpenError } from '../errors.js';
import type { Breaker, Permit } from '../types.js';
import { type Stream, streamOf } from './fastify-plugin.js';
import { answer, type FastifyRejectHandler, reject } from './fastify-reject.js';
import { errorStatus, type Guard } from './http.js';

// The hooks tripswitch/fastify adds to a context: a permit taken in onRequest, kept on the
// request, and settled by whichever of onResponse, onRequestAbort and onTimeout comes first.

/** A guarded request's permit, its breaker and the error seen on its way, kept on the request. */
interface Pending {
  readonly permit: Permit;
  readonly breaker: Breaker;
  error: unknown;
  /** The request reached the preHandler stage: nothing before the handler answered it. */
  reached: boolean;
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
    // Fastify's 404 handler (no route: nothing to guard), or a route that opted out.
    if (request.is404 || request.routeOptions.config?.circuitBreaker === false) {
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
    (request as unknown as Slots)[slot] = { permit, breaker, error: undefined, reached: false, broken: false };
    next();
  };
  // Whatever answers before this (another breaker's 503, a rate limit's 429 from onRequest, body
  // parsing, validation) answered for a handler that never ran: the request is ignored.
  const preHandler = (request: FastifyRequest, _reply: FastifyReply, next: Done): void => {
    const pending = (request as unknown as Slots)[slot];
    if (pending) pending.reached = true;
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
    if (pending?.reached) guard.settle(pending.permit, pending.breaker, reply.statusCode, pending.error);
    else pending?.permit.ignore();
    next();
  };
  // The client went away before the response ended (Fastify then runs no onResponse), or the
  // response was destroyed because its stream failed: a failure then, else ignored.
  const onRequestAbort = (request: FastifyRequest, next: Done): void => {
    const pending = take(request);
    if (pending?.broken && pending.reached)
      guard.settle(pending.permit, pending.breaker, errorStatus(pending.error), pending.error);
    else pending?.permit.ignore();
    next();
  };
  // Fastify's connectionTimeout hung the socket up on a request that took too long: a failure
  // once its handler ran (before, the time went to the client's upload or to other hooks).
  const onTimeout = (request: FastifyRequest, _reply: FastifyReply, next: Done): void => {
    const pending = take(request);
    if (pending?.reached)
      pending.permit.failure(Object.assign(new Error('the request outlasted connectionTimeout'), { status: 503 }));
    else pending?.permit.ignore();
    next();
  };
  return [
    ['onRequest', onRequest],
    ['preHandler', preHandler],
    ['onError', onError],
    ['onSend', onSend],
    ['onResponse', onResponse],
    ['onRequestAbort', onRequestAbort],
    ['onTimeout', onTimeout],
  ];
}
