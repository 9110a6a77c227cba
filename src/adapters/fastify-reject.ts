// The answer to a request the breaker rejected: the default 503, or the user's onReject run as
// Fastify runs a handler.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CircuitOpenError } from '../errors.js';
import { rejection } from './http.js';

/**
 * Answers a rejected request instead of the default 503, as a Fastify handler does: it sends
 * (`reply.code(...).send(...)`), or returns (or resolves with) the body to send. The reply's
 * status is already 503 when it is called. When it neither sends nor returns a body (it only
 * logs, say), the default 503 goes out. A throw or a rejected promise goes to Fastify's error
 * handling.
 *
 * @example
 * ```ts
 * import type { FastifyRejectHandler } from 'tripswitch/fastify';
 *
 * const busy: FastifyRejectHandler = (error, _request, reply) =>
 *   reply.header('Retry-After', '30').send(`busy (${error.state}), try again soon`);
 * const degraded: FastifyRejectHandler = () => ({ results: [], degraded: true }); // a 503 with this body
 * ```
 */
export type FastifyRejectHandler = (error: CircuitOpenError, request: FastifyRequest, reply: FastifyReply) => unknown;

/**
 * @internal Runs the user's `onReject` as Fastify runs a handler: what it sends goes out, else
 * what it returns (or resolves with) is sent, else the default 503. What it throws or rejects
 * with goes to Fastify's error handling.
 */
export function answer(
  onReject: FastifyRejectHandler,
  error: CircuitOpenError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const answered = watchSend(reply);
  const fail = (thrown: unknown): void => {
    if (!answered()) reply.send(thrown instanceof Error ? thrown : new Error(String(thrown)));
  };
  const finish = (value: unknown): void => {
    // Returning the reply says "it is sent, or will be", as from a Fastify handler.
    if (value === reply || answered()) return;
    if (value === undefined) reject(reply, error);
    else reply.send(value);
  };
  reply.code(503);
  let result: unknown;
  try {
    result = onReject(error, request, reply);
  } catch (thrown) {
    fail(thrown);
    return;
  }
  if (result !== reply && typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') {
    (result as PromiseLike<unknown>).then(finish, fail);
  } else finish(result);
}

/**
 * Whether the reply has been answered: sent, hijacked, written to by hand, or given to `send`
 * (whose response may still be in async onSend hooks, not yet `sent`: only a watch on this
 * reply's `send` can tell).
 */
function watchSend(reply: FastifyReply): () => boolean {
  let sending = false;
  const send = reply.send;
  reply.send = function (this: FastifyReply, payload?: unknown) {
    sending = true;
    return send.call(this, payload);
  };
  return () => sending || reply.sent || reply.raw.headersSent;
}

/** @internal The default 503. */
export function reject(reply: FastifyReply, error: CircuitOpenError): void {
  const { headers, body } = rejection(error);
  // A Buffer, so Fastify sends the body and its Content-Type as they are (no charset added).
  reply.code(503).headers(headers).send(Buffer.from(body));
}
