import { createServer } from 'node:http';
import { Registry } from 'prom-client';
import { createBreaker, createRegistry } from 'tripswitch';
import { collectMetrics } from 'tripswitch/prometheus';

const payments = createBreaker({ name: 'payments', failureThreshold: 5 });
const perTenant = createRegistry({ window: { size: 50 }, maxSize: 5_000 });

// Breakers and registries in any mix; a registry's breakers are read as they are at each scrape.
const register = new Registry();
const stop = collectMetrics({
  sources: [payments, perTenant],
  register, // default: prom-client's global registry
  labels: { service: 'checkout' }, // constant labels on every series
});

const server = createServer(async (req, res) => {
  if (req.url !== '/metrics') return void res.writeHead(404).end();
  res.writeHead(200, { 'Content-Type': register.contentType }).end(await register.metrics());
});
server.listen(9464, '127.0.0.1');

// On shutdown: the metrics are unregistered and every listener removed.
process.once('SIGTERM', () => {
  stop();
  server.close();
});
