import { checkTimerDelay } from './timer.js';

/**
 * The source of time for a breaker: every read of the time and every timer goes through it.
 *
 * @example
 * ```ts
 * import { createBreaker, type Clock } from 'tripswitch';
 *
 * const offsetClock: Clock = {
 *   now: () => Date.now() + 1000,
 *   setTimeout: (callback, ms) => setTimeout(callback, ms),
 *   clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
 * };
 * const breaker = createBreaker({ clock: offsetClock });
 * ```
 */
export interface Clock {
  /** The current time in milliseconds. */
  now(): number;
  /** Runs `callback` once, `ms` milliseconds from now; returns a handle for `clearTimeout`. */
  setTimeout(callback: () => void, ms: number): unknown;
  /** Cancels a timer made by this clock's `setTimeout`. */
  clearTimeout(handle: unknown): void;
}

type TimerHandle = ReturnType<typeof setTimeout>;

/**
 * The default clock: `Date.now` and the global timers. Timers are unref'd where the
 * platform allows, so a pending call timeout never keeps a Node process alive. A delay
 * longer than 2^31 - 1 ms (about 24.8 days), which the platform would run at once, is a
 * `RangeError`.
 *
 * @example
 * ```ts
 * import { createBreaker, systemClock } from 'tripswitch';
 *
 * const breaker = createBreaker({ clock: systemClock }); // the same as leaving `clock` out
 * ```
 */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  setTimeout(callback: () => void, ms: number): unknown {
    checkTimerDelay(ms);
    const handle: unknown = setTimeout(callback, ms);
    (handle as { unref?: () => void }).unref?.();
    return handle;
  },
  clearTimeout(handle: unknown): void {
    clearTimeout(handle as TimerHandle);
  },
});
