import { describe } from '../describe.js';
import { positiveDuration } from '../options.js';
import { checkTimerDelay } from '../timer.js';

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
