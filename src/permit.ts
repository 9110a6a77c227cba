import { type Counter, classifyError, record, timedOut } from './counting.js';
import { FAILURE, IGNORED, type Outcome, type Probe, SUCCESS } from './outcome.js';
import type { Permit } from './types.js';

/** @internal A permit from `acquire()`: the first report counts. */
export class ManualPermit implements Permit {
  /** Whether the outcome was reported (the fields are read by `timedOut` below too). */
  done = false;

  constructor(
    readonly breaker: Counter,
    readonly gen: number,
    readonly start: number,
    readonly probe: Probe | undefined,
  ) {}

  success(): void {
    this.settle(SUCCESS, undefined);
  }

  failure(...error: [unknown?]): void {
    this.settle(error.length === 0 ? FAILURE : undefined, error[0]);
  }

  ignore(): void {
    this.settle(IGNORED, undefined);
  }

  /** Counts the first report only; an `outcome` left undefined is the error's, by `isFailure`. */
  settle(outcome: Outcome | undefined, error: unknown): void {
    if (this.done) return;
    this.done = true;
    const b = this.breaker;
    record(b, this.gen, this.start, this.probe, outcome ?? classifyError(b, error), error);
  }
}

/**
 * @internal The call of `permit` ran out of a time limit of the caller's own (an HTTP client's
 * timeout): a failure counted as a timeout, as the breaker's `timeoutMs` is, unless an outcome
 * was reported already. A function, not a method: bundles that never use it leave it out.
 */
export function permitTimedOut(permit: ManualPermit, error: unknown, timeoutMs: number): void {
  if (permit.done) return;
  permit.done = true;
  timedOut(permit.breaker, permit.gen, permit.start, permit.probe, error, timeoutMs);
}
