import { createBreaker } from 'tripswitch';
import { manualClock } from 'tripswitch/testing';

const clock = manualClock();
const breaker = createBreaker({ clock, failureThreshold: 1, resetTimeoutMs: 5_000 });
breaker.on('open', ({ reason, retryAfterMs }) => console.log(`open (${reason}) for ${retryAfterMs} ms`));

breaker.open(); // open (manual) for 5000 ms
clock.advance(5_000);

// A probe that never settles holds its half-open slot...
const permit = breaker.acquire();
console.log(breaker.stats().retryAfterMs); // 5000: the slot is taken until the probe expires

// ...but never for ever: `resetTimeoutMs(attempt)` after it was let through, it counts as failed.
clock.advance(5_000);
console.log(breaker.state); // open (probeFailed) for 5000 ms, then 'open'

permit.success(); // too late: its generation is over, so it only adds to the totals
console.log(breaker.state, breaker.stats().totals.successes); // 'open' 1
