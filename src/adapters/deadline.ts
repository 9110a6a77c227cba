import type { Clock } from '../clock.js';

/**
 * @internal One deadline that moves, watched through a clock with at most one timer. Moving
 * the deadline later (a chunk arrived) costs a clock reading: the timer, when it fires early,
 * sets itself again for what is left. Stopped, it leaves no timer behind.
 */
export class Deadline {
  /** When the current deadline falls; Infinity: none. */
  private due = Number.POSITIVE_INFINITY;
  /** When the timer fires; meaningful while `timer` is set. */
  private at = 0;
  private timer: unknown = undefined;

  constructor(
    private readonly clock: Clock,
    private readonly expire: () => void,
  ) {}

  /** The deadline falls `ms` from now; undefined: no deadline (the timer is stopped). */
  set(ms: number | undefined): void {
    if (ms === undefined) {
      this.stop();
      return;
    }
    const now = this.clock.now();
    this.due = now + ms;
    if (this.timer !== undefined) {
      if (this.at <= this.due) return;
      this.clock.clearTimeout(this.timer);
    }
    this.arm(now);
  }

  /** No deadline any more, and no timer. */
  stop(): void {
    this.due = Number.POSITIVE_INFINITY;
    if (this.timer === undefined) return;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(now: number): void {
    this.at = this.due;
    this.timer = this.clock.setTimeout(() => this.fire(), this.due - now);
  }

  private fire(): void {
    this.timer = undefined;
    if (this.due === Number.POSITIVE_INFINITY) return;
    const now = this.clock.now();
    if (now < this.due) {
      this.arm(now);
      return;
    }
    this.due = Number.POSITIVE_INFINITY;
    this.expire();
  }
}
