/**
 * @internal What a breaker counts its outcomes in. `calls`, `failures` and `slowCalls` are
 * kept as running sums, valid after `roll(now)`.
 */
export interface Window {
  calls: number;
  failures: number;
  slowCalls: number;
  /** Forgets what has aged out by `now` (time windows only). */
  roll(now: number): void;
  record(now: number, failure: boolean, slow: boolean): void;
  reset(): void;
  /** Plain JSON data describing the contents, with the settings they depend on. */
  save(now: number): WindowData;
  /** Loads `data` saved `elapsedMs` ago; false when it was saved with other settings. */
  load(data: WindowData, now: number, elapsedMs: number): boolean;
}

/**
 * The saved form of a breaker's window, in a `BreakerSnapshot`: its contents with the
 * settings they were counted under. `outcomes` of a count window are oldest first, each a bit
 * set (1 failed, 2 slow); `slices` of a time window are `[age, calls, failures, slowCalls]`,
 * age 0 being the newest slice.
 *
 * @example
 * ```ts
 * import { createBreaker, type WindowData } from 'tripswitch';
 *
 * const window: WindowData = createBreaker({ window: { size: 10 } }).toJSON().window;
 * console.log(window.kind); // 'count'
 * ```
 */
export type WindowData =
  | {
      /** Consecutive mode: the outcomes since the breaker last closed. */
      kind: 'consecutive';
      /** Calls counted. */
      calls: number;
      /** Failures among them. */
      failures: number;
      /** Slow calls among them. */
      slowCalls: number;
    }
  | {
      /** A count window. */
      kind: 'count';
      /** The window's `size`. */
      size: number;
      /** The outcomes held, oldest first: 0 success, 1 failure, 2 slow success, 3 slow failure. */
      outcomes: number[];
    }
  | {
      /** A time window. */
      kind: 'time';
      /** The window's `durationMs`. */
      durationMs: number;
      /** The window's `buckets`. */
      buckets: number;
      /** The slices holding calls, as `[age, calls, failures, slowCalls]`; age 0 is the newest. */
      slices: [age: number, calls: number, failures: number, slowCalls: number][];
    };

/** @internal Bits of one recorded outcome in a count window. */
export const FAILED = 1;
/** @internal */
export const SLOW = 2;
