import { BIT } from './events.js';
import { type HalfOpen, judge, type Machine, release, reopen } from './machine.js';
import { FAILURE, IGNORED, type Outcome, type Probe, SUCCESS } from './outcome.js';
import type { Window } from './windows/window.js';

/** @internal Outcome handlers for the plain calls of one generation. */
export interface PlainHandlers {
  readonly gen: number;
  readonly ok: (value: unknown) => void;
  readonly error: (error: unknown) => void;
}

/**
 * @internal The breaker as its counting sees it: the state machine, the calls in flight and
 * the totals of `stats()` (fields of the breaker: one object fewer to reach on every call).
 */
export interface Counter extends Machine {
  inFlight: number;
  calls: number;
  successes: number;
  failures: number;
  ignored: number;
  timeouts: number;
  /** Whether every call needs its start time, whoever listens. */
  readonly timed: boolean;
  /** The window's kind, kept on the breaker so that counting an outcome does not reach into the options. */
  readonly kind: 'consecutive' | 'count' | 'time';
  /** Rate mode: the calls the window must hold before a decision. */
  readonly minimum: number;
  /** The plain handlers of the current generation, once made. */
  plain: PlainHandlers | undefined;
  /**
   * What the fleet counts of this breaker's outcomes, set by the fleet glue: 0 nothing (no
   * store, or one counting locally), 1 its failures, 2 every outcome (the fleet is counting
   * failures now). One field read is all a success pays for it.
   */
  shares: number;
}

/**
 * @internal Outcome handlers for the plain calls of the current generation (not probes, no
 * duration needed), made once per generation rather than once per call.
 */
export function plainHandlers(c: Counter): PlainHandlers {
  let handlers = c.plain;
  if (handlers === undefined || handlers.gen !== c.gen) {
    const gen = c.gen;
    handlers = c.plain = {
      gen,
      // With no result to classify, a success is counted by `succeeded`.
      ok:
        c.o.isResultFailure === undefined
          ? () => succeeded(c, gen)
          : (value) => record(c, gen, Number.NaN, undefined, classifyValue(c, value), value),
      error: (error) => record(c, gen, Number.NaN, undefined, classifyError(c, error), error),
    };
  }
  return handlers;
}

/** @internal Classifies an error with `isFailure`; a throwing predicate counts as a failure. */
export function classifyError(c: Counter, error: unknown): Outcome {
  const isFailure = c.o.isFailure;
  if (isFailure === undefined) return FAILURE;
  try {
    return isFailure(error) ? FAILURE : IGNORED;
  } catch (thrown) {
    c.events.report(c.name, thrown, 'isFailure');
    return FAILURE;
  }
}

/** @internal Classifies a value with `isResultFailure`; a throwing predicate counts as a success. */
export function classifyValue(c: Counter, value: unknown): Outcome {
  const isResultFailure = c.o.isResultFailure;
  if (isResultFailure === undefined) return SUCCESS;
  try {
    return isResultFailure(value) ? FAILURE : SUCCESS;
  } catch (thrown) {
    c.events.report(c.name, thrown, 'isResultFailure');
    return SUCCESS;
  }
}

/**
 * @internal Counts a call that ran out of time: a failure, announced by a `timeout` event. The
 * limit is the breaker's `timeoutMs` unless the caller's own (an HTTP client's timeout) is given.
 */
export function timedOut(
  c: Counter,
  gen: number,
  start: number,
  probe: Probe | undefined,
  error: unknown,
  timeoutMs = c.o.timeoutMs as number,
): void {
  c.timeouts++;
  if (c.events.wants(BIT.timeout)) c.events.emit('timeout', { name: c.name, timeoutMs });
  record(c, gen, start, probe, FAILURE, error);
}

/**
 * @internal Counts the outcome of a call let through at generation `gen`. A call from an
 * older generation only adds to the totals and events.
 */
export function record(c: Counter, gen: number, start: number, probe: Probe | undefined, outcome: Outcome, error: unknown): void {
  c.inFlight--;
  const durationMs = start === start ? c.now() - start : 0;
  if (outcome === IGNORED) {
    recordIgnored(c, gen, probe, error);
    return;
  }
  const failed = outcome === FAILURE;
  if (failed) {
    c.failures++;
    if (c.events.wants(BIT.failure)) c.events.emit('failure', { name: c.name, error, durationMs });
  } else {
    c.successes++;
    if (c.events.wants(BIT.success)) c.events.emit('success', { name: c.name, durationMs });
  }
  // Only an outcome of the current generation counts (a listener may just have changed it).
  if (gen !== c.gen) return;
  const w = c.window;
  const kind = c.kind;
  const slow = c.timed && durationMs >= (c.o.slowCallDurationMs as number);
  w.record(kind === 'time' ? c.now() : 0, failed, slow);
  c.run = failed ? c.run + 1 : 0;
  const s = c.s;
  if (s.kind === 'closed') {
    if (kind !== 'consecutive') {
      if (w.calls >= c.minimum) decide(c, w);
    } else if (failed && c.run >= c.o.failureThreshold) reopen(c, 'failures', c.attempt);
    // Counting across the fleet: an outcome it wants, unless this one just opened the breaker.
    if (c.shares > (failed || slow ? 0 : 1) && gen === c.gen) c.fleet?.tally(failed, slow);
  } else if (s.kind === 'halfOpen' && probe !== undefined && release(c, probe)) probeSettled(c, s, failed, slow);
}

/**
 * The success of a plain call (not a probe, no duration needed) whose result needs no
 * classifying: what `record` does for it, without the checks that cannot apply. It is the
 * commonest outcome of all.
 */
function succeeded(c: Counter, gen: number): void {
  if (c.events.wants(BIT.success)) {
    record(c, gen, Number.NaN, undefined, SUCCESS, undefined);
    return;
  }
  c.inFlight--;
  c.successes++;
  if (gen !== c.gen) return;
  const w = c.window;
  const kind = c.kind;
  w.record(kind === 'time' ? c.now() : 0, false, false);
  c.run = 0;
  // A success opens no breaker in consecutive mode; in rate mode the window may now hold enough calls.
  if (kind !== 'consecutive' && w.calls >= c.minimum && c.s.kind === 'closed') decide(c, w);
  // Only while the fleet is counting failures does it want successes.
  if (c.shares > 1 && gen === c.gen && c.s.kind === 'closed') c.fleet?.tally(false, false);
}

// Kept apart from `record`, so that the common outcome stays small enough for V8 to inline.
function recordIgnored(c: Counter, gen: number, probe: Probe | undefined, error: unknown): void {
  c.ignored++;
  if (c.events.wants(BIT.ignore)) c.events.emit('ignore', { name: c.name, error });
  if (gen === c.gen && probe !== undefined) {
    release(c, probe);
    c.fleet?.probeDone('ignore');
  }
}

/** A probe (already out of its slot) settled: counted among the period's probes, which may now decide. */
function probeSettled(c: Counter, s: HalfOpen, failed: boolean, slow: boolean): void {
  s.calls++;
  if (failed) s.failures++;
  if (slow) s.slowCalls++;
  // Probes of one period may run in several processes: the fleet counts their successes.
  if (!judge(c, s, failed)) c.fleet?.probeDone(failed ? 'ignore' : 'success');
}

/** Closed state, rate mode, with enough calls in the window: opens when a rate reaches its threshold. */
function decide(c: Counter, w: Window): void {
  const o = c.o;
  if (w.failures / w.calls >= o.failureRateThreshold) reopen(c, 'failureRate', c.attempt);
  else if (o.slowCallDurationMs !== undefined && w.slowCalls / w.calls >= o.slowCallRateThreshold) {
    reopen(c, 'slowCallRate', c.attempt);
  }
}
