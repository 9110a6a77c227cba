import { register as defaultRegister, type Metric, type Registry as PromRegistry, type RegistryContentType } from 'prom-client';
import { describe } from '../describe.js';
import { DurationHistogram, type PromValue } from './histogram.js';
import { DURATION, SERIES } from './series.js';
import { constantLabels, durationsOption, type MetricSource, metricsOptions, Sources } from './sources.js';

export type { MetricSource, RegistrySource } from './sources.js';

/**
 * Options of {@link collectMetrics}.
 *
 * @example
 * ```ts
 * import { Registry } from 'prom-client';
 * import { createBreaker } from 'tripswitch';
 * import type { PrometheusOptions } from 'tripswitch/prometheus';
 *
 * const options: PrometheusOptions = {
 *   sources: [createBreaker({ name: 'payments' })],
 *   register: new Registry(),
 *   labels: { service: 'checkout' },
 * };
 * ```
 */
export interface PrometheusOptions {
  /** The breakers and registries to export. A registry's breakers are read as they are at each scrape. */
  readonly sources: readonly MetricSource[];
  /** The prom-client registry the metrics are registered on. @default prom-client's default registry */
  readonly register?: PromRegistry<RegistryContentType> | undefined;
  /** Put before every metric name; it must keep the names valid Prometheus names. @default 'tripswitch_' */
  readonly prefix?: string | undefined;
  /**
   * Adds the histogram `<prefix>call_duration_seconds{name,outcome}` of call durations. It makes
   * every call read the breaker's clock twice. @default false
   */
  readonly durations?: boolean | undefined;
  /** Constant labels added to every series (not `name`, `state`, `outcome`, `from`, `to` or `le`). @default none */
  readonly labels?: Readonly<Record<string, string>> | undefined;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const isLabelName = (name: string): boolean => LABEL_NAME.test(name) && !name.startsWith('__') && name !== 'le';

/**
 * Exports the state and counters of breakers and registries as Prometheus metrics, through
 * prom-client. Values are read from `stats()` when the registry is scraped; the only work
 * done per event is counting transitions (and, with `durations`, timing calls), so a call
 * pays nothing for being measured. Series (with the default prefix): `tripswitch_state`,
 * `tripswitch_calls_total`, `tripswitch_rejected_calls_total`, `tripswitch_timeouts_total`,
 * `tripswitch_transitions_total`, `tripswitch_failure_rate`, `tripswitch_slow_call_rate`,
 * `tripswitch_window_calls`, `tripswitch_in_flight_calls`, `tripswitch_retry_after_seconds`,
 * and, when a source uses a store, `tripswitch_store_available`,
 * `tripswitch_store_errors_total`, `tripswitch_store_reports_total` and, for each breaker
 * counting across the fleet, `tripswitch_fleet_calls`, `tripswitch_fleet_failures`,
 * `tripswitch_fleet_slow_calls` and `tripswitch_fleet_instances`. See docs/metrics.md.
 *
 * Throws a `TypeError` or `RangeError` naming what is wrong: no sources, a value that is
 * neither a breaker nor a registry, a source given twice, two breakers with the same name, a
 * bad prefix or label; and an `Error` when `register` already has a metric of one of its names.
 *
 * @returns A function that unregisters every metric and removes every listener it added.
 *
 * @example
 * ```ts
 * import { Registry } from 'prom-client';
 * import { createBreaker, createRegistry } from 'tripswitch';
 * import { collectMetrics } from 'tripswitch/prometheus';
 *
 * const payments = createBreaker({ name: 'payments' });
 * const perTenant = createRegistry();
 * const register = new Registry();
 * const stop = collectMetrics({ sources: [payments, perTenant], register });
 * console.log(await register.metrics()); // tripswitch_state{name="payments",state="closed"} 1 ...
 * stop();
 * ```
 */
export function collectMetrics(options: PrometheusOptions): () => void {
  const o = metricsOptions(options, ['sources', 'register', 'prefix', 'durations', 'labels']);
  const register = (o.register ?? defaultRegister) as PromRegistry<RegistryContentType>;
  for (const method of ['registerMetric', 'removeSingleMetric', 'getSingleMetric'] as const) {
    if (typeof register?.[method] !== 'function') {
      throw new TypeError(`register must be a prom-client Registry, got ${describe(o.register)}`);
    }
  }
  const prefix = o.prefix ?? 'tripswitch_';
  if (typeof prefix !== 'string') throw new TypeError(`prefix must be a string, got ${describe(prefix)}`);
  if (prefix !== '' && !METRIC_NAME.test(prefix)) {
    throw new RangeError(
      `prefix must start a valid metric name (letters, digits, _ and :, not starting with a digit), got ${describe(prefix)}`,
    );
  }
  const labels = constantLabels(o.labels, isLabelName, 'letters, digits and _, not starting with a digit or __, and not le');
  const durations = durationsOption(o.durations);

  const histogram = durations ? new DurationHistogram(DURATION.buckets) : undefined;
  const sources = new Sources(
    o.sources,
    histogram === undefined ? undefined : (name, outcome, seconds) => histogram.observe(name, outcome, seconds),
  );
  const series = SERIES.filter((s) => s.store !== true || sources.hasStore);
  const names = series.map((s) => prefix + s.prom);
  if (durations) names.push(prefix + DURATION.prom);
  const taken = names.find((name) => register.getSingleMetric(name) !== undefined);
  if (taken !== undefined) {
    sources.stop();
    throw new Error(
      `register already has a metric named ${taken}: collect every source in one collectMetrics call, or give another prefix`,
    );
  }

  // Plain objects in the shape of a prom-client metric: each scrape builds its points from one
  // reading of the sources, without prom-client's per-point label checks and hashing.
  const metric = (name: string, help: string, type: string, points: () => PromValue[]) => {
    const m = {
      name,
      help,
      type,
      aggregator: 'sum',
      labelNames: [] as string[],
      // A registry in OpenMetrics mode renames counters (drops `_total`): report the current name.
      get: () => ({ name: m.name, help, type, aggregator: 'sum', values: points() }),
      reset() {},
    };
    register.registerMetric(m as unknown as Metric);
    return m;
  };
  const own = (extra: Record<string, string>) => (Object.keys(labels).length === 0 ? extra : { ...labels, ...extra });
  const added = series.map((s) =>
    metric(prefix + s.prom, s.help, s.type === 'counter' ? 'counter' : 'gauge', () => {
      const values: PromValue[] = [];
      s.points(sources.read(), (extra, value) => values.push({ labels: own(extra), value }));
      return values;
    }),
  );
  if (histogram !== undefined) {
    const name = prefix + DURATION.prom;
    added.push(
      metric(name, DURATION.help, 'histogram', () => {
        // Breakers no longer collected (evicted from their registry) take their series with them.
        const present = new Set(sources.read().breakers.map((b) => b.name));
        return histogram.values(name, present, labels);
      }),
    );
  }

  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    sources.stop();
    names.forEach((name, i) => {
      if ((register.getSingleMetric(name) as unknown) === added[i]) register.removeSingleMetric(name);
    });
  };
}
