// A failing call in closed state (thresholds too high ever to open), against a bare throw.
// The failing function makes a new Error per call, as real failures do.
// Run by bench/run.mjs as `node --expose-gc bench/failing.mjs`.
import { ConsecutiveBreaker, circuitBreaker, handleAll } from 'cockatiel';
import Opossum from 'opossum';
import { createBreaker } from '../dist/index.js';
import { emit, interleave, printRows, rejectingCase, summarize } from './harness.mjs';

const NEVER = Number.MAX_SAFE_INTEGER;
const fail = async (x) => {
  throw new Error(`boom ${x}`);
};
let i = 0;

const consecutive = createBreaker({ name: 'consecutive', failureThreshold: NEVER });
const consecutiveWrapped = consecutive.wrap(fail);
const time = createBreaker({ name: 'time', window: { durationMs: 10_000, buckets: 10 }, minimumCalls: NEVER });
const cockatiel = circuitBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(NEVER) });
const opossum = new Opossum(fail, { volumeThreshold: NEVER });

const counts = {};
const failing = (id, label, call) => rejectingCase(counts, id, label, call, (error) => error.message.startsWith('boom'));

const cases = [
  failing('bare-throw', 'bare `try { await fail(i) } catch {}`', () => fail(++i)),
  failing('ts-consecutive', 'tripswitch consecutive, execute', () => consecutive.execute(() => fail(++i))),
  failing('ts-consecutive-wrap', 'tripswitch consecutive, wrap', () => consecutiveWrapped(++i)),
  failing('ts-time', 'tripswitch time window, execute', () => time.execute(() => fail(++i))),
  failing('cockatiel', 'cockatiel ConsecutiveBreaker', () => cockatiel.execute(() => fail(++i))),
  failing('opossum', 'opossum, default options', () => opossum.fire(++i)),
];

const times = await interleave(cases, { slow: true });
// The floor of a failing call is the bare throw itself.
for (const c of cases) c.floor = 'bare-throw';
const references = ['floor', 'cockatiel', 'opossum'];
const rows = summarize(cases, times, references);
printRows('closed state, failing call', rows, references);

for (const [id, { calls, rejected }] of Object.entries(counts)) {
  if (calls === 0 || rejected !== calls) throw new Error(`${id}: ${rejected} of ${calls} calls rejected with fail's error`);
}
const states = `${consecutive.state} ${time.state} ${cockatiel.state} ${opossum.closed}`;
if (states !== 'closed closed 0 true') throw new Error(`a breaker opened: ${states}`);
opossum.shutdown();

emit({ group: 'failing', rounds: times['bare-throw'].length, references, rows, counts });
