import { describe } from '../describe.js';
import type { Breaker } from '../types.js';

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
