import { describe } from '../describe.js';
import { positiveDuration } from '../options.js';
import { checkTimerDelay } from '../timer.js';

/**
 * The options of guardFetch and guardAxios that watch a response's body: a stream cut midway,
 * or one that stalls, then counts against the upstream.
 *
 * @example
 * ```ts
 * import type { BodyOptions } from 'tripswitch/fetch';
 *
 * const streaming: BodyOptions = { body: 'end', firstByteTimeoutMs: 30_000, bodyIdleMs: 10_000 };
 * ```
 */
export interface BodyOptions {
  /**
   * When a call is counted: `'headers'` when the response headers arrive; `'end'` when its body
   * has been read to the end (a success), fails midway (a failure) or is cancelled by the caller
   * (ignored). With `'end'`, read or cancel every body, or set `bodyIdleMs`: a body left unread
   * holds its call (and, half-open, its probe slot) until then.
   * @default 'headers'
   */
  readonly body?: 'headers' | 'end' | undefined;
  /**
   * With `body: 'end'`: the longest wait, after the headers, for the body's first chunk (a
   * model's first token); longer is a timeout, as `timeoutMs` is. @default bodyIdleMs
   */
  readonly firstByteTimeoutMs?: number | undefined;
  /**
   * With `body: 'end'`: the longest wait for the next chunk of the body (longer is a timeout,
   * as `timeoutMs` is), and for the caller to read on (longer releases the call, ignored).
   * @default none
   */
  readonly bodyIdleMs?: number | undefined;
}

/** @internal The body options of guardFetch and guardAxios, checked: only given with `body: 'end'`. */
export interface StreamOptions {
  readonly firstByteTimeoutMs: number | undefined;
  readonly bodyIdleMs: number | undefined;
}

/** @internal The names of the body options, which resolveOutbound lets through to both guards. */
export const STREAM_KEYS = ['body', 'firstByteTimeoutMs', 'bodyIdleMs'];

/**
 * @internal The body options of an outbound guard, checked; undefined with `body: 'headers'`
 * (the default), so a guard that does not watch bodies pays nothing for them.
 */
export function resolveStream(o: Record<string, unknown>): StreamOptions | undefined {
  const body = o.body ?? 'headers';
  if (body !== 'headers' && body !== 'end') throw new TypeError(`body must be 'headers' or 'end', got ${describe(body)}`);
  const limits: Record<string, number | undefined> = {};
  for (const name of ['firstByteTimeoutMs', 'bodyIdleMs']) {
    const value = o[name];
    if (value === undefined) continue;
    positiveDuration(name, value);
    checkTimerDelay(value as number, name);
    if (body !== 'end') {
      throw new TypeError(
        `${name} needs body: 'end', got ${describe(value)} with body: 'headers': a call counted when its headers arrive does not watch its body`,
      );
    }
    limits[name] = value as number;
  }
  if (body === 'headers') return undefined;
  return { firstByteTimeoutMs: limits.firstByteTimeoutMs, bodyIdleMs: limits.bodyIdleMs };
}
