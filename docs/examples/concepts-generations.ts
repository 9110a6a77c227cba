import { createBreaker } from 'tripswitch';
import { manualClock } from 'tripswitch/testing';

const clock = manualClock();
const breaker = createBreaker({ clock, failureThreshold: 1, resetTimeoutMs: 10_000 });

// A slow call starts while the breaker is closed...
let finish: (value: string) => void = () => {};
const slow = breaker.execute(() => new Promise<string>((resolve) => (finish = resolve)));

// ...then another call fails and opens the breaker.
await breaker.execute(() => Promise.reject(new Error('down'))).catch(() => {});
console.log(breaker.state); // 'open'

// The slow call now succeeds. It belongs to an older generation: it is counted in the totals,
// but it does not close the breaker (and a late failure would not extend the open period).
finish('late');
await slow;
console.log(breaker.state, breaker.stats().totals.successes); // 'open' 1
