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

/** Checks the value at `path` (below `initialState`) and returns it, or a checked copy. */
type Rule = (path: string, value: unknown) => unknown;

function fail(path: string, expected: string, value: unknown): never {
  throw new TypeError(`initialState${path} must be ${expected}, got ${describe(value)}`);
}

const is =
  (ok: (value: unknown) => boolean, expected: string): Rule =>
  (path, value) =>
    ok(value) ? value : fail(path, expected, value);

const count = is((v) => Number.isInteger(v) && (v as number) >= 0, 'an integer >= 0');
const any: Rule = (_path, value) => value;

/** An array of values that each pass `rule`, of `length` items when given. */
const list =
  (rule: Rule, length?: number): Rule =>
  (path, value) =>
    Array.isArray(value) && (length === undefined || value.length === length)
      ? value.map((v, i) => rule(`${path}[${i}]`, v))
      : fail(path, length === undefined ? 'an array' : `an array of ${length} numbers`, value);

/** An object whose fields each pass their rule: a new object of those fields only. */
const shape =
  (rules: Record<string, Rule>): Rule =>
  (path, value) => {
    plainObject(`initialState${path}`, value);
    const copy: Record<string, unknown> = {};
    for (const key in rules) copy[key] = rules[key](`${path}.${key}`, value[key]);
    return copy;
  };

const WINDOWS: Record<string, Rule> = {
  consecutive: shape({ kind: any, calls: count, failures: count, slowCalls: count }),
  count: shape({ kind: any, size: count, outcomes: list(count) }),
  time: shape({
    kind: any,
    durationMs: is((v) => typeof v === 'number' && v > 0, 'a number > 0'),
    buckets: count,
    slices: list(list(count, 4)),
  }),
};

const SNAPSHOT = shape({
  version: is((v) => v === SNAPSHOT_VERSION, String(SNAPSHOT_VERSION)),
  name: is((v) => typeof v === 'string', 'a string'),
  state: is((v) => STATES.includes(v as State), `one of ${STATES.join(', ')}`),
  savedAt: is(Number.isFinite, 'a finite number'),
  retryAfterMs: any, // checked below: it depends on the state
  attempt: is((v) => Number.isInteger(v) && (v as number) >= 1, 'an integer >= 1'),
  consecutiveFailures: count,
  window: (path, value) => {
    plainObject(`initialState${path}`, value);
    const rule = Object.hasOwn(WINDOWS, value.kind as string) ? WINDOWS[value.kind as string] : undefined;
    return rule === undefined ? fail(`${path}.kind`, "'consecutive', 'count' or 'time'", value.kind) : rule(path, value);
  },
  totals: shape({ calls: count, successes: count, failures: count, ignored: count, rejected: count, timeouts: count }),
});

/** @internal Checks that `value` is a snapshot this version can read; returns a copy. */
export function parseSnapshot(value: unknown): BreakerSnapshot {
  // The rules above check every field of the type, and copy nothing else.
  const s = SNAPSHOT('', value) as unknown as BreakerSnapshot;
  const open = s.state === 'open';
  const retry = s.retryAfterMs;
  if (open ? typeof retry !== 'number' || !(retry >= 0) : retry !== null) {
    fail('.retryAfterMs', open ? 'a number >= 0 when open' : 'null unless open', retry);
  }
  return s;
}
