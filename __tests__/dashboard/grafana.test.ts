import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { createBreaker } from '../../src/index.js';
import { collectMetrics } from '../../src/metrics/prometheus.js';
import { SERIES } from '../../src/metrics/series.js';
import { memoryStore } from '../../src/testing/index.js';
import { close, serve } from './helpers.js';
import { startPrometheus } from './prometheus-server.js';

jest.setTimeout(120_000);

const DOCS = join(__dirname, '..', '..', 'docs', 'grafana');
const board = JSON.parse(readFileSync(join(DOCS, 'tripswitch.json'), 'utf8'));
const ALERTS = join(DOCS, 'alerts.yml');
const alerts = [...readFileSync(ALERTS, 'utf8').matchAll(/^\s+expr: (.+)$/gm)].map((m) => m[1]);
const JOB = 'tripswitch-dashboard-test';
/** How every panel names its data source: the `datasource` variable. */
const DATASOURCE = ['$', '{datasource}'].join('');

interface Panel {
  title: string;
  type: string;
  datasource: { uid: string };
  targets: { expr: string; datasource: { uid: string } }[];
}
const panels: Panel[] = board.panels;
const variables: { name: string; type: string; query: string | { query: string } }[] = board.templating.list;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('docs/grafana/tripswitch.json', () => {
  it('is a Grafana 10+ dashboard with a Prometheus data-source variable and job, instance and breaker variables', () => {
    expect(board.schemaVersion).toBeGreaterThanOrEqual(38);
    expect(variables.map((v) => [v.name, v.type])).toEqual(
      expect.arrayContaining([
        ['datasource', 'datasource'],
        ['job', 'query'],
        ['instance', 'query'],
        ['breaker', 'query'],
      ]),
    );
    expect(variables.find((v) => v.name === 'datasource')!.query).toBe('prometheus');
    for (const panel of panels) {
      expect([panel.title, panel.datasource.uid]).toEqual([panel.title, DATASOURCE]);
      for (const target of panel.targets) expect(target.datasource.uid).toBe(DATASOURCE);
    }
    expect(panels.map((p) => p.title)).toEqual([
      'Breakers by state',
      'State timeline',
      'Failure rate against its threshold',
      'Slow-call rate against its threshold',
      'Calls per second by outcome',
      'Rejections per second',
      'Time until a probe',
      'Transitions',
      'Store available',
      'Store errors per second',
      "Fleet's counts, as last learnt",
      'Count reports per second',
    ]);
  });

  it('queries only series that tripswitch/prometheus exports', () => {
    const exported = new Set(SERIES.map((s) => `tripswitch_${s.prom}`));
    const used = [...panels.flatMap((p) => p.targets.map((t) => t.expr)), ...alerts].flatMap(
      (e) => e.match(/tripswitch_\w+/g) ?? [],
    );
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((name) => !exported.has(name))).toEqual([]);
  });

  it('its alert rules pass promtool check rules', () => {
    expect(alerts.length).toBeGreaterThanOrEqual(3);
    expect(() => execFileSync('promtool', ['check', 'rules', ALERTS], { stdio: 'pipe' })).not.toThrow();
  });

  it('pages for a breaker that stays open, not for one left half-open with no traffic (promtool test rules)', () => {
    const cases = join(__dirname, 'fixtures', 'alerts-test.yml');
    let output = '';
    try {
      output = execFileSync('promtool', ['test', 'rules', cases], { encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      const { stdout, stderr } = error as { stdout: string; stderr: string };
      output = `${stdout}${stderr}`;
    }
    expect(output).toMatch(/SUCCESS/);
  });
});

describe('the Grafana queries and the alerts against a real Prometheus', () => {
  it('every panel query, variable query and alert expression parses and returns data', async () => {
    const store = memoryStore();
    const payments = createBreaker({ name: 'payments', store, failureThreshold: 2, resetTimeoutMs: 1500, halfOpenMaxCalls: 1 });
    // Never trips: its failures keep the fleet counting, so its fleet series always have a value.
    const orders = createBreaker({ name: 'orders', store, failureThreshold: 1000 });
    const register = new Registry();
    const stopMetrics = collectMetrics({ sources: [payments, orders], register });
    const { server, url } = await serve(async (req, res) => {
      if (req.url !== '/metrics') return void res.writeHead(404).end();
      res.writeHead(200, { 'Content-Type': register.contentType }).end(await register.metrics());
    });
    const target = new URL(url).host;
    const prometheus = await startPrometheus(JOB, target);
    try {
      let n = 0;
      const call = async (ok: boolean) => {
        await payments.execute(() => (ok ? 'ok' : Promise.reject(new Error('down')))).catch(() => {});
        await orders.execute(() => (++n % 3 === 0 ? Promise.reject(new Error('down')) : 'ok')).catch(() => {});
      };
      const traffic = async (ms: number, ok: boolean) => {
        for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) await call(ok);
      };
      const started = Date.now() / 1000;
      await traffic(3000, true);
      // Trip and recover twice: open (rejecting), half-open after 1.5 s, closed by the probe.
      for (let cycle = 0; cycle < 2; cycle++) {
        await traffic(2500, false);
        while (payments.state !== 'halfOpen') await sleep(100);
        await call(true);
        expect(payments.state).toBe('closed');
        await traffic(1500, true);
      }
      store.setAvailable(false);
      await traffic(3000, true);
      store.setAvailable(true);
      await traffic(2000, true);
      await sleep(2500); // the last samples scraped
      const ended = Date.now() / 1000;

      const api = async (path: string, params: Record<string, string>) => {
        const response = await fetch(`${prometheus.url}/api/v1/${path}?${new URLSearchParams(params)}`);
        const body = (await response.json()) as { status: string; error?: string; data: unknown };
        return { status: body.status, error: body.error, data: body.data };
      };
      const range = async (expr: string) => {
        const { status, error, data } = await api('query_range', {
          query: expr,
          start: `${started}`,
          end: `${ended}`,
          step: '1',
        });
        return { expr, status, error, series: status === 'success' ? (data as { result: unknown[] }).result.length : 0 };
      };
      const values: Record<string, string> = {
        datasource: 'prometheus',
        job: JOB,
        instance: target.replace(/\./g, '\\\\.'),
        breaker: 'payments|orders',
        failure_rate_threshold: '0.5',
        slow_call_rate_threshold: '1',
        __rate_interval: '4s',
      };
      const substitute = (expr: string) => expr.replace(/\$(\w+)/g, (whole, name: string) => values[name] ?? whole);

      const queries = [...panels.flatMap((p) => p.targets.map((t) => substitute(t.expr))), ...alerts];
      const results = await Promise.all(queries.map(range));
      expect(results.filter((r) => r.status !== 'success' || r.series === 0)).toEqual([]);
      expect(results).toHaveLength(panels.flatMap((p) => p.targets).length + alerts.length);

      // The variables' label_values(selector, label) queries, as Grafana runs them.
      for (const variable of variables.filter((v) => v.type === 'query')) {
        const query = (variable.query as { query: string }).query;
        const [, selector, label] = /^label_values\((.+), (\w+)\)$/.exec(query)!;
        const { status, data } = await api(`label/${label}/values`, {
          'match[]': substitute(selector),
          start: `${started}`,
          end: `${ended}`,
        });
        expect({
          query,
          status,
          found: (data as string[]).includes({ job: JOB, instance: target, name: 'payments' }[label]!),
        }).toEqual({
          query,
          status: 'success',
          found: true,
        });
      }
    } finally {
      await prometheus.stop();
      await close(server);
      stopMetrics();
    }
  });
});
