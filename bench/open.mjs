// A call rejected by an open breaker, for each library. Every breaker is opened by real
// failures first, and every measured call is counted: it must reject without running fn.
// Run by bench/run.mjs as `node --expose-gc bench/open.mjs`.
import { ConsecutiveBreaker, circuitBreaker, handleAll } from 'cockatiel';
import Opossum from 'opossum';
import { createBreaker } from '../dist/index.js';
import { check, emit, interleave, printRows, rejectingCase, summarize } from './harness.mjs';

const HOUR = 3_600_000;
let ran = 0;
/** The guarded function: fails while the breakers are being tripped, and counts its runs. */
let tripping = true;
const fn = async (x) => {
  ran++;
  if (tripping) throw new Error('boom');
  return x + 1;
};
const boom = async () => {
  throw new Error('boom');
};
let i = 0;

const tripswitch = createBreaker({ name: 'open', resetTimeoutMs: HOUR });
const tripswitchWrapped = tripswitch.wrap(fn);
const cockatiel = circuitBreaker(handleAll, { halfOpenAfter: HOUR, breaker: new ConsecutiveBreaker(5) });
const opossum = new Opossum(fn, { resetTimeout: HOUR });

// Five failures in a row open each of them (opossum: one failure is 100% errors).
for (let k = 0; k < 5; k++) {
  await tripswitch.execute(() => fn(++i)).catch(() => {});
  await cockatiel.execute(() => fn(++i)).catch(() => {});
  await opossum.fire(++i).catch(() => {});
}
tripping = false;
ran = 0;

const counts = {};
const rejecting = (id, label, call) => rejectingCase(counts, id, label, call);

const cases = [
  rejecting('bare-throw', 'bare `try { await fail() } catch {}`', () => boom()),
  // The floor: an error with its stack, in a rejected promise, caught by `await`.
  rejecting('floor', 'floor: `Promise.reject(new Error())`', () => Promise.reject(new Error('open'))),
  rejecting('ts', 'tripswitch, execute', () => tripswitch.execute(() => fn(++i))),
  rejecting('ts-wrap', 'tripswitch, wrap', () => tripswitchWrapped(++i)),
  rejecting('cockatiel', 'cockatiel ConsecutiveBreaker(5)', () => cockatiel.execute(() => fn(++i))),
  rejecting('opossum', 'opossum', () => opossum.fire(++i)),
];

await check('states', () => {
  const states = `${tripswitch.state} ${cockatiel.state} ${opossum.opened}`;
  return states === 'open 1 true' ? undefined : `expected every breaker open, got ${states}`;
});

const times = await interleave(cases, { slow: true });
for (const c of cases) c.floor = 'floor';
const references = ['floor', 'bare-throw', 'cockatiel', 'opossum'];
const rows = summarize(cases, times, references);
printRows('open state, rejected call', rows, references);

for (const [id, { calls, rejected }] of Object.entries(counts)) {
  if (calls === 0 || rejected !== calls) throw new Error(`${id}: ${rejected} of ${calls} calls rejected`);
}
if (ran !== 0) throw new Error(`fn ran ${ran} times while the breakers were open`);
opossum.shutdown();

emit({ group: 'open', rounds: times['bare-throw'].length, references, rows, counts });
