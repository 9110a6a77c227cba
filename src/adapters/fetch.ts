import { describe } from '../describe.js';
import { type BreakerOptions, func, optionsObject } from '../options.js';
import { BreakerRegistry, type Registry } from '../registry.js';
import type { Checked } from '../rules.js';
import { holdOpen, optional, resolveOutbound } from './retry-after.js';
import { fetchToEnd } from './stream-fetch.js';
import type { BodyOptions } from './stream-options.js';

export type { BodyOptions } from './stream-options.js';

/**
 * Options of {@link guardFetch}: the breaker options of every origin's breaker (each is named
 * by its key, so no `name` or `initialState`), plus how requests are keyed and judged.
 *
 * @example
 * ```ts
 * import type { GuardFetchOptions } from 'tripswitch/fetch';
 *
 * const options: GuardFetchOptions = { timeoutMs: 5_000, failureThreshold: 3, maxRetryAfterMs: 60_000 };
 * ```
 */
export interface GuardFetchOptions extends Omit<BreakerOptions, 'name' | 'initialState'>, BodyOptions {
  /** The fetch to guard. @default globalThis.fetch, looked up at each call */
  readonly fetch?: typeof fetch | undefined;
  /** Which breaker a request goes through. @default url.origin */
  readonly key?: ((url: URL) => string) | undefined;
  /** The most breakers held at once; the least recently used closed one goes first. @default 1000 */
  readonly maxKeys?: number | undefined;
  /** Which responses count as failures; the caller still gets them. @default status >= 500 or 429 */
  readonly isFailureResponse?: ((response: Response) => boolean) | undefined;
  /** A 429 or 503 with `Retry-After` opens the breaker for that long. @default true */
  readonly respectRetryAfter?: boolean | undefined;
  /** The longest `Retry-After` obeyed, so an upstream cannot hold the breaker open for days. @default 300000 */
  readonly maxRetryAfterMs?: number | undefined;
}

/**
 * `fetch`, guarded by one breaker per origin (or per `key`), with the breakers' `registry`.
 *
 * @example
 * ```ts
 * import { guardFetch, type GuardedFetch } from 'tripswitch/fetch';
 *
 * const guarded: GuardedFetch = guardFetch();
 * console.log(guarded.registry.size); // 0
 * ```
 */
export interface GuardedFetch {
  (input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /** The breakers, by key. */
  readonly registry: Registry;
}

const OWN_KEYS = ['fetch', 'key', 'maxKeys', 'isFailureResponse', 'respectRetryAfter', 'maxRetryAfterMs'];
const defaultIsFailureResponse = (response: Response): boolean => response.status >= 500 || response.status === 429;

/**
 * Guards `fetch` with one breaker per origin. A response that `isFailureResponse` flags is
 * still returned to the caller (its body is readable) but counts as a failure; network errors
 * and timeouts count as failures; the caller's own abort is ignored. A 429 or 503 with a
 * `Retry-After` header (seconds, or an HTTP date measured against the breaker's clock) opens
 * that origin's breaker for that long, at most `maxRetryAfterMs`. When the breaker rejects,
 * the call rejects with a `CircuitOpenError` and no request is sent.
 *
 * With `body: 'end'` a call lasts until its body has been read: a stream cut midway counts
 * as a failure, and `firstByteTimeoutMs` / `bodyIdleMs` fail a body that stalls with a
 * `CallTimeoutError` (a timeout, as `timeoutMs`).
 *
 * @example
 * ```ts
 * import { isCircuitOpenError } from 'tripswitch';
 * import { guardFetch } from 'tripswitch/fetch';
 *
 * const http = guardFetch({ timeoutMs: 5_000, failureThreshold: 3 });
 * try {
 *   const response = await http('https://api.example.com/users/42');
 *   console.log(response.status, await response.json());
 * } catch (error) {
 *   if (isCircuitOpenError(error)) console.log(`api.example.com is down; retry in ${error.retryAfterMs} ms`);
 * }
 *
 * // A streaming API: a stream cut midway, or silent for 10 s, counts as a failure.
 * const llm = guardFetch({ body: 'end', firstByteTimeoutMs: 30_000, bodyIdleMs: 10_000 });
 * const stream = await llm('https://llm.example.com/v1/chat/completions', { method: 'POST', body: '{"stream":true}' });
 * for await (const chunk of stream.body ?? []) console.log(new TextDecoder().decode(chunk));
 * ```
 */
export function guardFetch(): GuardedFetch;
export function guardFetch<O extends GuardFetchOptions | undefined>(options: Checked<O>): GuardedFetch;
export function guardFetch(options?: GuardFetchOptions): GuardedFetch {
  const o = optionsObject('options', options);
  const given = optional(o, 'fetch', func) as typeof fetch | undefined;
  // Unknown keys and bad breaker options fail here, with the core's messages.
  const { key, isFailureResponse, respectRetryAfter, maxRetryAfterMs, maxKeys, stream, resolved } = resolveOutbound(
    o,
    'guardFetch',
    OWN_KEYS,
    defaultIsFailureResponse,
  );
  const isResultFailure = resolved.isResultFailure;
  const registry: Registry = new BreakerRegistry(
    {
      ...resolved,
      isResultFailure: (result: unknown) => isFailureResponse(result as Response) || isResultFailure?.(result) === true,
    },
    maxKeys,
  );
  const clock = resolved.clock;
  const timed = resolved.timeoutMs !== undefined;

  const guarded = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = input instanceof Request ? new URL(input.url) : new URL(input);
    const k = key(url);
    if (typeof k !== 'string' || k === '') throw new TypeError(`key must return a non-empty string, got ${describe(k)}`);
    const breaker = registry.get(k);
    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    const send = given ?? globalThis.fetch;
    const response =
      stream !== undefined
        ? await fetchToEnd(breaker, (s) => send(input, { ...init, signal: s }), signal, stream, clock, resolved.timeoutMs)
        : signal === undefined && !timed
          ? await breaker.execute(() => send(input, init))
          : await breaker.execute((ctx) => send(input, { ...init, signal: ctx.signal }), { signal });
    if (respectRetryAfter && (response.status === 429 || response.status === 503)) {
      holdOpen(breaker, response.headers.get('retry-after'), clock.now(), maxRetryAfterMs);
    }
    return response;
  };
  Object.defineProperty(guarded, 'registry', { value: registry, enumerable: true });
  return guarded as GuardedFetch;
}
