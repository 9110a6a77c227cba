import { type BatchObservableCallback, type Meter, metrics, type Observable } from '@opentelemetry/api';
import { describe } from '../describe.js';
import { DURATION, SERIES } from './series.js';
import { constantLabels, durationsOption, type MetricSource, metricsOptions, Sources } from './sources.js';

export type { MetricSource, RegistrySource } from './sources.js';

/**
 * Options of {@link instrumentMetrics}.
 *
 * @example
 * ```ts
 * import { metrics } from '@opentelemetry/api';
 * import { createBreaker } from 'tripswitch';
 * import type { OpenTelemetryOptions } from 'tripswitch/opentelemetry';
 *
 * const options: OpenTelemetryOptions = {
 *   sources: [createBreaker({ name: 'payments' })],
 *   meter: metrics.getMeter('checkout'),
 *   labels: { region: 'eu-west-1' },
 * };
 * ```
 */
export interface OpenTelemetryOptions {
  /** The breakers and registries to report. A registry's breakers are read as they are at each collection. */
  readonly sources: readonly MetricSource[];
  /** The meter the instruments are made on. @default metrics.getMeter('tripswitch') */
  readonly meter?: Meter | undefined;
  /**
   * Adds the histogram `tripswitch.call.duration` (unit `s`, attributes `name`, `outcome`). It
   * makes every call read the breaker's clock twice. @default false
   */
  readonly durations?: boolean | undefined;
  /** Constant attributes added to every point (not `name`, `state`, `outcome`, `from` or `to`). @default none */
  readonly labels?: Readonly<Record<string, string>> | undefined;
}

/** The sources instrumented on each meter: the same source twice on one meter would count twice. */
const instrumented = new WeakMap<Meter, Set<MetricSource>>();

/**
 * Reports the state and counters of breakers and registries through the OpenTelemetry metrics
 * API (`@opentelemetry/api` only: the SDK and exporters are the application's choice).
 * Observable instruments are read in one batch callback at each collection, from `stats()`;
 * transitions are counted from events. Instruments: `tripswitch.state`, `tripswitch.calls`,
 * `tripswitch.rejected_calls`, `tripswitch.timeouts`, `tripswitch.transitions`,
 * `tripswitch.failure_rate`, `tripswitch.slow_call_rate`, `tripswitch.window_calls`,
 * `tripswitch.in_flight_calls`, `tripswitch.retry_after` (unit `s`), and, when a source
 * uses a store, `tripswitch.store.available`, `tripswitch.store.errors`,
 * `tripswitch.store.reports` and, for each breaker counting across the fleet,
 * `tripswitch.fleet.calls`, `.failures`, `.slow_calls` and `.instances`. See docs/metrics.md.
 *
 * Throws a `TypeError` or `RangeError` naming what is wrong: no sources, a value that is
 * neither a breaker nor a registry, a source given twice (also across calls on one meter),
 * two breakers with the same name, or a bad label.
 *
 * @returns A function that removes the callback and every listener it added. (The API cannot
 * delete instruments: after it, they report nothing more.)
 *
 * @example
 * ```ts
 * import { metrics } from '@opentelemetry/api';
 * import { createBreaker } from 'tripswitch';
 * import { instrumentMetrics } from 'tripswitch/opentelemetry';
 *
 * const payments = createBreaker({ name: 'payments' });
 * const stop = instrumentMetrics({ sources: [payments], meter: metrics.getMeter('checkout') });
 * // ... on shutdown:
 * stop();
 * ```
 */
export function instrumentMetrics(options: OpenTelemetryOptions): () => void {
  const o = metricsOptions(options, ['sources', 'meter', 'durations', 'labels']);
  const meter = (o.meter ?? metrics.getMeter('tripswitch')) as Meter;
  for (const method of ['createObservableGauge', 'createHistogram', 'addBatchObservableCallback'] as const) {
    if (typeof meter?.[method] !== 'function')
      throw new TypeError(`meter must be an OpenTelemetry Meter, got ${describe(o.meter)}`);
  }
  const labels = constantLabels(o.labels, (name) => name !== '', 'a non-empty string');
  const durations = durationsOption(o.durations);
  const histogram = durations
    ? meter.createHistogram(DURATION.otel, {
        description: DURATION.help,
        unit: DURATION.unit,
        advice: { explicitBucketBoundaries: DURATION.buckets },
      })
    : undefined;
  const sources = new Sources(
    o.sources,
    histogram === undefined ? undefined : (name, outcome, seconds) => histogram.record(seconds, { ...labels, name, outcome }),
  );

  const list = (o.sources as MetricSource[]).slice();
  const already = instrumented.get(meter) ?? new Set();
  const again = list.findIndex((source) => already.has(source));
  if (again >= 0) {
    sources.stop();
    throw new TypeError(`sources[${again}] is already instrumented on this meter`);
  }
  for (const source of list) already.add(source);
  instrumented.set(meter, already);

  const series = SERIES.filter((s) => s.store !== true || sources.hasStore);
  const instruments: Observable[] = series.map((s) => {
    const options = { description: s.help, unit: s.unit };
    if (s.type === 'counter') return meter.createObservableCounter(s.otel, options);
    if (s.type === 'upDownCounter') return meter.createObservableUpDownCounter(s.otel, options);
    return meter.createObservableGauge(s.otel, options);
  });
  const callback: BatchObservableCallback = (result) => {
    const reading = sources.read();
    series.forEach((s, i) => {
      const instrument = instruments[i] as Observable;
      s.points(reading, (own, value) => result.observe(instrument, value, { ...labels, ...own }));
    });
  };
  meter.addBatchObservableCallback(callback, instruments);

  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    sources.stop();
    meter.removeBatchObservableCallback(callback, instruments);
    for (const source of list) already.delete(source);
  };
}
