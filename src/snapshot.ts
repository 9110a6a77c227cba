import { describe, plainObject } from './describe.js';
import type { State } from './state.js';
import type { TotalStats } from './stats.js';
import type { WindowData } from './windows/window.js';

/** @internal The snapshot format this version writes and reads. */
export const SNAPSHOT_VERSION = 1;

/**
 * A breaker's state as plain JSON data, from `breaker.toJSON()`. Give it back as
 * `initialState` to resume: after a restart, in another serverless invocation, or on another
 * instance. Time spent between saving and restoring counts against the open period.
 *
 * @example
 * ```ts
 * import { createBreaker, type BreakerSnapshot } from 'tripswitch';
 *
 * const before = createBreaker({ name: 'api' });
 * before.open(10_000);
 * const saved: BreakerSnapshot = JSON.parse(JSON.stringify(before));
 * const after = createBreaker({ name: 'api', initialState: saved });
 * console.log(after.state); // 'open'
 * ```
 */
export interface BreakerSnapshot {
  /** The format's version; a snapshot with another version is a `TypeError` when restored. */
  readonly version: 1;
  /** The name of the breaker it was taken from. */
  readonly name: string;
  /** The state when it was taken; a half-open one restores as open with its probe due at once. */
  readonly state: State;
  /** The clock's time when the snapshot was taken. */
  readonly savedAt: number;
  /** While open: milliseconds left at `savedAt`; otherwise null. */
  readonly retryAfterMs: number | null;
  /** The opening attempt, for `resetTimeoutMs(attempt)`. */
  readonly attempt: number;
  /** The run of failures in a row. */
  readonly consecutiveFailures: number;
  /** The window's contents, with the settings they were counted under. */
  readonly window: WindowData;
  /** The counters, restored as they were. */
  readonly totals: TotalStats;
}

const STATES: readonly State[] = ['closed', 'open', 'halfOpen', 'isolated', 'disabled'];
const TOTALS: readonly (keyof TotalStats)[] = ['calls', 'successes', 'failures', 'ignored', 'rejected', 'timeouts'];

function fail(path: string, expected: string, value: unknown): never {
  throw new TypeError(`initialState${path} must be ${expected}, got ${describe(value)}`);
}

function object(path: string, value: unknown): Record<string, unknown> {
  plainObject(`initialState${path}`, value);
  return value;
}

function count(path: string, value: unknown): number {
  // Number.isInteger is false for anything but a number.
  if (!Number.isInteger(value) || (value as number) < 0) fail(path, 'an integer >= 0', value);
  return value as number;
}

function counts(path: string, value: unknown, length?: number): number[] {
  if (!Array.isArray(value) || (length !== undefined && value.length !== length)) {
    fail(path, length === undefined ? 'an array' : `an array of ${length} numbers`, value);
  }
  return value.map((v, i) => count(`${path}[${i}]`, v));
}

/** The fields `keys` of `o`, each an integer >= 0, in a new object. */
function counters<K extends string>(path: string, o: Record<string, unknown>, keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, count(`${path}.${k}`, o[k])])) as Record<K, number>;
}

function windowData(value: unknown): WindowData {
  const w = object('.window', value);
  switch (w.kind) {
    case 'consecutive':
      return { kind: 'consecutive', ...counters('.window', w, ['calls', 'failures', 'slowCalls']) };
    case 'count':
      return { kind: 'count', size: count('.window.size', w.size), outcomes: counts('.window.outcomes', w.outcomes) };
    case 'time': {
      if (typeof w.durationMs !== 'number' || !(w.durationMs > 0)) fail('.window.durationMs', 'a number > 0', w.durationMs);
      if (!Array.isArray(w.slices)) fail('.window.slices', 'an array', w.slices);
      return {
        kind: 'time',
        durationMs: w.durationMs,
        buckets: count('.window.buckets', w.buckets),
        slices: w.slices.map((s, i) => counts(`.window.slices[${i}]`, s, 4) as [number, number, number, number]),
      };
    }
    default:
      return fail('.window.kind', "'consecutive', 'count' or 'time'", w.kind);
  }
}

/** @internal Checks that `value` is a snapshot this version can read; returns a copy. */
export function parseSnapshot(value: unknown): BreakerSnapshot {
  const s = object('', value);
  if (s.version !== SNAPSHOT_VERSION) fail('.version', String(SNAPSHOT_VERSION), s.version);
  if (typeof s.name !== 'string') fail('.name', 'a string', s.name);
  if (!STATES.includes(s.state as State)) fail('.state', `one of ${STATES.join(', ')}`, s.state);
  if (!Number.isFinite(s.savedAt)) fail('.savedAt', 'a finite number', s.savedAt);
  const open = s.state === 'open';
  if (open ? typeof s.retryAfterMs !== 'number' || !(s.retryAfterMs >= 0) : s.retryAfterMs !== null) {
    fail('.retryAfterMs', open ? 'a number >= 0 when open' : 'null unless open', s.retryAfterMs);
  }
  const attempt = count('.attempt', s.attempt);
  if (attempt < 1) fail('.attempt', 'an integer >= 1', attempt);
  const totals = counters('.totals', object('.totals', s.totals), TOTALS);
  return {
    version: SNAPSHOT_VERSION,
    name: s.name,
    state: s.state as State,
    savedAt: s.savedAt as number,
    retryAfterMs: s.retryAfterMs as number | null,
    attempt,
    consecutiveFailures: count('.consecutiveFailures', s.consecutiveFailures),
    window: windowData(s.window),
    totals,
  };
}
