/** How a store spreads its resynchronization over time. */
export interface PaceOptions {
  /** A round after an outage starts after a random delay in [jitterMinMs, jitterMaxMs]. */
  readonly jitterMinMs: number;
  readonly jitterMaxMs: number;
  /** Scripts a paced round starts per second, at most (after a burst of `burst`). */
  readonly perSecond: number;
  readonly burst: number;
  /** Scripts in flight at once, at most. */
  readonly concurrency: number;
  /** Monotonic time in ms, and a random number in [0, 1): injected for tests. */
  readonly now?: () => number;
  readonly random?: () => number;
}

/** The store's defaults: a fleet of P processes restarting together sends at most P x 250 scripts/s. */
export const PACE: PaceOptions = { jitterMinMs: 50, jitterMaxMs: 500, perSecond: 250, burst: 25, concurrency: 8 };

/**
 * Spreads a store's rounds over time: a random delay before a round that every process of a
 * fleet starts at once (Redis came back), and a pace of at most `perSecond` scripts per
 * second, `concurrency` in flight. It knows nothing of Redis nor of a connection: a store over
 * HTTP uses it as well. Its timers never hold the process open, and `hurry()` ends every wait
 * (the store is closing).
 */
export class Pace {
  private tokens: number;
  private last: number;
  private hurried = false;
  private readonly wakes = new Set<() => void>();
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly options: PaceOptions) {
    this.now = options.now ?? (() => performance.now());
    this.random = options.random ?? Math.random;
    this.tokens = options.burst;
    this.last = this.now();
  }

  /** Waits `ms`, or less once `hurry()` is called. */
  sleep(ms: number): Promise<void> {
    if (this.hurried || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakes.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      (timer as { unref?: () => void }).unref?.();
      this.wakes.add(wake);
    });
  }

  /** The random delay before a round after an outage. */
  jitter(): Promise<void> {
    const { jitterMinMs, jitterMaxMs } = this.options;
    return this.sleep(jitterMinMs + this.random() * (jitterMaxMs - jitterMinMs));
  }

  /** Ends every wait now, and all later ones: nothing is spread any more. */
  hurry(): void {
    this.hurried = true;
    for (const wake of [...this.wakes]) wake();
  }

  /**
   * Runs `task` on each item, `concurrency` at a time and, when `paced`, at most `perSecond`
   * starts per second. After a task resolves false no new one starts (Redis is failing: the
   * rest waits for the next round). Resolves whether every task resolved true.
   */
  async each<T>(items: readonly T[], task: (item: T) => Promise<boolean>, paced: boolean): Promise<boolean> {
    let next = 0;
    let ok = true;
    const worker = async () => {
      while (ok && next < items.length) {
        if (paced) await this.token();
        if (!ok) return;
        const item = items[next++];
        if (!(await task(item))) ok = false;
      }
    };
    const workers = Math.min(this.options.concurrency, items.length);
    await Promise.all(Array.from({ length: workers }, worker));
    return ok;
  }

  /** Takes one start from the bucket, waiting for it when it is empty. */
  private async token(): Promise<void> {
    const { perSecond, burst } = this.options;
    for (;;) {
      const now = this.now();
      this.tokens = Math.min(burst, this.tokens + ((now - this.last) * perSecond) / 1000);
      this.last = now;
      if (this.tokens >= 1 || this.hurried) {
        this.tokens -= 1;
        return;
      }
      await this.sleep(((1 - this.tokens) * 1000) / perSecond);
    }
  }
}
