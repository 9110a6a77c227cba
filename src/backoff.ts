import { describe } from './describe.js';
import { duration, func, knownKeys, optionsObject } from './options.js';

/**
 * Options of {@link exponentialBackoff}.
 *
 * @example
 * ```ts
 * import type { BackoffOptions } from 'tripswitch';
 *
 * const options: BackoffOptions = { initialMs: 500, maxMs: 30_000, factor: 3, jitter: 0.2 };
 * ```
 */
export interface BackoffOptions {
  /** The first delay, in milliseconds. @default 1000 */
  readonly initialMs?: number | undefined;
  /** The longest delay before jitter, in milliseconds. @default 60000 */
  readonly maxMs?: number | undefined;
  /** Each attempt's delay is the previous one times this; >= 1. @default 2 */
  readonly factor?: number | undefined;
  /** Spreads each delay over value x (1 +/- jitter); a fraction in [0, 1]. @default 0 */
  readonly jitter?: number | undefined;
  /** Random numbers in [0, 1), for the jitter. @default Math.random */
  readonly random?: (() => number) | undefined;
}

/**
 * Returns `(attempt) => ms` for `resetTimeoutMs`: `min(maxMs, initialMs * factor^(attempt-1))`,
 * then spread by `jitter`, so that the result lies within that value x (1 +/- jitter).
 *
 * @example
 * ```ts
 * import { createBreaker, exponentialBackoff } from 'tripswitch';
 *
 * // 1 s, 2 s, 4 s, ... up to 1 min, each +/- 10%
 * const breaker = createBreaker({ resetTimeoutMs: exponentialBackoff({ jitter: 0.1 }) });
 * ```
 */
export function exponentialBackoff(options?: BackoffOptions): (attempt: number) => number {
  const o = knownKeys('options', optionsObject('options', options), ['initialMs', 'maxMs', 'factor', 'jitter', 'random']);
  const initialMs = (o.initialMs ?? 1000) as number;
  const maxMs = (o.maxMs ?? 60_000) as number;
  const factor = (o.factor ?? 2) as number;
  const jitter = (o.jitter ?? 0) as number;
  const random = (o.random ?? Math.random) as () => number;
  duration('initialMs', initialMs);
  duration('maxMs', maxMs);
  if (maxMs < initialMs) throw new RangeError(`maxMs must be >= initialMs (${initialMs}), got ${maxMs}`);
  duration('factor', factor);
  if (factor < 1) throw new RangeError(`factor must be >= 1, got ${factor}`);
  duration('jitter', jitter);
  if (jitter > 1) throw new RangeError(`jitter must be in [0, 1], got ${jitter}`);
  func('random', random);
  return (attempt: number): number => {
    if (typeof attempt !== 'number' || !Number.isInteger(attempt) || attempt < 1) {
      throw new RangeError(`attempt must be an integer >= 1, got ${describe(attempt)}`);
    }
    const base = Math.min(maxMs, initialMs * factor ** (attempt - 1));
    if (jitter === 0) return base;
    const r = Math.min(1, Math.max(0, random()));
    return base * (1 + jitter * (2 * r - 1));
  };
}
