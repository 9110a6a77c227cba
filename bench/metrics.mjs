// Metrics: a call's cost with its breaker collected by tripswitch/prometheus (without and with
// `durations`) against the same call uncollected, and the time of one collection of a registry
// of 10,000 breakers, through prom-client and through the OpenTelemetry SDK.
// Run by bench/run.mjs as `node --expose-gc bench/metrics.mjs`.
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { Registry } from 'prom-client';
import { createBreaker, createRegistry } from '../dist/index.js';
import { instrumentMetrics } from '../dist/metrics/opentelemetry.js';
import { collectMetrics } from '../dist/metrics/prometheus.js';
import { check, emit, interleave, log, median, printRows, summarize } from './harness.mjs';

const fn = async (x) => x + 1;
let i = 0;

const plain = createBreaker({ name: 'plain' });
const collected = createBreaker({ name: 'collected' });
const timed = createBreaker({ name: 'durations' });
const register = new Registry();
const stopCollected = collectMetrics({ sources: [collected], register });
const stopTimed = collectMetrics({ sources: [timed], register, prefix: 'timed_', durations: true });

const cases = [
  { id: 'plain', label: 'execute, not collected', fn: () => plain.execute(() => fn(++i)) },
  { id: 'collected', label: 'execute, collected by collectMetrics', fn: () => collected.execute(() => fn(++i)) },
  { id: 'durations', label: 'execute, collected with durations: true', fn: () => timed.execute(() => fn(++i)) },
];
for (const c of cases) {
  await check(c.label, async () => {
    const got = await c.fn();
    return got === i + 1 ? undefined : `expected ${i + 1}, got ${got}`;
  });
}
const times = await interleave(cases);
const references = ['plain'];
const rows = summarize(cases, times, references);
printRows('closed state, successful call, with metrics', rows, references);
const exposition = await register.metrics();
if (!exposition.includes('tripswitch_calls_total{name="collected",outcome="success"}')) throw new Error('not collected');
if (!exposition.includes('timed_call_duration_seconds_count{name="durations",outcome="success"}'))
  throw new Error('no durations');
stopCollected();
stopTimed();

// One collection of 10,000 breakers: a tenth open, a tenth with calls in flight.
const BREAKERS = 10_000;
const SCRAPES = Number(process.env.BENCH_SCRAPES ?? 15);
const many = createRegistry({ maxSize: BREAKERS, failureThreshold: 1 });
for (let k = 0; k < BREAKERS; k++) {
  const breaker = many.get(`tenant-${k}`);
  await breaker.execute(() => fn(k));
  if (k % 10 === 0) await breaker.execute(() => Promise.reject(new Error('down'))).catch(() => {});
  if (k % 10 === 1) breaker.acquire();
}

async function timeScrapes(label, scrape) {
  await scrape(); // warm-up
  const ms = [];
  let size = 0;
  for (let k = 0; k < SCRAPES; k++) {
    globalThis.gc?.();
    const t0 = performance.now();
    size = await scrape();
    ms.push(performance.now() - t0);
  }
  log(`  ${label}: ${median(ms).toFixed(1)} ms median of ${SCRAPES}`);
  return { ms: median(ms), min: Math.min(...ms), max: Math.max(...ms), size };
}

const big = new Registry();
const stopBig = collectMetrics({ sources: [many], register: big });
const prometheus = await timeScrapes('prom-client, register.metrics()', async () => (await big.metrics()).length);
stopBig();

class Reader extends MetricReader {
  async onForceFlush() {}
  async onShutdown() {}
}
// The SDK keeps 2,000 attribute sets per instrument unless told otherwise: room for every breaker.
const reader = new Reader({
  aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE,
  cardinalitySelector: () => 100_000,
});
const provider = new MeterProvider({ readers: [reader] });
const stopOtel = instrumentMetrics({ sources: [many], meter: provider.getMeter('bench') });
const opentelemetry = await timeScrapes('OpenTelemetry SDK, reader.collect()', async () => {
  const { resourceMetrics } = await reader.collect();
  return resourceMetrics.scopeMetrics[0].metrics.reduce((n, m) => n + m.dataPoints.length, 0);
});
stopOtel();
await provider.shutdown();

// A registry of 1,000 keys with durations: true, exported key by key, summed, or by its keys
// not closed: series, text and time of one scrape.
const KEYS = 1_000;
async function cardinality(label, source) {
  const tenants = createRegistry({ maxSize: KEYS, failureThreshold: 1 });
  const register = new Registry();
  const stop = collectMetrics({ sources: [source(tenants)], register, durations: true });
  for (let k = 0; k < KEYS; k++) {
    const breaker = tenants.get(`tenant-${k}`);
    await breaker.execute(() => fn(k));
    if (k % 10 === 0) await breaker.execute(() => Promise.reject(new Error('down'))).catch(() => {});
  }
  const text = await register.metrics();
  const series = text.split('\n').filter((line) => line !== '' && !line.startsWith('#')).length;
  const timing = await timeScrapes(`${KEYS} keys, ${label}`, async () => (await register.metrics()).length);
  stop();
  return { label, series, bytes: text.length, ms: timing.ms };
}
const cardinalities = [
  await cardinality('every key', (r) => r),
  await cardinality("`keys: 'summed'`", (registry) => ({ registry, keys: 'summed', name: 'tenants' })),
  await cardinality("`keys: 'notClosed'` (a tenth open)", (registry) => ({ registry, keys: 'notClosed' })),
];

emit({
  group: 'metrics',
  cardinalities,
  rounds: times.plain.length,
  references,
  rows,
  scrape: { breakers: BREAKERS, scrapes: SCRAPES, prometheus, opentelemetry },
});
