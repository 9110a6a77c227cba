// Wraps calls with long timeouts, leaves one call hanging (its timeout still pending), and returns.
// The process must exit at once: settled calls clear their timers, the pending one is unref'd.
import { createBreaker, wrap } from '../dist/index.js';

if (process.argv[2] === 'baseline') {
  // No call at all: the cost of starting and ending node with the package loaded.
  console.log(JSON.stringify({ done: performance.timeOrigin + performance.now() }));
  process.exit(0);
}
const double = wrap(async (x) => x * 2, { timeoutMs: 60_000 });
let sum = 0;
for (let i = 0; i < 1000; i++) sum += await double(i);
if (process.argv[2] === 'hanging') {
  createBreaker({ timeoutMs: 60_000 })
    .execute(() => new Promise(() => {}))
    .catch(() => {});
}
console.log(JSON.stringify({ done: performance.timeOrigin + performance.now(), sum }));
