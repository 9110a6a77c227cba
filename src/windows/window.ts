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

/** @internal The saved form of a window. */
export type WindowData =
  | { kind: 'consecutive'; calls: number; failures: number; slowCalls: number }
  | { kind: 'count'; size: number; outcomes: number[] }
  | {
      kind: 'time';
      durationMs: number;
      buckets: number;
      slices: [age: number, calls: number, failures: number, slowCalls: number][];
    };

/** @internal Bits of one recorded outcome in a count window. */
export const FAILED = 1;
/** @internal */
export const SLOW = 2;
