import { metrics } from '@opentelemetry/api';
import { AggregationTemporality } from '@opentelemetry/sdk-metrics';
import { Registry } from 'prom-client';
import { createBreaker, createRegistry } from '../../src/index.js';
import { instrumentMetrics } from '../../src/metrics/opentelemetry.js';
import { collectMetrics } from '../../src/metrics/prometheus.js';
import { DURATION, SERIES } from '../../src/metrics/series.js';
import { manualClock, memoryStore } from '../../src/testing/index.js';
import { fail, succeed } from '../helpers.js';
import { driveEveryState, otelPoints, otelSetup, parseExposition, seriesKey } from './helpers.js';

/** Prometheus series renamed to their OpenTelemetry instruments (histograms as `_count` and `_sum`). */
function promAsOtel(series: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, value] of series) {
    const [, name, labels = ''] = /^([^{]+)(\{.*\})?$/.exec(key) as unknown as [string, string, string | undefined];
    const bare = name.replace(/^tripswitch_/, '');
    const s = SERIES.find((x) => x.prom === bare);
    if (s !== undefined) out.set(s.otel + labels, value);
    else if (bare === `${DURATION.prom}_count` || bare === `${DURATION.prom}_sum`) {
      out.set(`${DURATION.otel}${bare.slice(DURATION.prom.length)}${labels}`, value);
    }
  }
  return out;
}

describe('instrumentMetrics: the same figures as Prometheus for the same calls', () => {
  it('every series, every state', async () => {
    const fleet = await driveEveryState();
    const { closed, open, halfOpen, isolated, disabled, registry, clock } = fleet;
    const sources = [closed, open, halfOpen, isolated, disabled, registry];
    const register = new Registry();
    const otel = otelSetup();
    const stopProm = collectMetrics({ sources, register, durations: true });
    const stopOtel = instrumentMetrics({ sources, meter: otel.meter, durations: true });
    for (const breaker of [open, halfOpen]) {
      breaker.close();
      await fail(breaker, 2);
    }
    await succeed(closed, 3);
    isolated.close();
    isolated.isolate();
    clock.advance(500);
    // Reading applies the due transition: once, before both collect, so both see the same.
    expect(halfOpen.state).toBe('halfOpen');
    const prom = promAsOtel(parseExposition(await register.metrics()));
    const points = otelPoints(await otel.collect());
    expect(points.size).toBeGreaterThan(60);
    expect(Object.fromEntries(points)).toEqual(Object.fromEntries(prom));
    expect(points.get(seriesKey('tripswitch.retry_after', { name: 'isolated' }))).toBe(Number.POSITIVE_INFINITY);
    expect(points.get(seriesKey('tripswitch.state', { name: 'halfOpen', state: 'halfOpen' }))).toBe(1);
    expect(points.get(seriesKey('tripswitch.call.duration_count', { name: 'closed', outcome: 'success' }))).toBe(3);
    stopProm();
    stopOtel();
    await fleet.finish();
    await otel.provider.shutdown();
  });

  it('instruments carry their kind, unit and description', async () => {
    const otel = otelSetup();
    const store = memoryStore({ counting: 'fleet' });
    const breaker = createBreaker({ name: 'b', store, failureThreshold: 2 });
    const tripped = createBreaker({ name: 'c', store, failureThreshold: 1 });
    const stop = instrumentMetrics({ sources: [breaker, tripped], meter: otel.meter, durations: true });
    await succeed(breaker);
    await fail(breaker);
    await fail(tripped);
    await store.flush();
    const collected = await otel.collect();
    const descriptors = new Map(collected.scopeMetrics.flatMap((s) => s.metrics).map((m) => [m.descriptor.name, m]));
    expect([...descriptors.keys()].sort()).toEqual([...SERIES.map((s) => s.otel), DURATION.otel].sort());
    expect(descriptors.get('tripswitch.retry_after')?.descriptor.unit).toBe('s');
    expect(descriptors.get('tripswitch.call.duration')?.descriptor.unit).toBe('s');
    expect(descriptors.get('tripswitch.calls')?.descriptor.description).toMatch(/Calls let through/);
    // Kinds: counters are monotonic sums, in-flight calls a non-monotonic sum, the rest gauges.
    const kind = (name: string) => {
      const m = descriptors.get(name) as unknown as { dataPointType: number; isMonotonic?: boolean };
      return [m.dataPointType, m.isMonotonic];
    };
    expect(kind('tripswitch.calls')).toEqual([3, true]);
    expect(kind('tripswitch.in_flight_calls')).toEqual([3, false]);
    expect(kind('tripswitch.state')[0]).toBe(2);
    expect(kind('tripswitch.call.duration')[0]).toBe(0);
    stop();
    await otel.provider.shutdown();
  });

  it('store instruments: available only if every store is, errors summed', async () => {
    const clock = manualClock();
    const otel = otelSetup();
    const one = memoryStore({ clock });
    const two = memoryStore({ clock });
    const a = createBreaker({ name: 'a', store: one, clock, failureThreshold: 1, resetTimeoutMs: 10 });
    const register = new Registry();
    const sources = [a, createRegistry({ store: two, clock })];
    const stopProm = collectMetrics({ sources, register, labels: { region: 'eu' } });
    const stop = instrumentMetrics({ sources, meter: otel.meter, labels: { region: 'eu' } });
    two.setAvailable(false);
    await fail(a);
    clock.advance(10);
    two.setAvailable(true);
    one.setAvailable(false);
    await succeed(a); // a probe whose lease fails
    const prom = promAsOtel(parseExposition(await register.metrics()));
    const points = otelPoints(await otel.collect());
    expect(points.get('tripswitch.store.available{region="eu"}')).toBe(0);
    expect(points.get('tripswitch.store.errors{region="eu"}')).toBe(1);
    expect(Object.fromEntries(points)).toEqual(Object.fromEntries(prom));
    stop();
    stopProm();
    await otel.provider.shutdown();
  });

  it('registries: new breakers appear, evicted ones vanish (delta temporality: a cumulative SDK reader keeps reporting series it saw)', async () => {
    const otel = otelSetup(AggregationTemporality.DELTA);
    const registry = createRegistry({ maxSize: 1, failureThreshold: 1 });
    const stop = instrumentMetrics({ sources: [registry], meter: otel.meter });
    await fail(registry.get('a'));
    let points = otelPoints(await otel.collect());
    expect(points.get(seriesKey('tripswitch.transitions', { name: 'a', from: 'closed', to: 'open' }))).toBe(1);
    registry.delete('a');
    registry.get('b');
    points = otelPoints(await otel.collect());
    expect(points.get(seriesKey('tripswitch.state', { name: 'b', state: 'closed' }))).toBe(1);
    expect([...points.keys()].filter((key) => key.includes('name="a"'))).toEqual([]);
    stop();
    await otel.provider.shutdown();
  });

  it("uses the global meter provider's 'tripswitch' meter by default", async () => {
    const otel = otelSetup();
    metrics.setGlobalMeterProvider(otel.provider);
    try {
      const stop = instrumentMetrics({ sources: [createBreaker({ name: 'global' })] });
      const collected = await otel.collect();
      expect(collected.scopeMetrics.map((s) => s.scope.name)).toContain('tripswitch');
      expect(otelPoints(collected).get(seriesKey('tripswitch.state', { name: 'global', state: 'closed' }))).toBe(1);
      stop();
    } finally {
      metrics.disable();
      await otel.provider.shutdown();
    }
  });

  it('stop() removes the callback and every listener: nothing changes afterwards', async () => {
    const clock = manualClock();
    const otel = otelSetup();
    const breaker = createBreaker({ name: 's', clock, failureThreshold: 1 });
    const stop = instrumentMetrics({ sources: [breaker], meter: otel.meter, durations: true });
    await fail(breaker);
    const before = otelPoints(await otel.collect());
    expect(before.get(seriesKey('tripswitch.transitions', { name: 's', from: 'closed', to: 'open' }))).toBe(1);
    stop();
    stop();
    breaker.close();
    await fail(breaker);
    const after = otelPoints(await otel.collect());
    // No point moved: neither the observed ones nor the transition or duration counts.
    for (const [key, value] of after) expect([key, value]).toEqual([key, before.get(key)]);
    // The same source may be instrumented again on this meter once stopped.
    const again = instrumentMetrics({ sources: [breaker], meter: otel.meter });
    again();
    await otel.provider.shutdown();
  });
});
