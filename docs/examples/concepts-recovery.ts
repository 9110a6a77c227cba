import { createBreaker, exponentialBackoff } from 'tripswitch';
import { manualClock } from 'tripswitch/testing';

const clock = manualClock();
const breaker = createBreaker({
  clock,
  window: { size: 20 },
  minimumCalls: 4,
  resetTimeoutMs: exponentialBackoff({ initialMs: 1_000 }),
  halfOpenMaxCalls: 4,
  halfOpenPolicy: 'rate', // close when the 4 probes fail below failureRateThreshold (0.5)
  rampUpMs: 10_000, // then let traffic back in over 10 s
});

breaker.open(); // open for 1000 ms (attempt 1)
clock.advance(1_000);
for (const healthy of [true, false, true, true]) {
  await breaker.execute(() => (healthy ? 'ok' : Promise.reject(new Error('flaky')))).catch(() => undefined);
}
console.log(breaker.state); // 'closed': 1 probe in 4 failed, below 0.5

// The ramp: a quarter of the calls 2.5 s after the close, evenly (every fourth call).
clock.advance(2_500);
console.log(breaker.stats().ramp); // 0.25
const turnedAway = await breaker.execute(() => 'ok').catch((error: unknown) => error);
console.log(turnedAway); // CircuitOpenError, state 'closed', retryAfterMs 1000 (a tenth of the ramp)

// From 10 s on, every call runs again.
clock.advance(7_500);
console.log(breaker.stats().ramp); // 1
