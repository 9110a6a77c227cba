// Soak: `npm run soak` (builds, then node --expose-gc soak/run.mjs [core] [registry] [exit] [http]).
// Not part of the test run. Prints figures; the only hard checks are that nothing leaks
// without bound and that nothing is left in flight.
import os from 'node:os';
import { createBreaker, createRegistry } from '../dist/index.js';
import { manualClock } from '../dist/testing/index.js';
import { measureExit } from './exit.mjs';
import { kb, lcg, settledHeap, signedKb } from './heap.mjs';
import { frameworks, soakHttp } from './http.mjs';
import { mixOptions, runMix } from './mix.mjs';

const TOTAL = 1_000_000;
const checkpoints = [100_000, TOTAL];
const parts = process.argv.slice(2);
const wanted = (part) => parts.length === 0 || parts.includes(part);
let failed = false;

function report(label, result, extra = '') {
  const growth = result.heap[TOTAL] - result.heap[100_000];
  const rate = Math.round(TOTAL / (result.ms / 1000));
  console.log(
    `${label.padEnd(34)} heap@100k ${kb(result.heap[100_000]).padStart(9)}  heap@1M ${kb(result.heap[TOTAL]).padStart(9)}  ` +
      `growth ${signedKb(growth).padStart(9)}  ${rate} calls/s  ${JSON.stringify(result.counts)}${extra}`,
  );
  // A leak of even 8 bytes per call would be 7 MB over the last 900k calls.
  if (!(growth < 2 * 1024 * 1024)) {
    console.log(`  FAIL: heap grew by ${growth} bytes between 100k and 1M calls`);
    failed = true;
  }
}

function modeOptions(mode) {
  if (mode === 'consecutive') return { failureThreshold: 5 };
  if (mode === 'count') return { window: { size: 100 }, minimumCalls: 20, failureRateThreshold: 0.5 };
  return { window: { durationMs: 20, buckets: 10 }, minimumCalls: 20, slowCallDurationMs: 10, slowCallRateThreshold: 0.9 };
}

console.log(`tripswitch soak: Node ${process.version}, ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''}`);
console.log(`baseline heap ${kb(await settledHeap())}`);

if (wanted('core')) {
  for (const mode of ['consecutive', 'count', 'time']) {
    const clock = manualClock();
    const breaker = createBreaker({ clock, ...mixOptions, ...modeOptions(mode) });
    let opens = 0;
    breaker.on('open', () => opens++);
    const result = await runMix({ breakerFor: () => breaker, clock, random: lcg(7), total: TOTAL, checkpoints });
    const { inFlight } = breaker.stats();
    report(`one breaker, ${mode}`, result, ` opens ${opens}, inFlight ${inFlight}, clock timers ${clock.pending}`);
    if (inFlight !== 0 || clock.pending !== 0) failed = true;
  }
}

if (wanted('registry')) {
  for (const [keys, maxSize] of [
    [10_000, 10_000],
    [100_000, 10_000],
  ]) {
    const clock = manualClock();
    const registry = createRegistry({ clock, ...mixOptions, failureThreshold: 1, maxSize });
    let opens = 0;
    registry.on('open', () => opens++);
    const random = lcg(11);
    const names = Array.from({ length: keys }, (_, i) => `key-${i}`);
    const result = await runMix({
      breakerFor: () => registry.get(names[Math.floor(random() * keys)]),
      clock,
      random,
      total: TOTAL,
      checkpoints,
    });
    report(`registry, ${keys} keys, maxSize ${maxSize}`, result, ` opens ${opens}, size ${registry.size}`);
    if (registry.size > maxSize) failed = true;
  }
}

if (wanted('exit')) {
  for (const variant of ['baseline', 'settled', 'hanging']) {
    const { code, afterWorkMs, totalMs } = await measureExit(variant);
    console.log(
      `exit (${variant.padEnd(8)}) code ${code}: ${afterWorkMs.toFixed(0)} ms from last work to exit, ${totalMs.toFixed(0)} ms in all`,
    );
    if (code !== 0 || !(afterWorkMs < 2000)) failed = true;
  }
}

if (wanted('http')) {
  if (frameworks.length === 0) console.log('http: no adapter in dist/adapters, skipped');
  for (const framework of frameworks) {
    const r = await soakHttp(framework);
    console.log(
      `http ${framework.padEnd(8)} server heap start ${kb(r.start)}, after 10k ${kb(r.afterWarmUp)}, after +100k ${kb(r.after)} ` +
        `(${signedKb(r.after - r.afterWarmUp)}); 100k run: ${JSON.stringify(r.run)}`,
    );
    if (r.after - r.afterWarmUp > 4 * 1024 * 1024 || r.run.errors > 0) failed = true;
  }
}

if (failed) {
  console.log('soak: FAILED');
  process.exitCode = 1;
} else console.log('soak: ok');
