import type { CircuitBreaker } from './breaker.js';
import type { BreakerStore, FleetState, StoreLink, StoreMember, Transition } from './store.js';

/** @internal Where a transition came from, when another instance of the fleet made it. */
export interface Origin {
  readonly remote: true;
  readonly instance: string;
}

/**
 * @internal A breaker's membership in its store's fleet: it shares the breaker's transitions
 * and hands it the fleet's. Nothing here runs on the call path but the probe lease.
 */
export class Fleet implements StoreMember {
  readonly name: string;
  readonly halfOpenMaxCalls: number;
  readonly link: StoreLink;
  /** The newest fleet epoch taken up. */
  private epoch = 0;
  /** The latest transition made here that the fleet has not answered with a newer state. */
  private mine: Transition | undefined;

  constructor(
    private readonly breaker: CircuitBreaker,
    store: BreakerStore,
  ) {
    this.name = breaker.name;
    this.halfOpenMaxCalls = breaker.o.halfOpenMaxCalls;
    this.link = store.attach(this);
  }

  /** Shares a transition made by this breaker. */
  publish(transition: Transition): void {
    this.mine = transition;
    this.link.publish(transition);
  }

  adopt(fleet: FleetState, remote: boolean): void {
    if (!(fleet.epoch > this.epoch)) return;
    this.epoch = fleet.epoch;
    this.mine = undefined;
    this.breaker.follow(fleet, remote ? { remote: true, instance: fleet.instance } : undefined);
  }

  local(): { readonly transition: Transition; readonly epoch: number } | undefined {
    const mine = this.mine;
    if (mine === undefined && this.epoch === 0) return undefined;
    const b = this.breaker;
    const state = b.state;
    // Half-open is shared as open with no time left; isolated and disabled have no reason.
    const transition: Transition = {
      state: state === 'halfOpen' ? 'open' : state,
      reason: state === 'isolated' || state === 'disabled' ? undefined : (mine?.reason ?? 'manual'),
      retryAfterMs: state === 'open' ? b.stats().retryAfterMs : 0,
      attempt: b.attemptNow,
    };
    return { transition, epoch: mine === undefined ? this.epoch : 0 };
  }
}
