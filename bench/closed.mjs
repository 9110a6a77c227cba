// A successful call through a closed breaker, against a bare call and the other libraries.
// Run by bench/run.mjs as `node --expose-gc bench/closed.mjs`.
import { ConsecutiveBreaker, circuitBreaker, handleAll, SamplingBreaker } from 'cockatiel';
import Opossum from 'opossum';
import { createBreaker } from '../dist/index.js';
import { check, emit, interleave, printRows, summarize } from './harness.mjs';

const fn = async (x) => x + 1;
let i = 0;

const consecutive = createBreaker({ name: 'consecutive' });
const consecutiveWrapped = consecutive.wrap(fn);
const count = createBreaker({ name: 'count', window: { size: 100 } });
const time = createBreaker({ name: 'time', window: { durationMs: 10_000, buckets: 10 } });
const withTimeout = createBreaker({ name: 'timeout', timeoutMs: 10_000 });
const withTimeoutWrapped = withTimeout.wrap(fn);
const listened = createBreaker({ name: 'listeners' });
let heard = 0;
listened.on('success', () => heard++);
listened.on('failure', () => heard++);
const listenedWrapped = listened.wrap(fn);

const cockatiel = circuitBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) });
const sampling = circuitBreaker(handleAll, {
  halfOpenAfter: 10_000,
  breaker: new SamplingBreaker({ threshold: 0.5, duration: 10_000 }),
});
const opossum = new Opossum(fn);

// The floors: the least a breaker built on a side branch can cost. A wrapper that checks a
// state, counts the call, and counts its outcome on a second `.then` of fn's own promise (its
// handlers made once); the time-window floor also reads the clock once per outcome.
const floorCounts = { state: 'closed', calls: 0, successes: 0, failures: 0, lastMs: 0 };
const counted = {
  ok: () => {
    floorCounts.successes++;
  },
  error: () => {
    floorCounts.failures++;
  },
};
const timed = {
  ok: () => {
    floorCounts.lastMs = Date.now();
    floorCounts.successes++;
  },
  error: () => {
    floorCounts.lastMs = Date.now();
    floorCounts.failures++;
  },
};
function sideBranch(f, handlers) {
  return (x) => {
    if (floorCounts.state !== 'closed') return Promise.reject(new Error('open'));
    floorCounts.calls++;
    const p = f(x);
    p.then(handlers.ok, handlers.error);
    return p;
  };
}
const floor = sideBranch(fn, counted);
const floorTime = sideBranch(fn, timed);
const opossumNoTimeout = new Opossum(fn, { timeout: false });

const cases = [
  { id: 'bare', label: 'bare `await fn(i)`', fn: () => fn(++i) },
  { id: 'floor', label: 'floor: side branch (state check, count, `.then`)', fn: () => floor(++i), floor: 'floor' },
  { id: 'floor-time', label: 'floor, time window: side branch + `Date.now()`', fn: () => floorTime(++i), floor: 'floor-time' },
  { id: 'ts-consecutive', label: 'tripswitch consecutive, execute', fn: () => consecutive.execute(() => fn(++i)) },
  { id: 'ts-consecutive-wrap', label: 'tripswitch consecutive, wrap', fn: () => consecutiveWrapped(++i) },
  { id: 'ts-count', label: 'tripswitch count window {size: 100}', fn: () => count.execute(() => fn(++i)) },
  {
    id: 'ts-time',
    label: 'tripswitch time window {10 s, 10 buckets}',
    fn: () => time.execute(() => fn(++i)),
    floor: 'floor-time',
  },
  { id: 'ts-timeout', label: 'tripswitch timeoutMs: 10000, execute', fn: () => withTimeout.execute(() => fn(++i)) },
  { id: 'ts-timeout-wrap', label: 'tripswitch timeoutMs: 10000, wrap', fn: () => withTimeoutWrapped(++i) },
  { id: 'ts-listeners', label: 'tripswitch + success/failure listeners, execute', fn: () => listened.execute(() => fn(++i)) },
  { id: 'ts-listeners-wrap', label: 'tripswitch + success/failure listeners, wrap', fn: () => listenedWrapped(++i) },
  { id: 'cockatiel', label: 'cockatiel ConsecutiveBreaker(5)', fn: () => cockatiel.execute(() => fn(++i)) },
  { id: 'cockatiel-sampling', label: 'cockatiel SamplingBreaker', fn: () => sampling.execute(() => fn(++i)) },
  { id: 'opossum', label: 'opossum, default options', fn: () => opossum.fire(++i) },
  { id: 'opossum-no-timeout', label: 'opossum, timeout: false', fn: () => opossumNoTimeout.fire(++i) },
];
// Every case but the bare call and the time floor is held to the side-branch floor.
for (const c of cases) if (c.id !== 'bare' && c.floor === undefined) c.floor = 'floor';

// Every case calls fn(++i) once: its result must be the counter plus one.
for (const c of cases) {
  await check(c.label, async () => {
    const got = await c.fn();
    return got === i + 1 ? undefined : `expected ${i + 1}, got ${got}`;
  });
}

const times = await interleave(cases);
const references = ['floor', 'bare', 'cockatiel', 'opossum'];
const rows = summarize(cases, times, references);
printRows('closed state, successful call', rows, references);

const states = [consecutive.state, count.state, time.state, withTimeout.state, listened.state];
if (states.some((s) => s !== 'closed')) throw new Error(`a breaker left the closed state: ${states}`);
if (heard === 0) throw new Error('the listeners never ran');
if (floorCounts.successes === 0 || floorCounts.successes > floorCounts.calls) throw new Error('the floor counted nothing');
opossum.shutdown();
opossumNoTimeout.shutdown();

emit({ group: 'closed', rounds: times.bare.length, references, rows });
