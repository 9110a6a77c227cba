import { createBreaker } from 'tripswitch';
import { manualClock } from 'tripswitch/testing';

const clock = manualClock(1_000_000);
const breaker = createBreaker({ name: 'billing', clock, failureThreshold: 1, resetTimeoutMs: 60_000 });

// A listener that throws never changes a call's result or the breaker's state...
breaker.on('open', () => {
  throw new Error('bug in my listener');
});
// ...and its error is reported here. With no `callbackError` listener, it would be a process
// warning (once per message), never a crash.
breaker.on('callbackError', ({ name, callback, error }) => {
  console.log(`${name}: a ${callback} threw: ${(error as Error).message}`);
});

await breaker.execute(() => Promise.reject(new Error('down'))).catch(() => {}); // billing: a listener threw: bug in my listener
console.log(breaker.state); // 'open'

// The clock jumps back an hour (an NTP correction, say): time stands still for the breaker
// until the clock moves forward again. Nothing throws, no period is stretched or cut.
clock.set(1_000_000 - 3_600_000);
console.log(breaker.stats().retryAfterMs); // 60000
clock.advance(60_000);
console.log(breaker.state); // 'halfOpen'
