import { CLOSED, type Inner, type Machine, type Ramp } from './machine.js';

/**
 * @internal The share of calls a breaker lets through now: `t / rampUpMs` at `t` ms after a
 * close from half-open, 1 when it is not ramping. A ramp that has run its course ends here,
 * quietly: the breaker was closed all along, so no event and no new generation.
 */
export function rampShare(m: Machine): number {
  const s = m.s;
  if (s === CLOSED || s.kind !== 'closed') return 1;
  const share = (m.now() - (s as Ramp).since) / m.o.rampUpMs;
  // A ramp set to 0 by `configure` (share NaN or Infinity) is over too.
  if (share >= 1 || !(share === share)) {
    m.s = CLOSED;
    return 1;
  }
  return share;
}

/**
 * @internal Whether a call arriving during a ramp is let through: 0 when it is, else the
 * retry time of its refusal. Each call adds the share of now to a credit, and a call is let
 * through whenever the credit reaches one whole call: at a share of 1/4, one call in four,
 * evenly rather than in bursts. A call turned away is told to retry after a tenth of the ramp
 * (or what is left of it, when less).
 */
export function rampAdmits(m: Machine, s: Inner): number {
  const ramp = s as Ramp;
  // A ramp just over lets the call through: its share, 1, makes the credit a whole call.
  ramp.credit += rampShare(m);
  if (ramp.credit >= 1) {
    ramp.credit -= 1;
    return 0;
  }
  const rampUpMs = m.o.rampUpMs;
  return Math.max(1, Math.ceil(Math.min(rampUpMs / 10, rampUpMs - (m.now() - ramp.since))));
}
