import type { Transition } from '../../store.js';

/** Reasons of a transition that is a vote (a trip by counts, or a failed probe while the fleet is closed). */
const TRIPS: ReadonlySet<unknown> = new Set(['failures', 'failureRate', 'slowCallRate', 'probeFailed']);

/**
 * The names this process voted on, until their vote expires (one open period): what `close()`
 * withdraws, so that a process that leaves stops counting toward quorum at once. Expired votes
 * are dropped as new ones come, so it holds at most the names tripped within one open period.
 */
export class Votes {
  private readonly until = new Map<string, { readonly keys: string[]; readonly until: number }>();

  constructor(private readonly now: () => number) {}

  /** Notes a transition shared from here: a trip casts (or renews) this process's vote on `name`. */
  cast(name: string, keys: string[], transition: Transition): void {
    if (transition.state !== 'open' || !TRIPS.has(transition.reason)) return;
    const now = this.now();
    for (const [voted, vote] of this.until) if (vote.until <= now) this.until.delete(voted);
    this.until.delete(name);
    this.until.set(name, { keys, until: now + transition.retryAfterMs });
  }

  /** The names whose vote may still count, with their keys. */
  live(): [string, string[]][] {
    const now = this.now();
    return [...this.until].filter(([, vote]) => vote.until > now).map(([name, vote]) => [name, vote.keys]);
  }
}
