import type { CircuitBreaker } from './breaker.js';
import { FAILURE, IGNORED, type Probe, SUCCESS } from './outcome.js';
import type { Permit } from './types.js';

/** @internal A permit from `acquire()`: the first report counts. */
export class ManualPermit implements Permit {
  private done = false;

  constructor(
    private readonly breaker: CircuitBreaker,
    private readonly gen: number,
    private readonly start: number,
    private readonly probe: Probe | undefined,
  ) {}

  success(): void {
    if (this.settle()) this.breaker.record(this.gen, this.start, this.probe, SUCCESS, undefined);
  }

  failure(...error: [unknown?]): void {
    if (!this.settle()) return;
    const outcome = error.length === 0 ? FAILURE : this.breaker.classifyError(error[0]);
    this.breaker.record(this.gen, this.start, this.probe, outcome, error[0]);
  }

  ignore(): void {
    if (this.settle()) this.breaker.record(this.gen, this.start, this.probe, IGNORED, undefined);
  }

  private settle(): boolean {
    if (this.done) return false;
    this.done = true;
    return true;
  }
}
