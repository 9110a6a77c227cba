import { createBreaker } from '../dist/index.js';
import { interleave, printRows, summarize } from './harness.mjs';

const fn = async (x) => x + 1;
let i = 0;
const fc = { calls: 0, s: 0, f: 0, t: 0 };
const timed = {
  ok: () => {
    fc.t = Date.now();
    fc.s++;
  },
  error: () => {
    fc.t = Date.now();
    fc.f++;
  },
};
const floorTime = (x) => {
  if (fc.state !== undefined) throw 1;
  fc.calls++;
  const p = fn(x);
  p.then(timed.ok, timed.error);
  return p;
};
const time = createBreaker({ name: 't', window: { durationMs: 10_000, buckets: 10 } });
const tw = time.wrap(fn);
const c = createBreaker({ name: 'c' });
const cw = c.wrap(fn);
const cases = [
  { id: 'floor-time', label: 'floor time', fn: () => floorTime(++i), floor: 'floor-time' },
  { id: 'cw', label: 'consec wrap', fn: () => cw(++i), floor: 'floor-time' },
  { id: 'tw', label: 'time wrap', fn: () => tw(++i), floor: 'floor-time' },
];
const times = await interleave(cases);
printRows('time', summarize(cases, times, ['floor']), ['floor']);
