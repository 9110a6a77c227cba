import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { type Breaker, createBreaker } from '../../src/index.js';
import { collectMetrics } from '../../src/metrics/prometheus.js';
import { manualClock, memoryStore } from '../../src/testing/index.js';
import { close, serve } from './helpers.js';
import { startPrometheus } from './prometheus-server.js';

jest.setTimeout(120_000);

const board = JSON.parse(readFileSync(join(__dirname, '..', '..', 'docs', 'grafana', 'tripswitch.json'), 'utf8'));
const JOB = 'tripswitch-instances-test';
const expr = (title: string) =>
  (board.panels as { title: string; targets: { expr: string }[] }[]).find((p) => p.title === title)!.targets[0]!.expr;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One "process": its own prom-client registry served on its own port, as a scrape target. */
async function instance(breakers: Breaker[]) {
  const register = new Registry();
  const stop = collectMetrics({ sources: breakers, register });
  const { server, url } = await serve(async (req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': register.contentType }).end(await register.metrics());
  });
  return {
    target: new URL(url).host,
    stop: async () => {
      stop();
      await close(server);
    },
  };
}

/** A breaker in half-open: opened by hand, its open period passed on its own manual clock. */
function halfOpen(name: string): Breaker {
  const clock = manualClock();
  const breaker = createBreaker({ name, clock, resetTimeoutMs: 1000 });
  breaker.open();
  clock.advance(1000);
  return breaker;
}

describe('the Grafana panels over several instances of one service (a real Prometheus)', () => {
  it('count a fleet-shared breaker once, and show the worst state of a name, never a sum of states', async () => {
    const store = memoryStore();
    // "payments" is shared by the fleet and open on all three instances.
    const payments = [1, 2, 3].map(() => createBreaker({ name: 'payments', store }));
    payments[0]!.open(600_000);
    for (const end = Date.now() + 5000; payments.some((b) => b.state !== 'open') && Date.now() < end; ) await sleep(10);
    expect(payments.map((b) => b.state)).toEqual(['open', 'open', 'open']);
    // "orders" is open on the first instance and half-open on the second; "search" half-open and isolated.
    const orders = [createBreaker({ name: 'orders' }), halfOpen('orders')];
    orders[0]!.open(600_000);
    const search = [halfOpen('search'), createBreaker({ name: 'search' })];
    search[1]!.isolate();
    const instances = await Promise.all([
      instance([payments[0]!, orders[0]!, search[0]!]),
      instance([payments[1]!, orders[1]!, search[1]!]),
      instance([payments[2]!]),
    ]);
    const prometheus = await startPrometheus(
      JOB,
      instances.map((i) => i.target),
    );
    try {
      const substitute = (e: string) =>
        e
          .replace(/\$job/g, JOB)
          .replace(/\$instance/g, '.*')
          .replace(/\$breaker/g, '.*');
      const query = async (e: string) => {
        const response = await fetch(`${prometheus.url}/api/v1/query?${new URLSearchParams({ query: substitute(e) })}`);
        const body = (await response.json()) as {
          status: string;
          data: { result: { metric: Record<string, string>; value: [number, string] }[] };
        };
        expect(body.status).toBe('success');
        return body.data.result;
      };
      // Wait until every instance has been scraped.
      const end = Date.now() + 30_000;
      while ((await query('count(up{job="$job"} == 1)'))[0]?.value[1] !== '3') {
        if (Date.now() > end) throw new Error('Prometheus did not scrape the three instances within 30 s');
        await sleep(250);
      }

      const byState = Object.fromEntries(
        (await query(expr('Breakers by state'))).map((r) => [r.metric.state, Number(r.value[1])]),
      );
      // Three names: payments open (on three instances, counted once), orders open and half-open, search half-open and isolated.
      expect(byState).toEqual({ closed: 0, open: 2, halfOpen: 2, isolated: 1, disabled: 0 });

      const timeline = Object.fromEntries((await query(expr('State timeline'))).map((r) => [r.metric.name, Number(r.value[1])]));
      // The panel's value mappings: 0 closed, 1 half-open, 2 open, 3 isolated, 4 disabled.
      expect(timeline).toEqual({ payments: 2, orders: 2, search: 3 });
    } finally {
      await prometheus.stop();
      await Promise.all(instances.map((i) => i.stop()));
    }
  });
});
