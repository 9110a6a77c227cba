// Serves the demo's breakers as Prometheus metrics on 127.0.0.1 while the demo runs, when
// prom-client is installed (tripswitch/prometheus needs it). Resolves to undefined otherwise.
import { createServer } from 'node:http';

export async function serveMetrics(sources) {
  let Registry;
  try {
    ({ Registry } = await import('prom-client'));
  } catch {
    return undefined;
  }
  const { collectMetrics } = await import('../dist/metrics/prometheus.js');
  const register = new Registry();
  const stop = collectMetrics({ sources, register });
  const server = createServer(async (req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': register.contentType }).end(await register.metrics());
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/metrics`,
    close: () => {
      stop();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}
