import { metrics } from '@opentelemetry/api';
import { createBreaker, createRegistry } from 'tripswitch';
import { instrumentMetrics } from 'tripswitch/opentelemetry';

// The application sets up the SDK (MeterProvider, readers, exporters); tripswitch only uses the API.
const payments = createBreaker({ name: 'payments' });
const perTenant = createRegistry();

const stop = instrumentMetrics({
  sources: [payments, perTenant],
  meter: metrics.getMeter('checkout'), // default: metrics.getMeter('tripswitch')
  durations: true, // adds the tripswitch.call.duration histogram (every call then reads the clock)
  labels: { 'deployment.environment': 'production' },
});

process.once('SIGTERM', stop);
