import type { Clock } from '../clock.js';
import { duration } from '../options.js';
import { checkTimerDelay } from '../timer.js';

/**
 * A {@link Clock} whose time moves only when told: for tests of code that uses tripswitch,
 * without sleeping and without patching global timers. Like `systemClock`, it refuses
 * (`RangeError`) a delay longer than 2^31 - 1 ms, which a real timer would run at once.
 *
 * @example
 * ```ts
 * import { createBreaker } from 'tripswitch';
 * import { manualClock } from 'tripswitch/testing';
 *
 * const clock = manualClock();
 * const breaker = createBreaker({ clock, failureThreshold: 1, resetTimeoutMs: 1000 });
 * breaker.open();
 * clock.advance(1000);
 * console.log(breaker.state); // 'halfOpen'
 * ```
 */
export interface ManualClock extends Clock {
  /** Moves time forward by `ms`, running the timers that come due, in order. */
  advance(ms: number): void;
  /** Sets the time to `ms`, running the timers that come due, in order; it may go backwards. */
  set(ms: number): void;
  /** The number of timers waiting to run. */
  readonly pending: number;
}

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly callback: () => void;
}

/**
 * Creates a {@link ManualClock} starting at `startMs`.
 *
 * @example
 * ```ts
 * import { wrap } from 'tripswitch';
 * import { manualClock } from 'tripswitch/testing';
 *
 * const clock = manualClock(Date.UTC(2030, 0, 1));
 * const slow = wrap(() => new Promise<string>(() => {}), { clock, timeoutMs: 500 });
 * const result = slow().catch((error: Error) => error.name);
 * clock.advance(500);
 * console.log(await result); // 'CallTimeoutError'
 * ```
 */
export function manualClock(startMs = 0): ManualClock {
  if (typeof startMs !== 'number' || !Number.isFinite(startMs)) {
    throw new TypeError(`startMs must be a finite number, got ${String(startMs)}`);
  }
  let now = startMs;
  let seq = 0;
  const timers = new Map<number, Timer>();

  const runUntil = (target: number): void => {
    for (;;) {
      let next: Timer | undefined;
      for (const timer of timers.values()) {
        if (timer.at <= target && (next === undefined || timer.at < next.at || (timer.at === next.at && timer.seq < next.seq))) {
          next = timer;
        }
      }
      if (next === undefined) break;
      timers.delete(next.seq);
      if (next.at > now) now = next.at;
      next.callback();
    }
    now = target;
  };

  return {
    now: () => now,
    setTimeout(callback: () => void, ms: number): unknown {
      if (typeof callback !== 'function') throw new TypeError('callback must be a function');
      checkTimerDelay(ms);
      const delay = typeof ms === 'number' && ms > 0 ? ms : 0;
      const id = ++seq;
      timers.set(id, { at: now + delay, seq: id, callback });
      return id;
    },
    clearTimeout(handle: unknown): void {
      if (typeof handle === 'number') timers.delete(handle);
    },
    advance(ms: number): void {
      duration('ms', ms);
      runUntil(now + ms);
    },
    set(ms: number): void {
      if (typeof ms !== 'number' || !Number.isFinite(ms)) throw new TypeError(`ms must be a finite number, got ${String(ms)}`);
      runUntil(ms);
    },
    get pending(): number {
      return timers.size;
    },
  };
}
