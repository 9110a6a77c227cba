import type { Window, WindowData } from './window.js';

/** @internal Consecutive mode: the outcomes since the breaker last closed. */
export class SinceClose implements Window {
  calls = 0;
  failures = 0;
  slowCalls = 0;

  roll(): void {}

  record(_now: number, failure: boolean, slow: boolean): void {
    this.calls++;
    if (failure) this.failures++;
    if (slow) this.slowCalls++;
  }

  reset(): void {
    this.calls = this.failures = this.slowCalls = 0;
  }

  save(): WindowData {
    return { kind: 'consecutive', calls: this.calls, failures: this.failures, slowCalls: this.slowCalls };
  }

  load(data: WindowData): boolean {
    if (data.kind !== 'consecutive') return false;
    if (data.failures > data.calls || data.slowCalls > data.calls) return false;
    this.calls = data.calls;
    this.failures = data.failures;
    this.slowCalls = data.slowCalls;
    return true;
  }
}
