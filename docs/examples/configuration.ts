import { type BreakerOptions, createBreaker, exponentialBackoff, systemClock } from 'tripswitch';
import { manualClock } from 'tripswitch/testing';

// Consecutive mode (the default): open after `failureThreshold` failures in a row.
export const consecutive: BreakerOptions = { name: 'payments', failureThreshold: 5 };

// Rate mode over the last 100 calls: open when half of them failed, once at least 20 were made.
export const countWindow: BreakerOptions = { window: { size: 100 }, failureRateThreshold: 0.5, minimumCalls: 20 };

// Rate mode over the last 60 s, kept as 12 slices of 5 s; slow calls (>= 2 s) open it at 80%.
export const timeWindow: BreakerOptions = {
  window: { durationMs: 60_000, buckets: 12 },
  slowCallDurationMs: 2_000,
  slowCallRateThreshold: 0.8,
};

// Open for 1 s, then 2 s, 4 s... up to 1 min, each spread by +/- 20%; two probes to close.
export const recovery: BreakerOptions = {
  resetTimeoutMs: exponentialBackoff({ initialMs: 1_000, maxMs: 60_000, jitter: 0.2 }),
  halfOpenMaxCalls: 2,
};

// Give up on a call after 5 s (it rejects with CallTimeoutError and counts as a failure).
export const limited: BreakerOptions = { timeoutMs: 5_000 };

// What counts: 4xx-like errors are ignored, an empty result is a failure.
export const judged: BreakerOptions = {
  isFailure: (error) => !(error instanceof RangeError),
  isResultFailure: (result) => result === null,
};

// Time: the system clock by default, a manual clock in tests.
export const real: BreakerOptions = { clock: systemClock };
export const inTests: BreakerOptions = { clock: manualClock() };

// Resume from a snapshot taken with toJSON().
const saved = createBreaker({ name: 'search' }).toJSON();
export const resumed = createBreaker({ name: 'search', initialState: saved });

// Bad options throw at creation, naming the option and the value.
try {
  createBreaker({ failureRateThreshold: 1.5, window: { size: 10 } });
} catch (error) {
  console.log((error as Error).message); // failureRateThreshold must be in (0, 1], got 1.5
}
