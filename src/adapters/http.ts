import { CircuitBreaker } from '../breaker.js';
import { describe } from '../describe.js';
import type { CircuitOpenError } from '../errors.js';
import { BREAKER_OPTION_NAMES, type BreakerOptions, func, optionsObject, positiveInteger, resolveOptions } from '../options.js';
import { BreakerRegistry, type Registry } from '../registry.js';
import type { Breaker, Permit } from '../types.js';

/**
 * Options of the HTTP middleware (`tripswitch/express`, `tripswitch/koa`, `tripswitch/hono`):
 * every breaker option except `timeoutMs`, plus a shared `breaker` or a `key` per request.
 * `Ctx` is what the framework hands a middleware (`req`, `ctx` or `c`).
 *
 * @example
 * ```ts
 * import type { ExpressBreakerOptions } from 'tripswitch/express';
 *
 * const options: ExpressBreakerOptions = {
 *   key: (req) => req.path.split('/')[1] || 'root',
 *   failureThreshold: 10,
 * };
 * ```
 */
export interface HttpBreakerOptions<Ctx, OnReject> extends Omit<BreakerOptions, 'timeoutMs'> {
  /**
   * Not available: a middleware cannot cut a request short from outside. Count slow
   * responses with `slowCallDurationMs` instead; giving `timeoutMs` is a `TypeError`.
   */
  readonly timeoutMs?:
    | 'timeoutMs is not available on a middleware: a request cannot be cut short from outside; count slow responses with slowCallDurationMs'
    | undefined;
  /** Use this breaker (shared with other middleware or code); then no breaker option may be given. */
  readonly breaker?: Breaker | undefined;
  /** One breaker per key (per route, per tenant...), made on first use and named by the key. */
  readonly key?: ((ctx: Ctx) => string) | undefined;
  /** With `key`: the most breakers held at once; the least recently used closed one goes first. @default 1000 */
  readonly maxKeys?: number | undefined;
  /** Which response statuses count as failures. @default status >= 500 */
  readonly isFailureStatus?: ((status: number) => boolean) | undefined;
  /** Writes the response to a rejected request instead of the default 503. */
  readonly onReject?: OnReject | undefined;
}

/**
 * What the middleware exposes besides being a middleware: its `breaker`, or with `key` its
 * `registry` of breakers.
 *
 * @example
 * ```ts
 * import { circuitBreaker } from 'tripswitch/express';
 *
 * const perRoute = circuitBreaker({ key: (req) => req.baseUrl + req.route.path, maxKeys: 50 });
 * console.log(perRoute.registry.size); // 0
 * const whole = circuitBreaker({ failureThreshold: 3 });
 * console.log(whole.breaker.state); // 'closed'
 * ```
 */
export type Handle<O> = O extends {
  /** A key function: one breaker per key. */
  readonly key: (...args: never[]) => string;
}
  ? KeyedHandle
  : 'key' extends keyof O
    ? Partial<SingleHandle & KeyedHandle>
    : SingleHandle;

/**
 * The `breaker` property of a middleware made without `key`.
 *
 * @example
 * ```ts
 * import { circuitBreaker, type SingleHandle } from 'tripswitch/express';
 *
 * const handle: SingleHandle = circuitBreaker({ failureThreshold: 3 });
 * console.log(handle.breaker.state); // 'closed'
 * ```
 */
export interface SingleHandle {
  /** The breaker guarding every request through the middleware. */
  readonly breaker: Breaker;
}

/**
 * The `registry` property of a middleware made with `key`.
 *
 * @example
 * ```ts
 * import { circuitBreaker, type KeyedHandle } from 'tripswitch/express';
 *
 * const handle: KeyedHandle = circuitBreaker({ key: (req) => req.get('x-tenant') ?? 'anonymous' });
 * console.log(handle.registry.size); // 0
 * ```
 */
export interface KeyedHandle {
  /** The breakers, one per key, named by their key. */
  readonly registry: Registry;
}

const MIDDLEWARE_KEYS = ['breaker', 'key', 'maxKeys', 'isFailureStatus', 'onReject'];

/** @internal The options, validated, ready for requests. */
export interface Guard<Ctx, OnReject> {
  /** The breaker for this request; throws (an application bug) when `key` throws or returns a bad key. */
  breakerFor(ctx: Ctx): Breaker;
  /**
   * Reports a finished request; `error` is the handler's error when one was thrown. A request
   * some breaker refused (see {@link refuse}) is ignored instead: its handler never ran.
   */
  settle(request: object, permit: Permit, breaker: Breaker, status: number, error?: unknown): void;
  readonly onReject: OnReject | undefined;
  /** The `breaker` or `registry` property of the middleware. */
  readonly handle: { readonly breaker: Breaker } | { readonly registry: Registry };
}

/** @internal Validates the middleware options, all at creation. */
export function resolveHttpOptions<Ctx, OnReject>(input: unknown): Guard<Ctx, OnReject> {
  notCalled(input);
  const o = optionsObject('options', input);
  if (o.timeoutMs !== undefined) {
    throw new TypeError(
      `timeoutMs cannot be given to the HTTP middleware, got ${describe(o.timeoutMs)}: a request cannot be cut short from outside; count slow responses with slowCallDurationMs instead`,
    );
  }
  const isFailureStatus =
    (optionalFunction(o, 'isFailureStatus') as ((status: number) => unknown) | undefined) ?? ((status: number) => status >= 500);
  const onReject = optionalFunction(o, 'onReject') as OnReject | undefined;
  const key = optionalFunction(o, 'key') as ((ctx: Ctx) => unknown) | undefined;
  if (o.breaker !== undefined) {
    const given = BREAKER_OPTION_NAMES.find((name) => o[name] !== undefined);
    if (given !== undefined)
      throw new TypeError(`breaker and ${given} cannot be given together: ${given} belongs to the shared breaker`);
    const keyed = ['key', 'maxKeys'].find((name) => o[name] !== undefined);
    if (keyed !== undefined) throw new TypeError(`breaker and ${keyed} cannot be given together: key makes one breaker per key`);
    if (!(o.breaker instanceof CircuitBreaker))
      throw new TypeError(`breaker must be a breaker made by createBreaker(), got ${describe(o.breaker)}`);
  }
  if (o.maxKeys !== undefined) {
    if (key === undefined) throw new TypeError('maxKeys goes with key: give key too, or leave maxKeys out');
    positiveInteger('maxKeys', o.maxKeys);
  }
  // Checks the breaker options and rejects unknown keys, with the core's messages.
  const resolved = resolveOptions(o, MIDDLEWARE_KEYS);

  const settle = (request: object, permit: Permit, breaker: Breaker, status: number, error?: unknown): void => {
    if (refused.has(request)) {
      permit.ignore();
      return;
    }
    let failed: boolean;
    try {
      failed = Boolean(isFailureStatus(status));
    } catch (thrown) {
      report(breaker, thrown);
      failed = true;
    }
    if (!failed) permit.success();
    else permit.failure(error ?? statusError(status));
  };

  if (key !== undefined) {
    for (const name of ['name', 'initialState'] as const) {
      if (o[name] !== undefined) {
        throw new TypeError(
          `${name} cannot be given with key: each breaker is named by its key (what key returns) and starts afresh; leave ${name} out, or leave key out for one breaker`,
        );
      }
    }
    // Resolved above as createRegistry would (name and initialState refused, maxKeys checked).
    const registry: Registry = new BreakerRegistry(resolved, (o.maxKeys ?? 1000) as number);
    const breakerFor = (ctx: Ctx): Breaker => {
      const k = key(ctx);
      if (typeof k !== 'string' || k === '') throw new TypeError(`key must return a non-empty string, got ${describe(k)}`);
      return registry.get(k);
    };
    return { breakerFor, settle, onReject, handle: { registry } };
  }
  const breaker = (o.breaker as Breaker | undefined) ?? new CircuitBreaker(resolved);
  return { breakerFor: () => breaker, settle, onReject, handle: { breaker } };
}

/** Requests a breaker refused, by the object each adapter settles with; never iterated. */
const refused = new WeakSet<object>();

/**
 * @internal Marks a request that a breaker refused, before its answer is written: the handler
 * never runs, so every breaker the request passed on its way in ignores it (and frees a
 * half-open probe slot) rather than count the refusal's 503 as the route's outcome. `request`
 * is what the adapter settles with: Express's and Koa's Node.js response, Hono's context
 * (Fastify ignores such requests by its own `preHandler` mark).
 */
export function refuse(request: object): void {
  refused.add(request);
}

/** Keys of what a framework hands a middleware (Express `req`, Koa `ctx`, Hono `c`): never options. */
const REQUEST_KEYS = ['req', 'res', 'method', 'headers', '_events'];

/**
 * `app.use(circuitBreaker)`, the factory given where its result belongs, gets a request (or a
 * context) as its options: say so, rather than name one of the request's keys.
 */
function notCalled(input: unknown): void {
  const isRequest = typeof input === 'object' && input !== null && REQUEST_KEYS.some((key) => key in input);
  if (typeof input === 'function' || isRequest) {
    throw new TypeError(
      `circuitBreaker must be called: app.use(circuitBreaker(options)), not app.use(circuitBreaker); got ${describe(input)} as its options`,
    );
  }
}

function optionalFunction(o: Record<string, unknown>, name: string): ((...args: never[]) => unknown) | undefined {
  const value = o[name];
  if (value === undefined) return undefined;
  func(name, value);
  return value as (...args: never[]) => unknown;
}

/**
 * A throwing `isFailureStatus` counts the request as a failure and is reported to
 * `callbackError` listeners (`callback: 'isFailureStatus'`), else as a process warning.
 */
function report(breaker: Breaker, error: unknown): void {
  (breaker as CircuitBreaker).events.report(breaker.name, error, 'isFailureStatus');
}

/** The error handed to `isFailure` and to the `failure` event when only the status is known. */
function statusError(status: number): Error {
  return Object.assign(new Error(`response status ${status}`), { status });
}

/** @internal What tells how a Node.js response (or its socket) that closed early was closed. */
export interface Closed {
  readonly errored?: unknown;
  readonly readableEnded?: boolean;
}

/**
 * @internal Why a Node.js response closed before it finished: undefined when the client went
 * away (its side of the connection ended or was reset), else the server's error: the one it
 * was destroyed with, or one saying it was cut off (a handler failing after the headers, whose
 * connection the framework closes).
 */
export function cutShort(res: Closed, socket: Closed | null | undefined): unknown {
  if (socket?.readableEnded === true || reset(res.errored) || reset(socket?.errored)) return undefined;
  return res.errored ?? new Error('the response was cut off before it ended');
}

/** Whether `error` is the client resetting the connection. */
function reset(error: unknown): boolean {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return code === 'ECONNRESET' || code === 'EPIPE';
}

/** @internal The status a thrown error stands for: its `status` or `statusCode` when in 400-599, else 500. */
export function errorStatus(error: unknown): number {
  if (typeof error === 'object' && error !== null) {
    const { status, statusCode } = error as { status?: unknown; statusCode?: unknown };
    if (isErrorStatus(status)) return status;
    if (isErrorStatus(statusCode)) return statusCode;
  }
  return 500;
}

function isErrorStatus(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 400 && value <= 599;
}

/** @internal The default answer to a rejected request. */
export interface Rejection {
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * @internal `503` with `Retry-After` in whole seconds and a JSON body. Isolated (no retry
 * time known): no `Retry-After`, and `"retryAfter":null` since JSON has no Infinity.
 */
export function rejection(error: CircuitOpenError): Rejection {
  const ms = error.retryAfterMs;
  if (!Number.isFinite(ms)) return ISOLATED;
  const seconds = String(Math.ceil(Math.max(0, ms) / 1000));
  return {
    headers: { 'Content-Type': 'application/json', 'Retry-After': seconds },
    body: `{"error":"circuit_open","retryAfter":${seconds}}`,
  };
}

const ISOLATED: Rejection = Object.freeze({
  headers: Object.freeze({ 'Content-Type': 'application/json' }),
  body: '{"error":"circuit_open","retryAfter":null}',
});

/** @internal Sets `breaker` or `registry` on the middleware. */
export function withHandle<F extends object>(middleware: F, handle: Guard<unknown, unknown>['handle']): F {
  for (const [name, value] of Object.entries(handle)) Object.defineProperty(middleware, name, { value, enumerable: true });
  return middleware;
}
