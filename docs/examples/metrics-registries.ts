import { Registry } from 'prom-client';
import { createRegistry } from 'tripswitch';
import { collectMetrics } from 'tripswitch/prometheus';

const perTenant = createRegistry({ maxSize: 10_000 });
const perOrigin = createRegistry();
const register = new Registry();
// One set of series for all tenants, and the origins that are not closed, each by name.
const stop = collectMetrics({
  sources: [
    { registry: perTenant, keys: 'summed', name: 'tenants' },
    { registry: perOrigin, keys: 'notClosed' },
  ],
  register,
  durations: true,
});
console.log(await register.metrics());
stop();
