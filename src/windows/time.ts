import type { Window, WindowData } from './window.js';

/**
 * @internal A time window: the last `durationMs`, kept as `buckets` slices of equal width.
 * A slice is forgotten once its start is `durationMs` old; slices are rotated on use, never by
 * a timer. Time given to it must not go backwards (the breaker makes it monotonic).
 */
export class TimeWindow implements Window {
  calls = 0;
  failures = 0;
  slowCalls = 0;
  private readonly width: number;
  /** Per slice, three counts side by side: calls, failures, slow calls. */
  private readonly slices: Float64Array;
  /** Index (time / width) of the newest slice; older slices are head - 1 ... head - buckets + 1. */
  private head = Number.NEGATIVE_INFINITY;
  /** Where the counts of the newest slice start in `slices`: `slot(head)`, kept so that a record needs no modulo. */
  private headSlot = 0;

  constructor(
    readonly durationMs: number,
    readonly buckets: number,
  ) {
    this.width = durationMs / buckets;
    this.slices = new Float64Array(3 * buckets);
  }

  roll(now: number): void {
    const index = Math.floor(now / this.width);
    if (index > this.head) this.advance(index);
  }

  /** Makes the slice `index` (newer than the head) the head, forgetting the slices it pushes out. */
  private advance(index: number): void {
    if (this.calls === 0 || index - this.head >= this.buckets) {
      if (this.calls !== 0) this.reset();
      this.head = index;
      this.headSlot = this.slot(index);
      return;
    }
    const last = 3 * (this.buckets - 1);
    let s = this.headSlot;
    for (let i = this.head; i < index; i++) {
      s = s === last ? 0 : s + 3;
      this.clear(s);
    }
    this.head = index;
    this.headSlot = s;
  }

  /** Where the counts of the slice with this index start in `slices`. */
  private slot(index: number): number {
    const s = index % this.buckets;
    return 3 * (s < 0 ? s + this.buckets : s);
  }

  private clear(s: number): void {
    const slices = this.slices;
    this.calls -= slices[s];
    this.failures -= slices[s + 1];
    this.slowCalls -= slices[s + 2];
    slices[s] = slices[s + 1] = slices[s + 2] = 0;
  }

  record(now: number, failure: boolean, slow: boolean): void {
    // One division per outcome; the rest only when a new slice begins.
    const index = Math.floor(now / this.width);
    if (index > this.head) this.advance(index);
    const s = this.headSlot;
    const slices = this.slices;
    slices[s]++;
    this.calls++;
    if (failure) {
      slices[s + 1]++;
      this.failures++;
    }
    if (slow) {
      slices[s + 2]++;
      this.slowCalls++;
    }
  }

  reset(): void {
    this.slices.fill(0);
    this.calls = this.failures = this.slowCalls = 0;
  }

  save(now: number): WindowData {
    this.roll(now);
    const slices: [number, number, number, number][] = [];
    for (let age = 0; age < this.buckets && this.calls > 0; age++) {
      const s = this.slot(this.head - age);
      if (this.slices[s] > 0) slices.push([age, this.slices[s], this.slices[s + 1], this.slices[s + 2]]);
    }
    return { kind: 'time', durationMs: this.durationMs, buckets: this.buckets, slices };
  }

  load(data: WindowData, now: number, elapsedMs: number): boolean {
    if (data.kind !== 'time' || data.durationMs !== this.durationMs || data.buckets !== this.buckets) return false;
    for (const [age, calls, failures, slow] of data.slices) {
      if (!Number.isInteger(age) || age < 0 || age >= this.buckets || failures > calls || slow > calls) return false;
    }
    this.reset();
    this.roll(now);
    const shift = Math.floor(elapsedMs / this.width);
    for (const [age, calls, failures, slow] of data.slices) {
      if (age + shift >= this.buckets) continue;
      const s = this.slot(this.head - age - shift);
      this.slices[s] += calls;
      this.slices[s + 1] += failures;
      this.slices[s + 2] += slow;
      this.calls += calls;
      this.failures += failures;
      this.slowCalls += slow;
    }
    return true;
  }
}
