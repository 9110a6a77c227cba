// A registry of many keys exported summed or by its keys that are not closed: fewer series,
// the same figures.
import { Registry } from 'prom-client';
import { dashboard } from '../../src/dashboard/index.js';
import { type Registry as BreakerRegistry, createRegistry } from '../../src/index.js';
import { instrumentMetrics } from '../../src/metrics/opentelemetry.js';
import { collectMetrics, type RegistrySource } from '../../src/metrics/prometheus.js';
import { manualClock } from '../../src/testing/index.js';
import { boom } from '../helpers.js';
import { otelPoints, otelSetup, promtool, scrape, seriesKey } from './helpers.js';

const KEYS = 1000;

/** A registry of `KEYS` tenants. */
const tenants = (): BreakerRegistry => createRegistry({ clock: manualClock(), failureThreshold: 2, maxSize: 10_000 });

/** Each tenant called once; every tenth fails enough to open. */
async function traffic(registry: BreakerRegistry): Promise<void> {
  for (let i = 0; i < KEYS; i++) {
    const breaker = registry.get(`tenant-${i}`);
    await breaker.execute(() => 'ok');
    if (i % 10 === 0) for (let f = 0; f < 2; f++) await breaker.execute(() => Promise.reject(boom)).catch(() => undefined);
  }
}

const seriesCount = (text: string) => text.split('\n').filter((line) => line !== '' && !line.startsWith('#')).length;

describe('a registry of 1,000 keys, durations on', () => {
  /** Collection starts, then the traffic runs: transitions and durations are counted from then. */
  const exposition = async (source: (registry: BreakerRegistry) => BreakerRegistry | RegistrySource) => {
    const registry = tenants();
    const register = new Registry();
    const stop = collectMetrics({ sources: [source(registry)], register, durations: true });
    try {
      await traffic(registry);
      return await scrape(register);
    } finally {
      stop();
    }
  };

  it('every key: one set of series per key', async () => {
    const { text } = await exposition((registry) => registry);
    expect(seriesCount(text)).toBeGreaterThan(25 * KEYS);
  });

  it('summed: one set of series whose figures are the keys’ sums', async () => {
    const { text, series } = await exposition((registry) => ({ registry, keys: 'summed', name: 'tenants' }));
    expect(promtool(text)).toBe('');
    expect(seriesCount(text)).toBeLessThan(60);
    const at = (name: string, labels: Record<string, string> = {}) => series.get(seriesKey(name, { name: 'tenants', ...labels }));
    expect(at('tripswitch_state', { state: 'open' })).toBe(KEYS / 10);
    expect(at('tripswitch_state', { state: 'closed' })).toBe(KEYS - KEYS / 10);
    expect(at('tripswitch_calls_total', { outcome: 'success' })).toBe(KEYS);
    expect(at('tripswitch_calls_total', { outcome: 'failure' })).toBe((KEYS / 10) * 2);
    expect(at('tripswitch_transitions_total', { from: 'closed', to: 'open' })).toBe(KEYS / 10);
    // No key turned a call away yet, and some key lets calls through now.
    expect(at('tripswitch_rejected_calls_total')).toBe(0);
    expect(at('tripswitch_retry_after_seconds')).toBe(0);
  });

  it('not closed: only the keys that are not closed, each under its name', async () => {
    const { text, series } = await exposition((registry) => ({ registry, keys: 'notClosed' }));
    expect(promtool(text)).toBe('');
    const names = new Set([...series.keys()].map((key) => /name="([^"]+)"/.exec(key)?.[1]).filter(Boolean));
    expect(names.size).toBe(KEYS / 10);
    expect(names.has('tenant-0')).toBe(true);
    expect(names.has('tenant-1')).toBe(false);
    expect(series.get(seriesKey('tripswitch_state', { name: 'tenant-10', state: 'open' }))).toBe(1);
  });

  it('OpenTelemetry reports the same sums', async () => {
    const { meter, collect } = otelSetup();
    const registry = tenants();
    const stop = instrumentMetrics({ sources: [{ registry, keys: 'summed', name: 'tenants' }], meter });
    try {
      await traffic(registry);
      const points = otelPoints(await collect());
      expect(points.get(seriesKey('tripswitch.calls', { name: 'tenants', outcome: 'failure' }))).toBe((KEYS / 10) * 2);
      expect(points.get(seriesKey('tripswitch.state', { name: 'tenants', state: 'open' }))).toBe(KEYS / 10);
    } finally {
      stop();
    }
  });
});

describe('registry sources that are wrong', () => {
  const registry = createRegistry();
  it.each([
    [{ registry: {}, keys: 'summed', name: 'x' }, 'sources[0].registry must be a registry, got an object'],
    [{ registry, keys: 'all' }, "sources[0].keys must be 'summed' or 'notClosed', got \"all\""],
    [{ registry, keys: 'summed' }, "sources[0].name must be a non-empty string with keys: 'summed', got undefined"],
    [{ registry, keys: 'notClosed', name: 'x' }, "sources[0].name is only for keys: 'summed'"],
    [{ registry, keys: 'summed', name: 'x', prefix: 'y' }, 'sources[0]: unknown option "prefix"'],
  ])('%p is refused', (source, message) => {
    expect(() => collectMetrics({ sources: [source as never], register: new Registry() })).toThrow(message);
  });
  it('a registry and its summed view are one source given twice', () => {
    expect(() =>
      collectMetrics({ sources: [registry, { registry, keys: 'summed', name: 'all' }], register: new Registry() }),
    ).toThrow('sources[1] is already collected: it is sources[0]');
  });
});

describe('the dashboard with registry sources', () => {
  it('shows a summed registry as one row', async () => {
    const registry = tenants();
    await traffic(registry);
    const board = dashboard({ sources: [{ registry, keys: 'summed', name: 'tenants' }], controls: true });
    const json = (await (await board.fetch(new Request('http://127.0.0.1/breakers.json'))).json()) as {
      breakers: { name: string; state: string; totals: { failures: number } }[];
    };
    expect(json.breakers).toHaveLength(1);
    expect(json.breakers[0]).toMatchObject({ name: 'tenants', state: 'open', totals: { failures: (KEYS / 10) * 2 } });
  });
});
