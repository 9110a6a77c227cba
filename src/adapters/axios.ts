import type { AxiosAdapter, AxiosInstance, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { CircuitBreaker } from '../breaker.js';
import { describe } from '../describe.js';
import { type BreakerOptions, optionsObject } from '../options.js';
import { BreakerRegistry, type Registry } from '../registry.js';
import type { Breaker, Permit } from '../types.js';
import { checkInstance, claim } from './axios-instance.js';
import { isCancel, onCancel, timedOut, timeoutOf } from './axios-outcome.js';
import { holdOpen, resolveOutbound } from './retry-after.js';
import { watchAxiosStream } from './stream-axios.js';
import type { BodyOptions } from './stream-options.js';

export type { BodyOptions } from './stream-options.js';

/**
 * Options of {@link guardAxios}: those of `guardFetch` without `fetch`. `timeoutMs` is the axios
 * `timeout` of requests that have none.
 *
 * @example
 * ```ts
 * import type { GuardAxiosOptions } from 'tripswitch/axios';
 *
 * const options: GuardAxiosOptions = { failureThreshold: 3, maxRetryAfterMs: 60_000, isFailureResponse: (r) => r.status >= 500 };
 * ```
 */
export interface GuardAxiosOptions extends Omit<BreakerOptions, 'name' | 'initialState'>, BodyOptions {
  /** Which breaker a request goes through. @default url.origin */
  readonly key?: ((url: URL) => string) | undefined;
  /** The most breakers held at once; the least recently used closed one goes first. @default 1000 */
  readonly maxKeys?: number | undefined;
  /** Which responses count as failures; the caller still gets them as axios delivers them. @default status >= 500 or 429 */
  readonly isFailureResponse?: ((response: AxiosResponse) => boolean) | undefined;
  /** A 429 or 503 with `Retry-After` opens the breaker for that long. @default true */
  readonly respectRetryAfter?: boolean | undefined;
  /** The longest `Retry-After` obeyed, so an upstream cannot hold the breaker open for days. @default 300000 */
  readonly maxRetryAfterMs?: number | undefined;
}

/**
 * What {@link guardAxios} returns: call it to remove the guard; `registry` holds the breakers.
 *
 * @example
 * ```ts
 * import axios from 'axios';
 * import { guardAxios, type AxiosGuard } from 'tripswitch/axios';
 *
 * const remove: AxiosGuard = guardAxios(axios.create());
 * console.log(remove.registry.size); // 0
 * remove();
 * ```
 */
export interface AxiosGuard {
  /** Removes the guard: the instance is as it was before. */
  (): void;
  /** The breakers, by key. */
  readonly registry: Registry;
}

const OWN_KEYS = ['key', 'maxKeys', 'isFailureResponse', 'respectRetryAfter', 'maxRetryAfterMs'];
const PENDING = Symbol('tripswitch.permit');
/** Marks an adapter the guard has wrapped, so that a config sent again is not wrapped twice. */
const SETTLING = Symbol('tripswitch.adapter');
const defaultIsFailureResponse = (response: AxiosResponse): boolean => response.status >= 500 || response.status === 429;

/** One attempt's permit. A class, not a plain object: axios copies a config's plain objects when it is sent again. */
class Pending {
  /** This attempt's response, as axios's transforms saw it: before any response interceptor. */
  response: AxiosResponse | undefined = undefined;
  /** Stops listening to the request's `CancelToken`. */
  off: (() => void) | undefined = undefined;

  constructor(
    readonly permit: Permit,
    readonly breaker: Breaker,
  ) {}
}
type Guarded = InternalAxiosRequestConfig & { [PENDING]?: Pending | undefined; response?: AxiosResponse | undefined };
type Transform = (this: Guarded, data: unknown, headers: unknown, status?: number) => unknown;

/**
 * Guards an axios 1.x instance with one breaker per origin (or per `key`). A request to an
 * open origin is rejected with a `CircuitOpenError` before it is sent. A response that
 * `isFailureResponse` flags counts as a failure and still reaches the caller as axios delivers
 * it (resolved or rejected by its `validateStatus`); network errors count as failures, and axios
 * timeouts as failures by timeout (`totals.timeouts`, a `timeout` event); a request the caller
 * cancels (its `signal` or a `CancelToken`) is ignored. A 429 or 503 with a `Retry-After` header
 * (seconds or an HTTP date) opens that origin's breaker for that long, at most
 * `maxRetryAfterMs`. Each attempt of a retry interceptor (axios-retry) counts; install the guard
 * first. Returns the function that removes the guard, with the `registry`.
 *
 * Throws a `TypeError` for something that is not an axios instance or a bad option, and an
 * `Error` for an instance already guarded (remove that guard first).
 *
 * @example
 * ```ts
 * import axios from 'axios';
 * import { isCircuitOpenError } from 'tripswitch';
 * import { guardAxios } from 'tripswitch/axios';
 *
 * const api = axios.create({ baseURL: 'https://api.example.com', timeout: 5_000 });
 * const unguard = guardAxios(api, { failureThreshold: 3 }); // first, before axios-retry and other interceptors
 * try {
 *   const { data } = await api.get('/users/42');
 *   console.log(data);
 * } catch (error) {
 *   if (isCircuitOpenError(error)) console.log(`api.example.com is down; retry in ${error.retryAfterMs} ms`);
 * }
 * unguard();
 * ```
 */
export function guardAxios(instance: AxiosInstance, options?: GuardAxiosOptions): AxiosGuard {
  checkInstance(instance);
  const o = optionsObject('options', options);
  const { key, isFailureResponse, respectRetryAfter, maxRetryAfterMs, maxKeys, stream, resolved } = resolveOutbound(
    o,
    'guardAxios',
    OWN_KEYS,
    defaultIsFailureResponse,
  );
  // The default key: the origin, read without parsing a URL per request where it can be.
  const byOrigin = o.key === undefined;
  const origins = originCache();
  const isResultFailure = resolved.isResultFailure;
  const registry: Registry = new BreakerRegistry({ ...resolved, timeoutMs: undefined }, maxKeys);
  const clock = resolved.clock;
  const timeoutMs = resolved.timeoutMs;

  // Taken in the request's last transform, right before axios hands it to its adapter: after
  // every request interceptor, so one that throws leaves no permit behind.
  const acquire: Transform = function (this: Guarded, data: unknown): unknown {
    // The same config sent again before the guard saw its outcome: an interceptor added before
    // the guard (axios-retry) retries it. That attempt still counts.
    const earlier = take(this);
    if (earlier !== undefined) {
      if (earlier.response !== undefined) judge(earlier, earlier.response, undefined);
      else earlier.permit.failure(); // no response: a network error or a timeout
    }
    const k = byOrigin ? origins.of(this) : key(new URL(fullPath(this), 'http://localhost'));
    if (typeof k !== 'string' || k === '') throw new TypeError(`key must return a non-empty string, got ${describe(k)}`);
    const breaker = registry.get(k);
    const pending = new Pending(breaker.acquire(), breaker);
    this[PENDING] = pending;
    // Read by axios after the request's transforms: a function of the caller's own is wrapped.
    if (typeof this.adapter === 'function' && !(SETTLING in this.adapter)) this.adapter = settling(this.adapter);
    if (this.cancelToken) {
      pending.off = onCancel(this.cancelToken, () => {
        if (this[PENDING] === pending) take(this)?.permit.ignore();
      });
    }
    return data;
  };
  // Runs on every response before any response interceptor: kept for a retry that comes first.
  const seen: Transform = function (this: Guarded, data: unknown, headers: unknown, status?: number): unknown {
    const pending = this[PENDING];
    if (pending !== undefined) pending.response = this.response ?? ({ data, headers, status, config: this } as AxiosResponse);
    return data;
  };
  // An adapter of the caller's own may fail with an error that names no request (no `config`, or
  // not an object): onError could not find its permit, so it is settled here.
  const settling = (adapter: AxiosAdapter): AxiosAdapter =>
    Object.assign(
      (config: InternalAxiosRequestConfig) => {
        let sent: ReturnType<AxiosAdapter>;
        try {
          sent = adapter(config);
        } catch (error) {
          sent = Promise.reject(error);
        }
        return sent.catch((error: unknown) => {
          const pending = (error as { config?: unknown } | null)?.config === config ? undefined : take(config as Guarded);
          if (pending !== undefined) {
            if (isCancel(error)) pending.permit.ignore();
            else pending.permit.failure(error);
          }
          throw error;
        });
      },
      { [SETTLING]: true },
    );
  const onRequest = (config: InternalAxiosRequestConfig): InternalAxiosRequestConfig => {
    config.transformRequest = [...list(config.transformRequest), acquire];
    config.transformResponse = [...list(config.transformResponse), seen];
    if (timeoutMs !== undefined && !config.timeout) config.timeout = timeoutMs;
    return config;
  };
  const judge = (pending: Pending, response: AxiosResponse, error: unknown): void => {
    let failed: boolean;
    try {
      failed = isFailureResponse(response) || isResultFailure?.(response) === true;
    } catch (thrown) {
      // Reported to callbackError listeners as guardFetch does (its isFailureResponse is the breaker's isResultFailure).
      (pending.breaker as CircuitBreaker).events.report(pending.breaker.name, thrown, 'isResultFailure');
      failed = true;
    }
    if (failed)
      pending.permit.failure(
        error ?? Object.assign(new Error(`response status ${response.status}`), { status: response.status }),
      );
    else pending.permit.success();
    if (respectRetryAfter && (response.status === 429 || response.status === 503)) {
      holdOpen(pending.breaker, header(response, 'retry-after'), clock.now(), maxRetryAfterMs);
    }
  };
  const take = (config: Guarded | undefined): Pending | undefined => {
    const pending = config?.[PENDING];
    if (pending === undefined) return undefined;
    (config as Guarded)[PENDING] = undefined;
    pending.off?.();
    return pending;
  };
  const onResponse = (response: AxiosResponse): AxiosResponse => {
    const pending = take(response.config as Guarded);
    // With body: 'end', a stream's success waits for its end.
    if (pending !== undefined) judge(stream ? watchAxiosStream(pending, response, stream, clock) : pending, response, undefined);
    return response;
  };
  const onError = (error: unknown): Promise<never> => {
    const { config, response } = (error ?? {}) as { config?: Guarded; response?: AxiosResponse };
    const pending = take(config);
    if (pending !== undefined) {
      const ms = response === undefined ? timeoutOf(error, config as Guarded) : undefined;
      if (response !== undefined) judge(pending, response, error);
      else if (isCancel(error)) pending.permit.ignore();
      else if (ms !== undefined) timedOut(pending.permit, error, ms);
      else pending.permit.failure(error);
    }
    return Promise.reject(error);
  };
  const unclaim = claim(instance);
  // Synchronous, as it is: axios then keeps its synchronous path when no other request
  // interceptor needs the asynchronous one.
  const requestId = instance.interceptors.request.use(onRequest, undefined, { synchronous: true });
  const responseId = instance.interceptors.response.use(onResponse, onError);
  let removed = false;
  const remove = (): void => {
    if (removed) return;
    removed = true;
    instance.interceptors.request.eject(requestId);
    instance.interceptors.response.eject(responseId);
    unclaim();
  };
  Object.defineProperty(remove, 'registry', { value: registry, enumerable: true });
  return remove as AxiosGuard;
}

/** A request's own transforms (one function, a list or none) as a list. */
const list = <T>(own: T | T[] | undefined): T[] => (own === undefined ? [] : Array.isArray(own) ? own : [own]);

const ABSOLUTE = /^([a-z][a-z\d+\-.]*:)?\/\//i;

/**
 * The origin of a request's URL. A relative `url` has the origin of the instance's `baseURL`,
 * parsed once while the base stays the same; an absolute one is parsed each time.
 */
function originCache(): { of(config: InternalAxiosRequestConfig): string } {
  let base: string | undefined;
  let origin = '';
  return {
    of(config) {
      const url = config.url ?? '';
      if (ABSOLUTE.test(url) && config.allowAbsoluteUrls !== false) return new URL(url, 'http://localhost').origin;
      if (config.baseURL !== base || origin === '') {
        base = config.baseURL;
        origin = new URL(fullPath(config), 'http://localhost').origin;
      }
      return origin;
    },
  };
}

/** The request's URL as axios builds it: `url` on `baseURL` unless absolute. */
function fullPath(config: InternalAxiosRequestConfig): string {
  const url = config.url ?? '';
  const base = config.baseURL;
  if (!base || (ABSOLUTE.test(url) && config.allowAbsoluteUrls !== false)) return url;
  return url ? `${base.replace(/\/?\/$/, '')}/${url.replace(/^\/+/, '')}` : base;
}

function header(response: AxiosResponse, name: string): string | undefined {
  const value = (response.headers as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}
