import type { CountReport } from '../../store.js';

/** Above any window or run: a probe never reaches a threshold. */
const NEVER = 2 ** 40;

/**
 * Counting across the fleet, what an instance with a subscription hears (the fleet started or
 * stopped counting failures) an instance without one reads at its refresh: with a report that
 * counts nothing, the counting script answers the fleet's counts along with its state, in the
 * one request of the refresh. In consecutive mode (`run`) such a report changes nothing. In
 * rate mode (`window`) it stands for this instance's window, so it is sent only while no real
 * report of the breaker is live (`live`: one would replace it), lasts one `refreshMs`, and
 * carries thresholds no window reaches (it decides nothing). Undefined: read the state only.
 */
export function probeFor(mode: 'run' | 'window' | undefined, live: boolean, refreshMs: number): CountReport | undefined {
  if (mode === 'run')
    return { kind: 'run', lead: 0, reset: false, tail: 0, threshold: NEVER, retryAfterMs: 1, attempt: 1, keepMs: 1 };
  if (mode !== 'window' || live) return undefined;
  return {
    kind: 'window',
    calls: 0,
    failures: 0,
    slowCalls: 0,
    minimumCalls: NEVER,
    failureRate: 2,
    slowCallRate: 2,
    retryAfterMs: 1,
    attempt: 1,
    keepMs: refreshMs,
    periodMs: refreshMs,
  };
}
