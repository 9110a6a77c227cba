import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import { describe, plainObject } from './describe.js';
import type { BreakerSnapshot } from './snapshot.js';
import type { BreakerStore } from './store.js';
import { checkTimerDelay, type MAX_TIMER_MS } from './timer.js';

/**
 * A rate window: the last `size` calls, or the last `durationMs` kept as `buckets` slices.
 *
 * @example
 * ```ts
 * import type { WindowOptions } from 'tripswitch';
 *
 * const lastHundredCalls: WindowOptions = { size: 100 };
 * const lastMinute: WindowOptions = { durationMs: 60_000, buckets: 12 };
 * ```
 */
export type WindowOptions =
  | {
      /** A count window: the last `size` calls. An integer >= 1. */
      readonly size: number;
      /** Not with `size`: a window counts calls or time, not both. */
      readonly durationMs?: 'a window takes size or durationMs, not both' | undefined;
      /** Not with `size`: buckets slice a time window. */
      readonly buckets?: 'window.buckets goes with window.durationMs, not window.size' | undefined;
    }
  | {
      /** Not with `durationMs`: a window counts calls or time, not both. */
      readonly size?: 'a window takes size or durationMs, not both' | undefined;
      /** A time window: the calls of the last `durationMs` milliseconds. */
      readonly durationMs: number;
      /**
       * How many slices the duration is kept as: outcomes age out one slice at a time. At most
       * `durationMs`, since a slice spans at least 1 ms. @default 10 (fewer for a window under 10 ms)
       */
      readonly buckets?: number | undefined;
    };

/**
 * How a breaker decides. Every field is optional; an option given as `undefined` counts as
 * not given. Invalid options throw at creation: `TypeError` for a wrong type, `RangeError`
 * for a value out of range.
 *
 * @example
 * ```ts
 * import { createBreaker, exponentialBackoff, type BreakerOptions } from 'tripswitch';
 *
 * const options: BreakerOptions = {
 *   name: 'orders-db',
 *   window: { durationMs: 30_000 },
 *   failureRateThreshold: 0.5,
 *   slowCallDurationMs: 2_000,
 *   resetTimeoutMs: exponentialBackoff({ initialMs: 1_000, maxMs: 60_000 }),
 *   timeoutMs: 5_000,
 * };
 * const breaker = createBreaker(options);
 * ```
 */
export interface BreakerOptions {
  /** Shown in errors, events and stats. @default 'breaker' */
  readonly name?: string | undefined;
  /** Consecutive mode: open after this many failures in a row; a success resets the run. @default 5 */
  readonly failureThreshold?: number | undefined;
  /** Rate mode, instead of consecutive mode. Not allowed together with `failureThreshold`. */
  readonly window?: WindowOptions | undefined;
  /** Rate mode: open when failures / calls in the window reach this; in (0, 1]. @default 0.5 */
  readonly failureRateThreshold?: number | undefined;
  /** Rate mode: no decision before the window holds this many calls (a count window uses min(this, size)). @default 10 */
  readonly minimumCalls?: number | undefined;
  /** A call lasting at least this many milliseconds is slow, success or failure alike. */
  readonly slowCallDurationMs?: number | undefined;
  /** Rate mode: open when slow calls / calls in the window reach this; in (0, 1]. @default 1 */
  readonly slowCallRateThreshold?: number | undefined;
  /**
   * Milliseconds spent open before a probe is let through: a number, or a function of the
   * attempt (1 on the first opening since the last close, plus one per failed probe round).
   * @default 30000
   */
  readonly resetTimeoutMs?: number | ((attempt: number) => number) | undefined;
  /** Probes let through in half-open; that many successes close the breaker (see `halfOpenPolicy`). @default 1 */
  readonly halfOpenMaxCalls?: number | undefined;
  /**
   * How the half-open probes decide. `'all'`: every one of `halfOpenMaxCalls` must succeed, and
   * the first failure reopens. `'rate'` (rate mode only): once `halfOpenMaxCalls` probes have
   * settled, close when their failure rate is below `failureRateThreshold` (and their slow-call
   * rate below `slowCallRateThreshold`), else reopen. @default 'all'
   */
  readonly halfOpenPolicy?: 'all' | 'rate' | undefined;
  /**
   * After a close from half-open, let a rising share of calls through over this many
   * milliseconds: `t / rampUpMs` of them at `t` ms after the close, spread evenly. A call turned
   * away rejects with a `CircuitOpenError` whose `state` is `'closed'`. 0: no ramp. @default 0
   */
  readonly rampUpMs?: number | undefined;
  /**
   * Opt-in: while open and due, with no call probing, run this as the probe on a timer (the
   * breaker's only timer; stopped by `dispose()`): resolving is a successful probe, rejecting
   * or hanging past the probe's expiry a failed one (its signal then aborts).
   */
  readonly healthCheck?: ((ctx: { readonly signal: AbortSignal }) => Promise<unknown>) | undefined;
  /** How often the health check's timer looks at an open breaker, in milliseconds. @default 5000 */
  readonly healthCheckIntervalMs?: number | undefined;
  /**
   * Per-call limit in milliseconds, at most 2147483647 (about 24.8 days): the call rejects with
   * `CallTimeoutError` and counts as a failure. With `execute`, `ctx.signal` aborts so the work
   * can stop; a function guarded by `wrap` gets no signal, and its work runs on.
   */
  readonly timeoutMs?: number | undefined;
  /**
   * An error for which this returns false is ignored: rethrown, counted as neither success nor
   * failure. If it throws, the call counts as a failure and the error goes to `callbackError`
   * listeners, or else becomes a process warning: it never crashes the process.
   * @default every error is a failure
   */
  readonly isFailure?: ((error: unknown) => boolean) | undefined;
  /** A resolved value for which this returns true counts as a failure; the caller still gets it. @default never */
  readonly isResultFailure?: ((result: unknown) => boolean) | undefined;
  /** Every read of time and every timer goes through it. @default systemClock */
  readonly clock?: Clock | undefined;
  /** A snapshot from `toJSON()` to resume from. */
  readonly initialState?: BreakerSnapshot | undefined;
  /**
   * Shares this breaker's state with every breaker of the same name on the store, across
   * processes (`redisStore` from `tripswitch/redis`; `memoryStore` from `tripswitch/testing`).
   */
  readonly store?: BreakerStore | undefined;
}

/**
 * The options a live breaker may change with `configure` (and a registry's, with its own
 * `configure`): every breaker option but `name`, `store`, `clock` and `initialState`.
 *
 * @example
 * ```ts
 * import { createBreaker, type BreakerSettings } from 'tripswitch';
 *
 * const calmer: BreakerSettings = { failureThreshold: 10, resetTimeoutMs: 60_000 };
 * createBreaker().configure(calmer);
 * ```
 */
export type BreakerSettings = Omit<BreakerOptions, 'name' | 'store' | 'clock' | 'initialState'>;

/** @internal Options that only mean something in rate mode, with `window` (`halfOpenPolicy` when 'rate'). */
export const RATE_MODE_OPTIONS = ['failureRateThreshold', 'minimumCalls', 'slowCallRateThreshold', 'halfOpenPolicy'] as const;

/** @internal The window, resolved. */
export type WindowSpec =
  | { readonly kind: 'consecutive' }
  | { readonly kind: 'count'; readonly size: number }
  | { readonly kind: 'time'; readonly durationMs: number; readonly buckets: number };

/** @internal Options with defaults applied, validated. */
export interface Resolved {
  readonly name: string;
  readonly failureThreshold: number;
  readonly window: WindowSpec;
  readonly failureRateThreshold: number;
  readonly minimumCalls: number;
  readonly slowCallDurationMs: number | undefined;
  readonly slowCallRateThreshold: number;
  readonly resetTimeoutMs: number | ((attempt: number) => number);
  readonly halfOpenMaxCalls: number;
  readonly halfOpenPolicy: 'all' | 'rate';
  readonly rampUpMs: number;
  readonly healthCheck: ((ctx: { readonly signal: AbortSignal }) => Promise<unknown>) | undefined;
  readonly healthCheckIntervalMs: number;
  readonly timeoutMs: number | undefined;
  readonly isFailure: ((error: unknown) => boolean) | undefined;
  readonly isResultFailure: ((result: unknown) => boolean) | undefined;
  readonly clock: Clock;
  readonly initialState: BreakerSnapshot | undefined;
  readonly store: BreakerStore | undefined;
}

type Check = (name: string, value: unknown) => void;

function number(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(`${name} must be a number, got ${describe(value)}`);
  }
}

/** @internal An integer >= 1. */
export const positiveInteger: Check = (name, value) => {
  number(name, value);
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be an integer >= 1, got ${value}`);
};

/** @internal A finite number > 0. */
export const positiveDuration: Check = (name, value) => {
  number(name, value);
  if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`${name} must be a finite number > 0, got ${value}`);
};

/** @internal A finite number >= 0. */
export const duration: Check = (name, value) => {
  number(name, value);
  if (!(value >= 0) || !Number.isFinite(value)) throw new RangeError(`${name} must be a finite number >= 0, got ${value}`);
};

/** A finite number > 0 that a timer can wait for: at most {@link MAX_TIMER_MS} (about 24.8 days). */
const timerDuration: Check = (name, value) => {
  positiveDuration(name, value);
  checkTimerDelay(value as number, name);
};

const rate: Check = (name, value) => {
  number(name, value);
  if (!(value > 0 && value <= 1)) throw new RangeError(`${name} must be in (0, 1], got ${value}`);
};

/** @internal */
export const func: Check = (name, value) => {
  if (typeof value !== 'function') throw new TypeError(`${name} must be a function, got ${describe(value)}`);
};

/** @internal Throws a `TypeError` naming the first key of `o` that is not in `keys`. */
export function knownKeys(name: string, o: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  for (const key of Object.keys(o)) {
    if (!keys.includes(key)) throw new TypeError(`unknown option ${name === 'options' ? '' : `${name}.`}${JSON.stringify(key)}`);
  }
  return o;
}

/** @internal Throws when `options` is not an object or undefined. */
export function optionsObject(name: string, options: unknown): Record<string, unknown> {
  if (options === undefined) return {};
  plainObject(name, options);
  return options;
}

function resolveWindow(window: unknown): WindowSpec {
  if (window === undefined) return { kind: 'consecutive' };
  plainObject('window', window);
  knownKeys('window', window, ['size', 'durationMs', 'buckets']);
  const { size, durationMs, buckets } = window;
  if (size !== undefined && durationMs !== undefined) {
    throw new TypeError('window takes either size or durationMs, not both');
  }
  if (size !== undefined) {
    positiveInteger('window.size', size);
    if (buckets !== undefined) throw new TypeError('window.buckets goes with window.durationMs, not window.size');
    return { kind: 'count', size: size as number };
  }
  if (durationMs === undefined) throw new TypeError('window must have a size or a durationMs');
  positiveDuration('window.durationMs', durationMs);
  if (buckets !== undefined) {
    positiveInteger('window.buckets', buckets);
    if ((buckets as number) > (durationMs as number)) {
      throw new RangeError(
        `window.buckets must be at most window.durationMs (${durationMs}): a bucket spans at least 1 ms, got ${buckets}`,
      );
    }
  }
  // By default 10 buckets, fewer for a window shorter than 10 ms: a bucket spans at least 1 ms.
  const byDefault = Math.min(10, Math.max(1, Math.floor(durationMs as number)));
  return { kind: 'time', durationMs: durationMs as number, buckets: (buckets as number | undefined) ?? byDefault };
}

const clockLike: Check = (name, value) => {
  plainOrFunctionObject(name, value);
  const clock = value as Record<string, unknown>;
  for (const method of ['now', 'setTimeout', 'clearTimeout']) func(`${name}.${method}`, clock[method]);
};

function plainOrFunctionObject(name: string, value: unknown): void {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) {
    throw new TypeError(`${name} must be an object, got ${describe(value)}`);
  }
}

const storeLike: Check = (name, value) => {
  plainOrFunctionObject(name, value);
  const store = value as Record<string, unknown>;
  if (typeof store.attach !== 'function' || typeof store.join !== 'function') {
    throw new TypeError(`${name} must be a BreakerStore (with attach and join methods), got ${describe(value)}`);
  }
};

const resetTimeout: Check = (name, value) => {
  if (typeof value === 'function') return;
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number or a function, got ${describe(value)}`);
  duration(name, value);
};

const policy: Check = (name, value) => {
  if (value !== 'all' && value !== 'rate') throw new TypeError(`${name} must be 'all' or 'rate', got ${describe(value)}`);
};

const nonEmptyString: Check = (name, value) => {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string, got ${describe(value)}`);
  if (value === '') throw new RangeError(`${name} must not be empty, got ""`);
};

/**
 * Every option but `window` and `initialState`: its check and its default. Resolved in this
 * order every time, so that every resolved object has the same shape.
 */
const CHECKED = [
  ['name', nonEmptyString, 'breaker'],
  ['failureThreshold', positiveInteger, 5],
  ['failureRateThreshold', rate, 0.5],
  ['minimumCalls', positiveInteger, 10],
  ['slowCallDurationMs', duration, undefined],
  ['slowCallRateThreshold', rate, 1],
  ['resetTimeoutMs', resetTimeout, 30_000],
  ['halfOpenMaxCalls', positiveInteger, 1],
  ['halfOpenPolicy', policy, 'all'],
  ['rampUpMs', duration, 0],
  ['healthCheck', func, undefined],
  ['healthCheckIntervalMs', timerDuration, 5000],
  ['timeoutMs', timerDuration, undefined],
  ['isFailure', func, undefined],
  ['isResultFailure', func, undefined],
  ['clock', clockLike, systemClock],
  ['store', storeLike, undefined],
] as const satisfies readonly (readonly [keyof BreakerOptions, Check, unknown])[];

/**
 * The names of every breaker option, to tell them apart from other options. @internal Written
 * out rather than read off `CHECKED`: a list built by a call would keep the whole table (and
 * every check) in the bundle of an entry that imports one check.
 */
export const BREAKER_OPTION_NAMES = [
  'name',
  'failureThreshold',
  'window',
  'failureRateThreshold',
  'minimumCalls',
  'slowCallDurationMs',
  'slowCallRateThreshold',
  'resetTimeoutMs',
  'halfOpenMaxCalls',
  'halfOpenPolicy',
  'rampUpMs',
  'healthCheck',
  'healthCheckIntervalMs',
  'timeoutMs',
  'isFailure',
  'isResultFailure',
  'clock',
  'initialState',
  'store',
] as const satisfies readonly (keyof BreakerOptions)[];

/**
 * @internal Validates `options` and applies the defaults, into a new object. Keys that are
 * neither breaker options nor in `otherKeys` are a `TypeError`, so a typo never goes unnoticed.
 */
export function resolveOptions(input: unknown, otherKeys: readonly string[] = []): Resolved {
  const o = knownKeys('options', optionsObject('options', input), [...BREAKER_OPTION_NAMES, ...otherKeys]);
  if (o.failureThreshold !== undefined && o.window !== undefined) {
    throw new TypeError('failureThreshold (consecutive mode) and window (rate mode) cannot be given together');
  }
  const resolved: Record<string, unknown> = {};
  for (const [key, check, fallback] of CHECKED) {
    const value = o[key];
    if (value === undefined) resolved[key] = fallback;
    else {
      check(key, value);
      resolved[key] = value;
    }
  }
  resolved.window = resolveWindow(o.window);
  resolved.initialState = o.initialState;
  if (o.window === undefined) {
    const rateOnly = RATE_MODE_OPTIONS.find((key) => o[key] !== undefined && o[key] !== 'all');
    if (rateOnly !== undefined) {
      throw new TypeError(
        `${rateOnly} is a rate-mode option: it needs window (e.g. window: { size: 100 }), else failures in a row count`,
      );
    }
  }
  return resolved as unknown as Resolved;
}
