/** What the pacing keeps per attached breaker, on the process's monotonic clock. */
export interface Paced {
  /** When a call next triggers a read of the fleet's state (0: at the first call). */
  nextAt: number;
  /** When the breaker may next send its counts. */
  reportAt: number;
}

const monotonic = (): number => performance.now();

/**
 * The breaker's `called` hook: on a call, when the breaker's view is older than `periodMs`,
 * starts one background read; otherwise does nothing but read the clock. A breaker never
 * called sends nothing.
 */
export function calledHook(entry: Paced, periodMs: number, refresh: () => void, now = monotonic): () => void {
  return () => {
    const t = now();
    if (t < entry.nextAt) return;
    entry.nextAt = t + periodMs;
    refresh();
  };
}

/**
 * Resolves when the breaker may send its counts: at once when it has not reported within
 * `periodMs`, else when the period is over. The breaker sends one report at a time and
 * gathers its outcomes meanwhile, so its counts go out at most once per period.
 */
export function reportSlot(entry: Paced, periodMs: number, now = monotonic): Promise<void> {
  const t = now();
  const wait = entry.reportAt - t;
  entry.reportAt = Math.max(t, entry.reportAt) + periodMs;
  if (wait <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, wait);
    (timer as { unref?: () => void }).unref?.();
  });
}
