import { createBreaker } from 'tripswitch';
import { manualClock } from 'tripswitch/testing';

const clock = manualClock();
const breaker = createBreaker({ name: 'lifecycle', clock, failureThreshold: 2, resetTimeoutMs: 1_000, halfOpenMaxCalls: 1 });
breaker.on('stateChange', ({ from, to }) => console.log(`${clock.now()} ms: ${from} -> ${to}`));

const fail = () => Promise.reject(new Error('down'));
const succeed = () => 'ok';

await breaker.execute(fail).catch(() => {});
await breaker.execute(fail).catch(() => {}); // 0 ms: closed -> open

// No background timer: nothing happens when the reset timeout passes...
clock.advance(1_000);
// ...until the breaker is observed: a call, `state` or `stats()`.
console.log(breaker.state); // 1000 ms: open -> halfOpen, then 'halfOpen'

// One probe is let through; its success closes the breaker.
await breaker.execute(succeed); // 1000 ms: halfOpen -> closed

// Had it failed, the breaker would have reopened at once, with attempt + 1 for `resetTimeoutMs(attempt)`.
console.log(breaker.stats().window); // empty again: { calls: 0, failures: 0, ... }
