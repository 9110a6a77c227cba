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
  private readonly sliceCalls: Float64Array;
  private readonly sliceFailures: Float64Array;
  private readonly sliceSlow: Float64Array;
  /** Index (time / width) of the newest slice; older slices are head - 1 ... head - buckets + 1. */
  private head = Number.NEGATIVE_INFINITY;

  constructor(
    readonly durationMs: number,
    readonly buckets: number,
  ) {
    this.width = durationMs / buckets;
    this.sliceCalls = new Float64Array(buckets);
    this.sliceFailures = new Float64Array(buckets);
    this.sliceSlow = new Float64Array(buckets);
  }

  roll(now: number): void {
    const index = Math.floor(now / this.width);
    if (index <= this.head) return;
    if (this.calls === 0 || index - this.head >= this.buckets) {
      if (this.calls !== 0) this.reset();
      this.head = index;
      return;
    }
    for (let i = this.head + 1; i <= index; i++) this.clear(this.slot(i));
    this.head = index;
  }

  private slot(index: number): number {
    const s = index % this.buckets;
    return s < 0 ? s + this.buckets : s;
  }

  private clear(s: number): void {
    this.calls -= this.sliceCalls[s];
    this.failures -= this.sliceFailures[s];
    this.slowCalls -= this.sliceSlow[s];
    this.sliceCalls[s] = this.sliceFailures[s] = this.sliceSlow[s] = 0;
  }

  record(now: number, failure: boolean, slow: boolean): void {
    this.roll(now);
    const s = this.slot(this.head);
    this.sliceCalls[s]++;
    this.calls++;
    if (failure) {
      this.sliceFailures[s]++;
      this.failures++;
    }
    if (slow) {
      this.sliceSlow[s]++;
      this.slowCalls++;
    }
  }

  reset(): void {
    this.sliceCalls.fill(0);
    this.sliceFailures.fill(0);
    this.sliceSlow.fill(0);
    this.calls = this.failures = this.slowCalls = 0;
  }

  save(now: number): WindowData {
    this.roll(now);
    const slices: [number, number, number, number][] = [];
    for (let age = 0; age < this.buckets && this.calls > 0; age++) {
      const s = this.slot(this.head - age);
      if (this.sliceCalls[s] > 0) slices.push([age, this.sliceCalls[s], this.sliceFailures[s], this.sliceSlow[s]]);
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
      this.sliceCalls[s] += calls;
      this.sliceFailures[s] += failures;
      this.sliceSlow[s] += slow;
      this.calls += calls;
      this.failures += failures;
      this.slowCalls += slow;
    }
    return true;
  }
}
