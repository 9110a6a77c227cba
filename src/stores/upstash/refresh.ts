/** What the pacing keeps per attached breaker, on the process's monotonic clock. */
export interface Paced {
  /** Whether the next call starts a read: set when the period since the last read is over. */
  due: boolean;
  /** When the period since the last read is over. */
  nextAt: number;
  /** Calls since the last read while not due (every 64th reads the clock: a platform may drop a timer). */
  calls: number;
  /** When the breaker may next send its counts. */
  reportAt: number;
}

const monotonic = (): number => performance.now();

/**
 * The breaker's `called` hook: on a call, when the breaker's view is older than `periodMs`,
 * starts one background read. It runs on every call, so it reads no clock: a timer marks the
 * breaker due when the period is over ({@link dueAfter}), and every 64th call checks the
 * clock in case the platform dropped the timer. A breaker never called sends nothing.
 */
export function calledHook(entry: Paced, periodMs: number, refresh: () => void, now = monotonic): () => void {
  return () => {
    if (!entry.due && ((++entry.calls & 63) !== 0 || now() < entry.nextAt)) return;
    entry.due = false;
    entry.calls = 0;
    entry.nextAt = now() + periodMs;
    refresh();
  };
}

/** The store's pending timers, each with what ends it early (`close()`). */
export type Timers = Map<ReturnType<typeof setTimeout>, () => void>;

/**
 * Marks the breaker due once `ms` have passed; resolves then, or when the store stops the
 * timer (for `waitUntil`, which keeps the timer alive past the response).
 */
export function dueAfter(entry: Paced, ms: number, timers: Timers): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(
      () => {
        timers.delete(timer);
        entry.due = true;
        resolve();
      },
      Math.max(0, ms),
    );
    (timer as { unref?: () => void }).unref?.();
    timers.set(timer, resolve);
  });
}

/** Stops every pending timer, resolving what waits on them. */
export function stopAll(timers: Timers): void {
  for (const [timer, resolve] of timers) {
    clearTimeout(timer);
    resolve();
  }
  timers.clear();
}

/**
 * Resolves when the breaker may send its counts: at once when it has not reported within
 * `periodMs`, else when the period is over. The breaker sends one report at a time and
 * gathers its outcomes meanwhile, so its counts go out at most once per period.
 */
export function reportSlot(entry: Paced, periodMs: number, timers: Timers, now = monotonic): Promise<void> {
  const t = now();
  const wait = entry.reportAt - t;
  entry.reportAt = Math.max(t, entry.reportAt) + periodMs;
  if (wait <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      resolve();
    }, wait);
    (timer as { unref?: () => void }).unref?.();
    timers.set(timer, resolve);
  });
}
