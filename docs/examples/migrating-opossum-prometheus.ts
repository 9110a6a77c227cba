import { Registry } from 'prom-client';
import { createBreaker } from 'tripswitch';
import { collectMetrics } from 'tripswitch/prometheus';

// opossum-prometheus: new PrometheusMetrics({ circuits: [c1, c2], registry, metricPrefix: 'app_' })
const c1 = createBreaker({ name: 'inventory' });
const c2 = createBreaker({ name: 'pricing' });
const registry = new Registry();
const stop = collectMetrics({
  sources: [c1, c2],
  register: registry,
  prefix: 'app_', // metricPrefix; tripswitch's default is 'tripswitch_'
  durations: true, // exposePerformanceMetrics, as a histogram in seconds instead of a summary in ms
});

// opossum-prometheus: prometheus.metrics
console.log(await registry.metrics());
// opossum-prometheus: prometheus.clear() cleared the whole registry; stop() removes only what it added.
stop();
