import { execFileSync } from 'node:child_process';
import type { MetricReader as Reader, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { Registry as PromRegistry } from 'prom-client';
import type { Breaker, Registry } from '../../src/index.js';
import { CallTimeoutError, createBreaker, createRegistry } from '../../src/index.js';
import { type ManualClock, manualClock } from '../../src/testing/index.js';
import { boom, fail, flush, succeed } from '../helpers.js';

/** Series of a text exposition, by `name{label="value",...}` with labels sorted: its value. */
export function parseExposition(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null) throw new Error(`not an exposition line: ${line}`);
    const [, name, labelText = '', raw] = match as unknown as [string, string, string | undefined, string];
    const labels: [string, string][] = [];
    for (const [, key, value] of labelText.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels.push([key as string, JSON.parse(`"${value}"`) as string]);
    }
    const value = raw === '+Inf' ? Number.POSITIVE_INFINITY : raw === '-Inf' ? Number.NEGATIVE_INFINITY : Number(raw);
    out.set(seriesKey(name as string, Object.fromEntries(labels)), value);
  }
  return out;
}

/** `name{a="1",b="2"}`, labels sorted by name. */
export function seriesKey(name: string, labels: Record<string, string | number | boolean | undefined>): string {
  const parts = Object.keys(labels)
    .sort()
    .map((key) => `${key}="${String(labels[key])}"`);
  return parts.length === 0 ? name : `${name}{${parts.join(',')}}`;
}

/** Runs `promtool check metrics` on the exposition: its complaints, or '' when clean. */
export function promtool(text: string): string {
  try {
    execFileSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
    return '';
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    return `${e.stdout ?? ''}${e.stderr ?? ''}` || e.message;
  }
}

/** Scrapes a registry: the exposition text and its parsed series. */
export async function scrape(register: PromRegistry): Promise<{ text: string; series: Map<string, number> }> {
  const text = await register.metrics();
  return { text, series: parseExposition(text) };
}

class TestReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** A meter on an SDK MeterProvider, and a function that collects what it reports into an in-memory exporter. */
export function otelSetup(temporality = AggregationTemporality.CUMULATIVE): {
  meter: ReturnType<MeterProvider['getMeter']>;
  collect(): Promise<ResourceMetrics>;
  exporter: InMemoryMetricExporter;
  provider: MeterProvider;
} {
  const reader: Reader = new TestReader({ aggregationTemporalitySelector: () => temporality });
  const exporter = new InMemoryMetricExporter(temporality);
  const provider = new MeterProvider({ readers: [reader] });
  const meter = provider.getMeter('tripswitch-test');
  const collect = async (): Promise<ResourceMetrics> => {
    const { resourceMetrics, errors } = await reader.collect();
    if (errors.length > 0) throw errors[0];
    await new Promise<void>((resolve) => exporter.export(resourceMetrics, () => resolve()));
    const all = exporter.getMetrics();
    return all[all.length - 1] as ResourceMetrics;
  };
  return { meter, collect, exporter, provider };
}

/** OpenTelemetry points of a collection, by `instrument{attr="value",...}`: the value (a histogram gives `_count` and `_sum`). */
export function otelPoints(resourceMetrics: ResourceMetrics): Map<string, number> {
  const out = new Map<string, number>();
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      for (const point of metric.dataPoints) {
        const attrs = point.attributes as Record<string, string>;
        const value = point.value as number | { count: number; sum: number };
        if (typeof value === 'number') out.set(seriesKey(metric.descriptor.name, attrs), value);
        else {
          out.set(seriesKey(`${metric.descriptor.name}_count`, attrs), value.count);
          out.set(seriesKey(`${metric.descriptor.name}_sum`, attrs), value.sum);
        }
      }
    }
  }
  return out;
}

/** Breakers in every state, on one manual clock, with calls of every outcome. */
export interface Fleet {
  clock: ManualClock;
  closed: Breaker;
  open: Breaker;
  halfOpen: Breaker;
  isolated: Breaker;
  disabled: Breaker;
  /** A registry holding `rate` (rate mode) and `slow`. */
  registry: Registry;
  /** Resolves the call left running on `closed`. */
  finish(): Promise<void>;
}

/**
 * Drives breakers through every state:
 * - `closed`: 2 successes, 1 failure, 1 ignored, 1 timeout (a failure too), 1 call still running;
 * - `open`: 2 failures (opened), 1 rejection; retry after 1 s;
 * - `halfOpen`: opened, then its reset timeout passed (it half-opens when next observed);
 * - `isolated`: 1 success, isolated, 2 rejections;
 * - `disabled`: disabled, 3 failures;
 * - registry key `rate`: window of 10, 1 success and 1 failure (rate 0.5); key `slow`: 1 slow success.
 */
export async function driveEveryState(): Promise<Fleet> {
  const clock = manualClock();
  const common = { clock, failureThreshold: 2, resetTimeoutMs: 1000 };
  const closed = createBreaker({
    ...common,
    name: 'closed',
    failureThreshold: 5,
    timeoutMs: 100,
    isFailure: (error) => error !== 'ignore me',
  });
  await succeed(closed, 2);
  await fail(closed, 1);
  await closed.execute(() => Promise.reject('ignore me')).catch(() => undefined);
  const timedOut = closed.execute(() => new Promise<never>(() => {})).catch((error: unknown) => error);
  clock.advance(100);
  if (!((await timedOut) instanceof CallTimeoutError)) throw new Error('expected a timeout');
  const running = closed.acquire(); // a call in flight

  const open = createBreaker({ ...common, name: 'open' });
  const halfOpen = createBreaker({ ...common, name: 'halfOpen', resetTimeoutMs: 500 });
  await fail(open, 2);
  await fail(halfOpen, 2);
  await open.execute(() => 'rejected').catch(() => undefined);

  const isolated = createBreaker({ ...common, name: 'isolated' });
  await succeed(isolated, 1);
  isolated.isolate();
  await isolated.execute(() => 'rejected').catch(() => undefined);
  await isolated.execute(() => 'rejected').catch(() => undefined);

  const disabled = createBreaker({ ...common, name: 'disabled' });
  disabled.disable();
  await fail(disabled, 3);

  const registry = createRegistry({ clock, window: { size: 10 }, slowCallDurationMs: 50 });
  const rate = registry.get('rate');
  await succeed(rate, 1);
  await rate.execute(() => Promise.reject(boom)).catch(() => undefined);
  const slow = registry.get('slow');
  const slowCall = slow.execute(() => new Promise((resolve) => clock.setTimeout(() => resolve('late'), 60)));
  clock.advance(60);
  await slowCall;

  // Half the open period of `open` passes; `halfOpen`'s is over.
  clock.advance(500);
  await flush();
  return {
    clock,
    closed,
    open,
    halfOpen,
    isolated,
    disabled,
    registry,
    finish: async () => running.success(),
  };
}
