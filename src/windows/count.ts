import { FAILED, SLOW, type Window, type WindowData } from './window.js';

/** @internal A count window: the last `size` outcomes, in a ring. */
export class CountWindow implements Window {
  calls = 0;
  failures = 0;
  slowCalls = 0;
  private readonly ring: Uint8Array;
  private next = 0;

  constructor(readonly size: number) {
    this.ring = new Uint8Array(size);
  }

  roll(): void {}

  record(_now: number, failure: boolean, slow: boolean): void {
    const ring = this.ring;
    const i = this.next;
    if (this.calls === this.size) {
      const old = ring[i];
      if (old & FAILED) this.failures--;
      if (old & SLOW) this.slowCalls--;
    } else {
      this.calls++;
    }
    ring[i] = (failure ? FAILED : 0) | (slow ? SLOW : 0);
    if (failure) this.failures++;
    if (slow) this.slowCalls++;
    this.next = i + 1 === this.size ? 0 : i + 1;
  }

  reset(): void {
    this.calls = this.failures = this.slowCalls = this.next = 0;
  }

  save(): WindowData {
    const outcomes: number[] = [];
    const start = this.calls === this.size ? this.next : 0;
    for (let k = 0; k < this.calls; k++) outcomes.push(this.ring[(start + k) % this.size]);
    return { kind: 'count', size: this.size, outcomes };
  }

  load(data: WindowData): boolean {
    if (data.kind !== 'count' || data.size !== this.size || data.outcomes.length > this.size) return false;
    if (!data.outcomes.every((o) => o === 0 || o === 1 || o === 2 || o === 3)) return false;
    this.reset();
    for (const o of data.outcomes) this.record(0, (o & FAILED) !== 0, (o & SLOW) !== 0);
    return true;
  }
}
