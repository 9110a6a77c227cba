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
const timed = createBreaker({ name: 'timeout', timeoutMs: 10_000 });
const timedWrapped = timed.wrap(fn);
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
const opossumNoTimeout = new Opossum(fn, { timeout: false });

const cases = [
  { id: 'bare', label: 'bare `await fn(i)`', fn: () => fn(++i) },
  { id: 'ts-consecutive', label: 'tripswitch consecutive, execute', fn: () => consecutive.execute(() => fn(++i)) },
  { id: 'ts-consecutive-wrap', label: 'tripswitch consecutive, wrap', fn: () => consecutiveWrapped(++i) },
  { id: 'ts-count', label: 'tripswitch count window {size: 100}', fn: () => count.execute(() => fn(++i)) },
  { id: 'ts-time', label: 'tripswitch time window {10 s, 10 buckets}', fn: () => time.execute(() => fn(++i)) },
  { id: 'ts-timeout', label: 'tripswitch timeoutMs: 10000, execute', fn: () => timed.execute(() => fn(++i)) },
  { id: 'ts-timeout-wrap', label: 'tripswitch timeoutMs: 10000, wrap', fn: () => timedWrapped(++i) },
  { id: 'ts-listeners', label: 'tripswitch + success/failure listeners, execute', fn: () => listened.execute(() => fn(++i)) },
  { id: 'ts-listeners-wrap', label: 'tripswitch + success/failure listeners, wrap', fn: () => listenedWrapped(++i) },
  { id: 'cockatiel', label: 'cockatiel ConsecutiveBreaker(5)', fn: () => cockatiel.execute(() => fn(++i)) },
  { id: 'cockatiel-sampling', label: 'cockatiel SamplingBreaker', fn: () => sampling.execute(() => fn(++i)) },
  { id: 'opossum', label: 'opossum, default options', fn: () => opossum.fire(++i) },
  { id: 'opossum-no-timeout', label: 'opossum, timeout: false', fn: () => opossumNoTimeout.fire(++i) },
];

// Every case calls fn(++i) once: its result must be the counter plus one.
for (const c of cases) {
  await check(c.label, async () => {
    const got = await c.fn();
    return got === i + 1 ? undefined : `expected ${i + 1}, got ${got}`;
  });
}

const times = await interleave(cases);
const references = ['bare', 'cockatiel'];
const rows = summarize(cases, times, references);
printRows('closed state, successful call', rows, references);

const states = [consecutive.state, count.state, time.state, timed.state, listened.state];
if (states.some((s) => s !== 'closed')) throw new Error(`a breaker left the closed state: ${states}`);
if (heard === 0) throw new Error('the listeners never ran');
opossum.shutdown();
opossumNoTimeout.shutdown();

emit({ group: 'closed', rounds: times.bare.length, references, rows });
