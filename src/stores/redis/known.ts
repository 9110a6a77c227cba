import type { FleetState } from '../../store.js';

/** How long an open record outlives its period in Redis (the script's MARGIN). */
const MARGIN_MS = 600_000;
/** How long a closed state is remembered, so that an older answer read before it cannot bring an open back. */
const CLOSED_MS = 10_000;
/** Names remembered at most, in each of the two maps: the oldest learnt goes first. */
export const KNOWN_LIMIT = 10_000;

interface Known {
  readonly fleet: FleetState;
  /** When it was learnt, on the process's monotonic clock. */
  readonly at: number;
}

/**
 * The fleet's states that are not closed, by wire name, as this process last learnt them (from
 * the index loaded at start, the channel and every script reply): a breaker created later
 * takes up its fleet's state at once, before its first call. Newest epoch wins.
 *
 * Bounded: it learns every name the fleet announces, held here or not, so it keeps at most
 * `limit` names not closed (and as many recently closed), forgetting the oldest learnt first.
 * A breaker created later for a forgotten name takes up its fleet's state one round trip
 * after its creation instead of before its first call.
 */
export class KnownStates {
  private readonly notClosed = new Map<string, Known>();
  /** Recently closed names and their epochs, oldest first. */
  private readonly closed = new Map<string, Known>();

  constructor(
    private readonly now: () => number,
    private readonly limit = KNOWN_LIMIT,
  ) {}

  /** Learns a state of the fleet; an older one than known is dropped. */
  learn(name: string, fleet: FleetState): void {
    if (fleet.epoch === 0) return;
    const known = this.notClosed.get(name) ?? this.closed.get(name);
    if (known !== undefined && known.fleet.epoch >= fleet.epoch) return;
    const at = this.now();
    this.prune(at);
    this.notClosed.delete(name);
    this.closed.delete(name);
    const into = fleet.state === 'closed' ? this.closed : this.notClosed;
    into.set(name, { fleet, at });
    // Maps keep the order of insertion: the first key is the oldest learnt.
    if (into.size > this.limit) into.delete(into.keys().next().value as string);
  }

  /** The fleet's state of `name` now, when it is known and not closed (an open period's time left counted down). */
  get(name: string): FleetState | undefined {
    const known = this.notClosed.get(name);
    if (known === undefined) return undefined;
    const { fleet, at } = known;
    if (fleet.state !== 'open') return fleet;
    const elapsed = this.now() - at;
    if (elapsed > fleet.retryAfterMs + MARGIN_MS) {
      // Its record has expired in Redis by now.
      this.notClosed.delete(name);
      return undefined;
    }
    return { ...fleet, retryAfterMs: Math.max(0, Math.ceil(fleet.retryAfterMs - elapsed)) };
  }

  /**
   * After reading the index again (a reconnect): forgets what was learnt before `since` of a
   * name the index does not list, or lists at a newer epoch (the state learnt is gone or old).
   */
  retain(listed: ReadonlyMap<string, string>, since: number): void {
    for (const [name, { fleet, at }] of this.notClosed) {
      if (at >= since) continue;
      const epoch = listed.get(name);
      if (epoch === undefined || Number(epoch) > fleet.epoch) this.notClosed.delete(name);
    }
  }

  /** How many names are known not closed. */
  get size(): number {
    return this.notClosed.size;
  }

  private prune(now: number): void {
    for (const [name, known] of this.closed) {
      if (now - known.at < CLOSED_MS) break;
      this.closed.delete(name);
    }
  }
}
