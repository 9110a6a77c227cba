import type { admitted, reject, retryAfter } from './admission.js';
import type { OpenReason } from './events.js';
import type { CLOSED, disable, Inner, isolate, Machine, moveTo, observe, release, resetFor } from './machine.js';
import type { FleetState } from './store.js';

const OPEN_REASONS: readonly string[] = ['failures', 'failureRate', 'slowCallRate', 'probeFailed', 'manual'];
const isOpenReason = (reason: unknown): reason is OpenReason => OPEN_REASONS.includes(reason as string);

/**
 * @internal The functions of the breaker's rooms that its fleet glue uses, handed over by the
 * breaker when it joins: the stores import none of the core, and the glue changes the state
 * only as the state machine does.
 */
export interface Rooms {
  readonly observe: typeof observe;
  readonly moveTo: typeof moveTo;
  readonly isolate: typeof isolate;
  readonly disable: typeof disable;
  readonly release: typeof release;
  readonly CLOSED: typeof CLOSED;
  readonly admitted: typeof admitted;
  readonly reject: typeof reject;
  readonly retryAfter: typeof retryAfter;
  readonly resetFor: typeof resetFor;
}

/**
 * @internal The fleet's follow path: takes up the fleet's state on the breaker's state
 * machine. An open state already in force here only takes the fleet's remaining time, with
 * no event. The caller marks where the transition came from (the fleet glue's `origin`).
 * It changes the state only through the state machine's functions, handed over in `rooms`.
 */
export function follow(m: Machine, fleet: FleetState, rooms: Rooms): void {
  const s = rooms.observe(m);
  m.attempt = fleet.attempt;
  const reason = fleet.reason;
  switch (fleet.state) {
    case 'open': {
      if (s.kind === 'halfOpen' && fleet.retryAfterMs === 0) return;
      const next: Inner = { kind: 'open', until: m.now() + fleet.retryAfterMs };
      if (s.kind === 'open') m.s = next;
      else rooms.moveTo(m, next, 'open', isOpenReason(reason) ? reason : 'manual', fleet.retryAfterMs);
      return;
    }
    case 'closed':
      if (s.kind !== 'closed') rooms.moveTo(m, rooms.CLOSED, 'close', reason === 'probesSucceeded' ? reason : 'manual');
      return;
    case 'isolated':
      rooms.isolate(m);
      return;
    default:
      rooms.disable(m);
  }
}
