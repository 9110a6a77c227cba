import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { type OpenMetricsContentType, Registry } from 'prom-client';
import { createBreaker, createRegistry } from '../../src/index.js';
import { collectMetrics } from '../../src/metrics/prometheus.js';
import { manualClock, memoryStore } from '../../src/testing/index.js';
import { fail, succeed } from '../helpers.js';
import { driveEveryState, type Fleet, promtool, scrape, seriesKey } from './helpers.js';

const STATES = ['closed', 'open', 'halfOpen', 'isolated', 'disabled'];

/** The value of one series, or undefined when absent. */
const at = (series: Map<string, number>, name: string, labels: Record<string, string> = {}): number | undefined =>
  series.get(seriesKey(name, labels));

describe('collectMetrics: every series, scraped from a real prom-client Registry', () => {
  let fleet: Fleet;
  let register: Registry;
  let stop: () => void;
  let text: string;
  let series: Map<string, number>;

  beforeAll(async () => {
    fleet = await driveEveryState();
    register = new Registry();
    const { closed, open, halfOpen, isolated, disabled, registry } = fleet;
    // Transitions made before collecting are not counted: make them again while collected.
    stop = collectMetrics({ sources: [closed, open, halfOpen, isolated, disabled, registry], register });
    for (const breaker of [open, halfOpen]) {
      breaker.close();
      await fail(breaker, 2);
    }
    isolated.close();
    isolated.isolate();
    disabled.close();
    disabled.disable();
    fleet.clock.advance(500);
    ({ text, series } = await scrape(register));
  });

  afterAll(async () => {
    stop();
    await fleet.finish();
  });

  it('passes promtool check metrics', () => {
    expect(promtool(text)).toBe('');
  });

  it('tripswitch_state: 1 for the current state, 0 for the other four', () => {
    for (const name of ['closed', 'open', 'halfOpen', 'isolated', 'disabled', 'rate', 'slow']) {
      const current = ['rate', 'slow'].includes(name) ? 'closed' : name;
      for (const state of STATES) {
        expect([name, state, at(series, 'tripswitch_state', { name, state })]).toEqual([name, state, state === current ? 1 : 0]);
      }
    }
  });

  it('tripswitch_calls_total by outcome, tripswitch_rejected_calls_total, tripswitch_timeouts_total', () => {
    const calls = (name: string, outcome: string) => at(series, 'tripswitch_calls_total', { name, outcome });
    expect([calls('closed', 'success'), calls('closed', 'failure'), calls('closed', 'ignored')]).toEqual([2, 2, 1]);
    expect([calls('open', 'failure'), calls('isolated', 'success'), calls('disabled', 'failure')]).toEqual([4, 1, 3]);
    expect([calls('rate', 'success'), calls('rate', 'failure'), calls('slow', 'success')]).toEqual([1, 1, 1]);
    expect(at(series, 'tripswitch_rejected_calls_total', { name: 'open' })).toBe(1);
    expect(at(series, 'tripswitch_rejected_calls_total', { name: 'isolated' })).toBe(2);
    expect(at(series, 'tripswitch_rejected_calls_total', { name: 'closed' })).toBe(0);
    expect(at(series, 'tripswitch_timeouts_total', { name: 'closed' })).toBe(1);
    expect(at(series, 'tripswitch_timeouts_total', { name: 'open' })).toBe(0);
  });

  it('tripswitch_transitions_total: every state change made while collected, due ones included', () => {
    const t = (name: string, from: string, to: string) => at(series, 'tripswitch_transitions_total', { name, from, to });
    expect(t('open', 'open', 'closed')).toBe(1);
    expect(t('open', 'closed', 'open')).toBe(1);
    // `halfOpen` was open (its period over) when collecting began; closed, reopened, and half-opened at the scrape.
    expect(t('halfOpen', 'open', 'closed')).toBe(1);
    expect(t('halfOpen', 'closed', 'open')).toBe(1);
    expect(t('halfOpen', 'open', 'halfOpen')).toBe(1);
    expect([t('isolated', 'isolated', 'closed'), t('isolated', 'closed', 'isolated')]).toEqual([1, 1]);
    expect([t('disabled', 'disabled', 'closed'), t('disabled', 'closed', 'disabled')]).toEqual([1, 1]);
    const all = [...series].filter(([key]) => key.startsWith('tripswitch_transitions_total'));
    expect(all).toHaveLength(9);
  });

  it('window gauges, in-flight calls and retry-after', () => {
    expect(at(series, 'tripswitch_failure_rate', { name: 'rate' })).toBe(0.5);
    expect(at(series, 'tripswitch_window_calls', { name: 'rate' })).toBe(2);
    expect(at(series, 'tripswitch_slow_call_rate', { name: 'slow' })).toBe(1);
    expect(at(series, 'tripswitch_slow_call_rate', { name: 'rate' })).toBe(0);
    expect(at(series, 'tripswitch_in_flight_calls', { name: 'closed' })).toBe(1);
    expect(at(series, 'tripswitch_in_flight_calls', { name: 'open' })).toBe(0);
    expect(at(series, 'tripswitch_retry_after_seconds', { name: 'closed' })).toBe(0);
    expect(at(series, 'tripswitch_retry_after_seconds', { name: 'open' })).toBe(0.5);
    expect(at(series, 'tripswitch_retry_after_seconds', { name: 'halfOpen' })).toBe(0);
    expect(at(series, 'tripswitch_retry_after_seconds', { name: 'isolated' })).toBe(Number.POSITIVE_INFINITY);
    expect(text).toContain('tripswitch_retry_after_seconds{name="isolated"} +Inf');
  });

  it('every value agrees with stats(), and no store series without a store', () => {
    for (const breaker of [fleet.closed, fleet.open, fleet.isolated, fleet.disabled]) {
      const stats = breaker.stats();
      const name = breaker.name;
      expect(at(series, 'tripswitch_window_calls', { name })).toBe(stats.window.calls);
      expect(at(series, 'tripswitch_failure_rate', { name })).toBe(stats.window.failureRate);
      expect(at(series, 'tripswitch_calls_total', { name, outcome: 'success' })).toBe(stats.totals.successes);
    }
    expect(text).not.toContain('store');
    expect(text).not.toContain('call_duration');
  });
});

describe('collectMetrics: options', () => {
  it('prefix and constant labels go on every series', async () => {
    const register = new Registry();
    const breaker = createBreaker({ name: 'db' });
    const stop = collectMetrics({ sources: [breaker], register, prefix: 'shop_cb_', labels: { service: 'checkout' } });
    const { text, series } = await scrape(register);
    expect(promtool(text)).toBe('');
    expect(series.get(seriesKey('shop_cb_state', { name: 'db', state: 'closed', service: 'checkout' }))).toBe(1);
    expect(text).not.toContain('tripswitch_');
    for (const line of text.split('\n').filter((l) => l !== '' && !l.startsWith('#')))
      expect(line).toContain('service="checkout"');
    stop();
  });

  it('names and label values with quotes, backslashes and newlines are escaped', async () => {
    const register = new Registry();
    const name = 'tenant "a"\\b\nc';
    const stop = collectMetrics({ sources: [createBreaker({ name })], register, labels: { note: 'x"y' } });
    const { text, series } = await scrape(register);
    expect(promtool(text)).toBe('');
    // The parser undoes the escaping: the series carry the values as given.
    expect(series.get(seriesKey('tripswitch_state', { name, note: 'x"y', state: 'closed' }))).toBe(1);
    expect(text).toContain('name="tenant \\"a\\"\\\\b\\nc"');
    stop();
  });

  it('an empty prefix is allowed', async () => {
    const register = new Registry();
    const stop = collectMetrics({ sources: [createBreaker({ name: 'db' })], register, prefix: '' });
    expect((await scrape(register)).series.get('state{name="db",state="closed"}')).toBe(1);
    stop();
  });

  it("uses prom-client's default registry when no register is given", async () => {
    const { register: global } = await import('prom-client');
    const stop = collectMetrics({ sources: [createBreaker({ name: 'global' })] });
    expect(await global.metrics()).toContain('tripswitch_state{name="global",state="closed"} 1');
    stop();
    expect(await global.metrics()).not.toContain('tripswitch_');
  });

  it('durations: a histogram of call durations by outcome, in seconds, that passes promtool', async () => {
    const clock = manualClock();
    const breaker = createBreaker({ name: 'api', clock });
    const registry = createRegistry({ clock, maxSize: 1 });
    const register = new Registry();
    const stop = collectMetrics({ sources: [breaker, registry], register, durations: true, labels: { env: 'test' } });
    const call = (ms: number, ok: boolean, on = breaker) => {
      const done = on.execute(
        () => new Promise((resolve, reject) => clock.setTimeout(() => (ok ? resolve('ok') : reject(new Error('no'))), ms)),
      );
      clock.advance(ms);
      return done.catch(() => undefined);
    };
    await call(20, true);
    await call(300, true);
    await call(2000, false);
    await call(7, true, registry.get('tenant-a'));
    const { text, series } = await scrape(register);
    expect(promtool(text)).toBe('');
    const h = (suffix: string, labels: Record<string, string>) =>
      series.get(seriesKey(`tripswitch_call_duration_seconds_${suffix}`, { env: 'test', ...labels }));
    expect(h('count', { name: 'api', outcome: 'success' })).toBe(2);
    expect(h('sum', { name: 'api', outcome: 'success' })).toBeCloseTo(0.32);
    expect(h('bucket', { name: 'api', outcome: 'success', le: '0.025' })).toBe(1);
    expect(h('bucket', { name: 'api', outcome: 'success', le: '0.5' })).toBe(2);
    expect(h('count', { name: 'api', outcome: 'failure' })).toBe(1);
    expect(h('bucket', { name: 'api', outcome: 'failure', le: '1' })).toBe(0);
    expect(h('bucket', { name: 'api', outcome: 'failure', le: '2.5' })).toBe(1);
    expect(h('count', { name: 'tenant-a', outcome: 'success' })).toBe(1);
    // tenant-a is evicted by tenant-b: its histogram goes with its other series.
    await call(7, true, registry.get('tenant-b'));
    const after = await scrape(register);
    expect(after.text).not.toContain('tenant-a');
    expect(
      after.series.get(
        seriesKey('tripswitch_call_duration_seconds_count', { env: 'test', name: 'tenant-b', outcome: 'success' }),
      ),
    ).toBe(1);
    stop();
    expect(await register.metrics()).toBe('\n');
  });
});

describe('collectMetrics: registries', () => {
  it('reads the breakers a registry holds at each scrape: new ones appear, evicted ones vanish', async () => {
    const registry = createRegistry({ maxSize: 2, failureThreshold: 1 });
    const register = new Registry();
    const stop = collectMetrics({ sources: [registry], register });
    expect((await register.metrics()).includes('name=')).toBe(false);
    await fail(registry.get('a'));
    await succeed(registry.get('b'));
    let { series } = await scrape(register);
    expect(series.get(seriesKey('tripswitch_state', { name: 'a', state: 'open' }))).toBe(1);
    expect(series.get(seriesKey('tripswitch_transitions_total', { name: 'a', from: 'closed', to: 'open' }))).toBe(1);
    expect(series.get(seriesKey('tripswitch_calls_total', { name: 'b', outcome: 'success' }))).toBe(1);
    registry.get('c'); // full: evicts b, the least recently used closed breaker
    ({ series } = await scrape(register));
    expect([...series.keys()].some((key) => key.includes('name="b"'))).toBe(false);
    expect(series.get(seriesKey('tripswitch_state', { name: 'c', state: 'closed' }))).toBe(1);
    registry.delete('a');
    ({ series } = await scrape(register));
    expect([...series.keys()].some((key) => key.includes('name="a"'))).toBe(false);
    stop();
  });

  it('a registry key that becomes the name of another source is read once, from the first source', async () => {
    const single = createBreaker({ name: 'x' });
    const registry = createRegistry();
    const register = new Registry();
    const stop = collectMetrics({ sources: [single, registry], register });
    single.isolate();
    registry.get('x');
    const { text, series } = await scrape(register);
    expect(promtool(text)).toBe('');
    expect(series.get(seriesKey('tripswitch_state', { name: 'x', state: 'isolated' }))).toBe(1);
    stop();
  });

  it('counters never go down while a breaker lives', async () => {
    const clock = manualClock();
    const breaker = createBreaker({ name: 'c', clock, failureThreshold: 1, resetTimeoutMs: 10 });
    const register = new Registry();
    const stop = collectMetrics({ sources: [breaker], register });
    let last = new Map<string, number>();
    for (let round = 0; round < 5; round++) {
      await succeed(breaker, round);
      await fail(breaker, 1);
      clock.advance(10);
      const { series } = await scrape(register);
      for (const [key, value] of series) {
        if (key.includes('_total')) expect([key, value >= (last.get(key) ?? 0)]).toEqual([key, true]);
      }
      last = series;
    }
    expect(last.get(seriesKey('tripswitch_calls_total', { name: 'c', outcome: 'failure' }))).toBe(5);
    stop();
  });
});

describe('collectMetrics: store series', () => {
  it('are exported when a source uses a store: available only if every store is, errors summed', async () => {
    const clock = manualClock();
    const one = memoryStore({ clock });
    const two = memoryStore({ clock });
    const a = createBreaker({ name: 'a', store: one, clock, failureThreshold: 1, resetTimeoutMs: 10 });
    const register = new Registry();
    const stop = collectMetrics({
      sources: [a, createRegistry({ store: two, clock }), createBreaker({ name: 'b', store: one, clock })],
      register,
    });
    let { text, series } = await scrape(register);
    expect(promtool(text)).toBe('');
    expect([series.get('tripswitch_store_available'), series.get('tripswitch_store_errors_total')]).toEqual([1, 0]);
    // An outage of one store: a probe asks it for a lease, which fails.
    one.setAvailable(false);
    await fail(a);
    clock.advance(10);
    await succeed(a);
    ({ series } = await scrape(register));
    expect([series.get('tripswitch_store_available'), series.get('tripswitch_store_errors_total')]).toEqual([0, 1]);
    one.setAvailable(true);
    await one.flush();
    ({ text, series } = await scrape(register));
    expect([series.get('tripswitch_store_available'), series.get('tripswitch_store_errors_total')]).toEqual([1, 1]);
    expect(promtool(text)).toBe('');
    stop();
  });

  it('carry the constant labels', async () => {
    const register = new Registry();
    const stop = collectMetrics({
      sources: [createBreaker({ name: 'a', store: memoryStore() })],
      register,
      labels: { zone: 'z1' },
    });
    expect((await scrape(register)).series.get('tripswitch_store_available{zone="z1"}')).toBe(1);
    stop();
  });

  it('counting across the fleet: the fleet counts each breaker learnt and the reports sent, promtool-clean', async () => {
    const store = memoryStore();
    const a = createBreaker({ name: 'a', store, failureThreshold: 5 });
    const b = createBreaker({ name: 'b', store: memoryStore({ counting: 'local' }), failureThreshold: 5 });
    const register = new Registry();
    const stop = collectMetrics({ sources: [a, b], register });
    let { text, series } = await scrape(register);
    expect(promtool(text)).toBe('');
    expect(series.get('tripswitch_fleet_failures{name="a"}')).toBeUndefined();
    expect(series.get('tripswitch_store_reports_total')).toBe(0);
    await fail(a, 2);
    await fail(b, 2);
    await store.flush();
    ({ text, series } = await scrape(register));
    expect(promtool(text)).toBe('');
    expect(['calls', 'failures', 'slow_calls', 'instances'].map((f) => series.get(`tripswitch_fleet_${f}{name="a"}`))).toEqual([
      2, 2, 0, 1,
    ]);
    expect(series.get('tripswitch_fleet_failures{name="b"}')).toBeUndefined();
    expect(series.get('tripswitch_store_reports_total')).toBe(2);
    stop();
  });

  it('transitions made elsewhere in the fleet (remote) are counted', async () => {
    const store = memoryStore();
    const elsewhere = createBreaker({ name: 'x', store });
    const here = createBreaker({ name: 'x', store });
    const registry = createRegistry({ store });
    registry.get('y');
    const otherY = createBreaker({ name: 'y', store });
    await store.flush();
    const remote: unknown[] = [];
    here.on('stateChange', (event) => remote.push((event as { remote?: true }).remote));
    const register = new Registry();
    const stop = collectMetrics({ sources: [here, registry], register });
    elsewhere.isolate();
    otherY.isolate();
    await store.flush();
    expect(remote).toEqual([true]);
    const { series } = await scrape(register);
    expect(series.get(seriesKey('tripswitch_transitions_total', { name: 'x', from: 'closed', to: 'isolated' }))).toBe(1);
    expect(series.get(seriesKey('tripswitch_transitions_total', { name: 'y', from: 'closed', to: 'isolated' }))).toBe(1);
    expect(series.get(seriesKey('tripswitch_state', { name: 'y', state: 'isolated' }))).toBe(1);
    stop();
  });
});

describe('collectMetrics: stop()', () => {
  it('unregisters every metric and removes every listener', async () => {
    const clock = manualClock();
    const breaker = createBreaker({ name: 'a', clock, failureThreshold: 1 });
    const registry = createRegistry({ clock, failureThreshold: 1 });
    const register = new Registry();
    const stop = collectMetrics({ sources: [breaker, registry], register, durations: true });
    await fail(breaker);
    await fail(registry.get('k'));
    expect((await scrape(register)).series.size).toBeGreaterThan(0);
    stop();
    stop(); // twice is harmless
    expect(await register.metrics()).toBe('\n');
    expect(register.getMetricsAsArray()).toHaveLength(0);
    // Collected again: transitions made after stop() were not counted by the stopped collector.
    breaker.close();
    registry.get('k').close();
    const again = collectMetrics({ sources: [breaker, registry], register });
    const { series } = await scrape(register);
    const transitions = [...series].filter(([key]) => key.startsWith('tripswitch_transitions_total'));
    expect(transitions).toEqual([]);
    again();
  });

  it('leaves alone a metric someone else registered under one of its names meanwhile', async () => {
    const { Gauge } = await import('prom-client');
    const register = new Registry();
    const stop = collectMetrics({ sources: [createBreaker()], register });
    register.removeSingleMetric('tripswitch_state');
    const theirs = new Gauge({ name: 'tripswitch_state', help: 'theirs', registers: [register] });
    stop();
    expect(register.getMetricsAsArray()).toEqual([theirs]);
  });

  it('leaves metrics registered by others alone', async () => {
    const { Counter } = await import('prom-client');
    const register = new Registry();
    const mine = new Counter({ name: 'app_requests_total', help: 'requests', registers: [register] });
    const stop = collectMetrics({ sources: [createBreaker()], register });
    stop();
    expect(register.getSingleMetric('app_requests_total')).toBe(mine);
  });
});

describe('collectMetrics: prom-client registry features', () => {
  it('resetMetrics() leaves the series as stats() has them', async () => {
    const register = new Registry();
    const breaker = createBreaker({ name: 'r' });
    const stop = collectMetrics({ sources: [breaker], register });
    await succeed(breaker, 2);
    register.resetMetrics();
    expect((await scrape(register)).series.get(seriesKey('tripswitch_calls_total', { name: 'r', outcome: 'success' }))).toBe(2);
    stop();
  });

  it('getMetricsAsJSON() lists the same values', async () => {
    const register = new Registry();
    const stop = collectMetrics({ sources: [createBreaker({ name: 'j' })], register });
    const json = await register.getMetricsAsJSON();
    const state = json.find((m) => m.name === 'tripswitch_state');
    expect(state?.type).toBe('gauge');
    expect(state?.values).toContainEqual({ labels: { name: 'j', state: 'closed' }, value: 1 });
    stop();
  });

  it('exposes counters under the names OpenMetrics expects', async () => {
    const register = new Registry<OpenMetricsContentType>();
    register.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    const breaker = createBreaker({ name: 'om' });
    const stop = collectMetrics({ sources: [breaker], register });
    await succeed(breaker);
    const text = await register.metrics();
    expect(text).toContain('# TYPE tripswitch_calls counter');
    expect(text).toContain('tripswitch_calls_total{name="om",outcome="success"} 1');
    stop();
    expect(register.getMetricsAsArray()).toHaveLength(0);
  });
});

describe('docs/metrics.md', () => {
  it('its alert rules pass promtool check rules', () => {
    const rules = join(__dirname, '..', '..', 'docs', 'grafana', 'alerts.yml');
    expect(() => execFileSync('promtool', ['check', 'rules', rules], { encoding: 'utf8', stdio: 'pipe' })).not.toThrow();
  });
});
