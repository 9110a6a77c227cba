import { type Inner, type Machine, type Ramp, rampShare } from './machine.js';

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
