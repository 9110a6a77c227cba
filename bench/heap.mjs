// Heap per idle breaker: 10,000 breakers of one kind, (heapUsed after - before) / 10,000
// after a full gc(). Without an argument, runs every kind, each in a process of its own;
// with one (`node --expose-gc bench/heap.mjs <kind>`), measures that kind.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { emit, log, median } from './harness.mjs';

const N = 10_000;
const REPEATS = 5;

/** How to make one idle breaker of each kind, and what releases it afterwards. */
const KINDS = {
  'ts-consecutive': { label: 'tripswitch consecutive', load: tripswitch({}) },
  'ts-count': { label: 'tripswitch count window {size: 100}', load: tripswitch({ window: { size: 100 } }) },
  'ts-time': {
    label: 'tripswitch time window {10 s, 10 buckets}',
    load: tripswitch({ window: { durationMs: 10_000, buckets: 10 } }),
  },
  cockatiel: { label: 'cockatiel ConsecutiveBreaker(5)', load: cockatiel(false) },
  'cockatiel-sampling': { label: 'cockatiel SamplingBreaker', load: cockatiel(true) },
  opossum: { label: 'opossum, default options', load: opossum },
};

function tripswitch(options) {
  return async () => {
    const { createBreaker } = await import('../dist/index.js');
    return { make: () => createBreaker(options), release: () => {} };
  };
}

function cockatiel(sampling) {
  return async () => {
    const { circuitBreaker, handleAll, ConsecutiveBreaker, SamplingBreaker } = await import('cockatiel');
    const make = () =>
      circuitBreaker(handleAll, {
        halfOpenAfter: 10_000,
        breaker: sampling ? new SamplingBreaker({ threshold: 0.5, duration: 10_000 }) : new ConsecutiveBreaker(5),
      });
    return { make, release: () => {} };
  };
}

async function opossum() {
  const { default: CircuitBreaker } = await import('opossum');
  // Every opossum breaker keeps a bucket-rotation interval: shut each down once measured.
  return {
    make: () => new CircuitBreaker(fn),
    release: (breakers) => {
      for (const b of breakers) b.shutdown();
    },
  };
}

const fn = async (x) => x + 1;

/** Measures one kind in this process: the median over REPEATS of the bytes per breaker. */
async function measureKind(kind) {
  const { make, release } = await KINDS[kind].load();
  const perBreaker = [];
  const breakers = new Array(N).fill(null);
  // A whole round first, not kept: creation is then compiled and optimized before anything is
  // measured, so that no repeat counts the code and type feedback V8 makes along the way.
  for (let k = 0; k < N; k++) breakers[k] = make();
  release(breakers);
  breakers.fill(null);
  for (let r = 0; r < REPEATS; r++) {
    globalThis.gc();
    globalThis.gc();
    const before = process.memoryUsage().heapUsed;
    for (let k = 0; k < N; k++) breakers[k] = make();
    globalThis.gc();
    globalThis.gc();
    const after = process.memoryUsage().heapUsed;
    perBreaker.push((after - before) / N);
    release(breakers);
    breakers.fill(null);
  }
  return { kind, label: KINDS[kind].label, bytes: median(perBreaker), samples: perBreaker };
}

const self = fileURLToPath(import.meta.url);
const kind = process.argv[2];
if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');

if (kind !== undefined) {
  if (!(kind in KINDS)) throw new Error(`unknown kind "${kind}"; one of ${Object.keys(KINDS).join(', ')}`);
  emit(await measureKind(kind));
} else {
  const rows = [];
  for (const k of Object.keys(KINDS)) {
    const child = spawnSync(process.execPath, ['--expose-gc', self, k], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (child.status !== 0) throw new Error(`heap ${k} exited with ${child.status}`);
    const row = JSON.parse(child.stdout.trim().split('\n').pop());
    log(`  ${row.label.padEnd(46)} ${row.bytes.toFixed(0).padStart(6)} B per breaker`);
    rows.push(row);
  }
  emit({ group: 'heap', count: N, repeats: REPEATS, rows });
}
