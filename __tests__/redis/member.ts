import type { FleetState, StoreMember, Transition } from '../../src/store.js';
import { until } from './server.js';

/** A breaker as a store sees it: it records what it is told to adopt. */
export class TestMember implements StoreMember {
  readonly adopted: { fleet: FleetState; remote: boolean }[] = [];
  localState: { transition: Transition; epoch: number } | undefined;

  constructor(
    readonly name: string,
    readonly halfOpenMaxCalls = 1,
  ) {}

  adopt(fleet: FleetState, remote: boolean): void {
    this.adopted.push({ fleet, remote });
  }

  local(): { transition: Transition; epoch: number } | undefined {
    return this.localState;
  }

  /** The last state adopted. */
  get last(): FleetState | undefined {
    return this.adopted.at(-1)?.fleet;
  }

  /** Runs `action`, then waits for the next state adopted after it. */
  async step(action: () => void, timeoutMs = 5000): Promise<{ fleet: FleetState; remote: boolean }> {
    const from = this.adopted.length;
    action();
    return until(() => this.adopted[from], timeoutMs, `${this.name}: a reply`);
  }

  /** Waits for an adopted state that matches. */
  next(match: (fleet: FleetState, remote: boolean) => boolean, timeoutMs = 5000): Promise<FleetState> {
    const from = 0;
    return until(
      () => this.adopted.slice(from).find((a) => a.fleet.epoch > 0 && match(a.fleet, a.remote))?.fleet,
      timeoutMs,
      `${this.name}: adopted state`,
    );
  }
}

export const trip = (retryAfterMs: number, attempt = 1): Transition => ({
  state: 'open',
  reason: 'failures',
  retryAfterMs,
  attempt,
});
