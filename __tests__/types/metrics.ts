// Compiled by `tsc --noEmit`, never run: each `@ts-expect-error` must meet a type error.
import { metrics } from '@opentelemetry/api';
import { type OpenMetricsContentType, Registry } from 'prom-client';
import { createBreaker, createRegistry, wrap } from '../../src/index.js';
import { instrumentMetrics } from '../../src/metrics/opentelemetry.js';
import { collectMetrics, type MetricSource } from '../../src/metrics/prometheus.js';

declare function expectType<T>(value: T): void;

const breaker = createBreaker({ name: 'typed' });
const registry = createRegistry();
const guarded = wrap(async (n: number) => n);

// Breakers (also a guarded function's) and registries, in any mix; stop() takes nothing.
expectType<() => void>(collectMetrics({ sources: [breaker, registry, guarded.breaker], register: new Registry() }));
expectType<() => void>(instrumentMetrics({ sources: [registry], meter: metrics.getMeter('m'), durations: true }));
const sources: MetricSource[] = [breaker, registry];
collectMetrics({ sources, prefix: 'app_', labels: { service: 'checkout' } });
// An OpenMetrics registry is a register too.
collectMetrics({ sources, register: new Registry<OpenMetricsContentType>() });

// @ts-expect-error sources is required
collectMetrics({ register: new Registry() });
// @ts-expect-error a function is not a source
collectMetrics({ sources: [guarded] });
// @ts-expect-error labels are strings
collectMetrics({ sources, labels: { shard: 3 } });
// @ts-expect-error durations is a boolean
instrumentMetrics({ sources, durations: 'yes' });
// @ts-expect-error instrumentMetrics has no prefix
instrumentMetrics({ sources, prefix: 'x_' });
