import { Registry } from 'prom-client';
import { createBreaker, createRegistry } from 'tripswitch';
import { collectMetrics } from 'tripswitch/prometheus';

const payments = createBreaker({ name: 'payments' });
const perTenant = createRegistry();
const register = new Registry();
const stop = collectMetrics({ sources: [payments, perTenant], register }); // breakers and registries
console.log(await register.metrics()); // tripswitch_state{name="payments",state="closed"} 1 ...
stop(); // unregisters the metrics and removes its listeners
