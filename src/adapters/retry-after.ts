import { describe } from '../describe.js';
import { duration, func, positiveInteger, type Resolved, resolveOptions } from '../options.js';
import type { Breaker } from '../types.js';
import { resolveStream, STREAM_KEYS, type StreamOptions } from './stream-options.js';

// What the outbound guards (tripswitch/fetch, tripswitch/axios) share: `Retry-After` and the
// checks of their own options.

/** @internal Opens `breaker` for as long as the upstream asked, capped; a malformed or past value is ignored. */
export function holdOpen(breaker: Breaker, header: string | null | undefined, now: number, maxMs: number): void {
  const ms = retryAfterMs(header, now);
  if (ms !== undefined && ms > 0) breaker.open(Math.min(ms, maxMs));
}

const DELTA_SECONDS = /^\d+$/;
const HTTP_DATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? /;

/**
 * @internal Milliseconds asked for by a `Retry-After` value: delta seconds, or an HTTP date
 * measured against `now`. Undefined when missing or malformed.
 */
export function retryAfterMs(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (DELTA_SECONDS.test(text)) return Number(text) * 1000;
  if (!HTTP_DATE.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : at - now;
}

/** @internal `o[name]`, checked by `check` when given. */
export function optional(o: Record<string, unknown>, name: string, check: (name: string, value: unknown) => void): unknown {
  const value = o[name];
  if (value !== undefined) check(name, value);
  return value;
}

/** @internal Throws a `TypeError` unless `value` is a boolean. */
export function boolean(name: string, value: unknown): void {
  if (typeof value !== 'boolean') throw new TypeError(`${name} must be a boolean, got ${describe(value)}`);
}

/** @internal The options of an outbound guard besides the breaker options, checked, with their defaults. */
export interface Outbound<R> {
  readonly key: (url: URL) => unknown;
  readonly isFailureResponse: (response: R) => boolean;
  readonly respectRetryAfter: boolean;
  readonly maxRetryAfterMs: number;
  readonly maxKeys: number;
  /** `body: 'end'` and its limits; undefined with `body: 'headers'` (the default). */
  readonly stream: StreamOptions | undefined;
  /** The breaker options, checked by the core. */
  readonly resolved: Resolved;
}

/**
 * @internal Checks the options `guard` (guardFetch, guardAxios) shares with the other outbound
 * guard, then the breaker options with the core's messages (keys not in `ownKeys` refused).
 */
export function resolveOutbound<R>(
  o: Record<string, unknown>,
  guard: string,
  ownKeys: readonly string[],
  isFailureByDefault: (response: R) => boolean,
): Outbound<R> {
  const key = (optional(o, 'key', func) as ((url: URL) => unknown) | undefined) ?? ((url: URL) => url.origin);
  const isFailureResponse =
    (optional(o, 'isFailureResponse', func) as ((response: R) => boolean) | undefined) ?? isFailureByDefault;
  const respectRetryAfter = (optional(o, 'respectRetryAfter', boolean) as boolean | undefined) ?? true;
  const maxRetryAfterMs = (optional(o, 'maxRetryAfterMs', duration) as number | undefined) ?? 300_000;
  const maxKeys = (o.maxKeys ?? 1000) as number;
  positiveInteger('maxKeys', maxKeys);
  for (const name of ['name', 'initialState'] as const) {
    if (o[name] !== undefined) {
      throw new TypeError(
        `${name} cannot be given to ${guard}: each origin's breaker is named by its key (the origin, or what key returns) and starts afresh; leave ${name} out, and pass key to choose the names`,
      );
    }
  }
  if (o.maxSize !== undefined) throw new TypeError('unknown option "maxSize" (the bound is maxKeys)');
  const stream = resolveStream(o);
  const resolved = resolveOptions(o, [...ownKeys, ...STREAM_KEYS]);
  return { key, isFailureResponse, respectRetryAfter, maxRetryAfterMs, maxKeys, stream, resolved };
}
