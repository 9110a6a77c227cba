/** @internal The longest delay a timer keeps (2^31 - 1 ms, about 24.8 days): Node and browsers run longer ones at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** @internal Throws a `RangeError` for a delay no platform timer can keep, rather than let it fire early. */
export function checkTimerDelay(ms: number, name = 'ms'): void {
  if (ms > MAX_TIMER_MS) throw new RangeError(`${name} must be at most ${MAX_TIMER_MS} (about 24.8 days), got ${ms}`);
}
