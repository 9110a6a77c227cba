import { type Counter, classifyError, record, timedOut } from './counting.js';
import { FAILURE, IGNORED, type Outcome, type Probe, SUCCESS } from './outcome.js';
import type { Permit } from './types.js';

/** @internal A permit from `acquire()`: the first report counts. */
export class ManualPermit implements Permit {
  /** @internal Set by the first report counted. */
  done = false;

  constructor(
    /** @internal */ readonly breaker: Counter,
    /** @internal */ readonly gen: number,
    /** @internal */ readonly start: number,
    /** @internal */ readonly probe: Probe | undefined,
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

  /** @internal Counts the first report only; an `outcome` left undefined is the error's, by `isFailure`. */
  settle(outcome: Outcome | undefined, error: unknown): void {
    if (this.done) return;
    this.done = true;
    const b = this.breaker;
    record(b, this.gen, this.start, this.probe, outcome ?? classifyError(b, error), error);
  }
}

/**
 * @internal Counts the call of `permit` (from `acquire()`) as one that ran out of `timeoutMs`:
 * a failure, a timeout in the totals and a `timeout` event, as `execute`'s own timeout does.
 * The stream limits of guardFetch and guardAxios count through it.
 */
export function permitTimedOut(permit: Permit, error: unknown, timeoutMs: number): void {
  const p = permit as ManualPermit;
  if (p.done) return;
  p.done = true;
  timedOut(p.breaker, p.gen, p.start, p.probe, error, timeoutMs);
}
