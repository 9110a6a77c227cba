import type { Counter } from './counting.js';
import { type CircuitOpenError, circuitOpen } from './errors.js';
import { BIT } from './events.js';
import { CLOSED, type Inner, observe } from './machine.js';
import { type Probe, REFUSED } from './outcome.js';
import { rampAdmits } from './ramp.js';

const OUTCOME_BITS = BIT.success | BIT.failure;

/** @internal The breaker as admission sees it: counting, and the count of calls turned away. */
export interface Gate extends Counter {
  rejected: number;
  /** The retry time of the call turned away last, for its `CircuitOpenError`. */
  refusedFor: number;
}

/**
 * @internal Lets a call through (returning its probe when it is one), or returns `REFUSED`:
 * the caller then rejects with `refusal(g, new Error())`, the `Error` made in its own frame so
 * that the stack starts at the call, with none of ours (capturing a frame costs about a
 * tenth of a whole rejection). A call let through is counted as in flight. With a store, a
 * would-be probe comes back with its `lease` pending: not yet let through.
 */
export function enter(g: Gate): Probe | undefined | typeof REFUSED {
  // A store without a subscription refreshes a called breaker's view of the fleet.
  g.fleet?.called();
  const current = g.s;
  // Closed and not ramping: the one closed state object there is.
  if (current === CLOSED) return admitted(g, undefined);
  const kind = current.kind;
  if (kind === 'disabled') return admitted(g, undefined);
  if (kind === 'closed') {
    // Ramping up after a close from half-open (`ramp.ts`).
    const left = rampAdmits(g, current);
    return left === 0 ? admitted(g, undefined) : refuse(g, current, left);
  }
  if (kind === 'open') {
    // Open and not yet due: turned away, on one reading of the clock.
    const left = current.until - g.now();
    if (left > 0) return refuse(g, current, left);
  }
  const s = observe(g);
  // Closed just now (with halfOpenPolicy 'rate', by an expired probe), maybe ramping: as any closed breaker.
  if (s.kind === 'closed') return enter(g);
  // A listener of the transitions just made may have disabled it.
  if (s.kind === 'disabled') return admitted(g, undefined);
  if (s.kind === 'halfOpen') {
    const fleet = g.fleet;
    const held = fleet?.held(s.running);
    if (held !== undefined) return admitted(g, held);
    if (s.calls + s.running.length < g.o.halfOpenMaxCalls && (fleet === undefined || fleet.refusalLeft() === 0)) {
      const probe: Probe = { deadline: g.now() + s.ttl, lease: undefined };
      s.running.push(probe);
      // With a store, the slot is held while the fleet is asked for a lease: not yet let through.
      if (fleet === undefined) return admitted(g, probe);
      probe.lease = fleet.lease(s.ttl);
      return probe;
    }
  }
  return refuse(g, s);
}

/** Counts a call turned away, and notes what its error will say. */
function refuse(g: Gate, s: Inner, retryAfterMs = retryAfter(g, s)): typeof REFUSED {
  g.rejected++;
  if (g.events.wants(BIT.reject)) g.events.emit('reject', { name: g.name, state: s.kind, retryAfterMs });
  g.refusedFor = retryAfterMs;
  return REFUSED;
}

/** @internal Makes `error` (a fresh `new Error()`) the `CircuitOpenError` of the call turned away last. */
export function refusal(g: Gate, error: Error): CircuitOpenError {
  // Made right after `refuse()`, in the state it turned the call away in.
  return circuitOpen(error, g.name, g.s.kind, g.refusedFor);
}

/** @internal Counts a call turned away and returns its error (on paths where the stack's first frames matter less). */
export function reject(g: Gate, s: Inner): CircuitOpenError {
  refuse(g, s);
  return refusal(g, new Error());
}

/** @internal Counts a call let through. */
export function admitted(g: Gate, probe: Probe | undefined): Probe | undefined {
  g.inFlight++;
  g.calls++;
  return probe;
}

/** @internal The start time of a call, when anything will need its duration; else NaN. */
export function startTime(g: Gate): number {
  return g.timed || g.events.wants(OUTCOME_BITS) ? g.now() : Number.NaN;
}

/** @internal How long until a call may be let through in state `s`. */
export function retryAfter(g: Gate, s: Inner): number {
  switch (s.kind) {
    case 'open':
      return Math.max(0, s.until - g.now());
    case 'isolated':
      return Number.POSITIVE_INFINITY;
    case 'halfOpen': {
      const refused = g.fleet === undefined ? 0 : g.fleet.refusalLeft();
      if (refused > 0) return refused;
      return s.calls + s.running.length < g.o.halfOpenMaxCalls ? 0 : Math.max(0, s.running[0].deadline - g.now());
    }
    default:
      return 0;
  }
}
