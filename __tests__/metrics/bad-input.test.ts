import { metrics } from '@opentelemetry/api';
import { Registry } from 'prom-client';
import { createBreaker, createRegistry } from '../../src/index.js';
import { instrumentMetrics } from '../../src/metrics/opentelemetry.js';
import { collectMetrics } from '../../src/metrics/prometheus.js';
import { otelSetup } from './helpers.js';

type Collect = (options: Record<string, unknown>) => () => void;
const prom: Collect = (options) => collectMetrics({ register: new Registry(), ...options } as never);
const otel: Collect = (options) => instrumentMetrics({ meter: metrics.getMeter('bad-input'), ...options } as never);

describe.each([
  ['collectMetrics', prom],
  ['instrumentMetrics', otel],
])('%s: bad input is a clear error', (_, collect) => {
  const breaker = () => createBreaker({ name: 'a' });

  it('options that are not an object, or hold an unknown key', () => {
    expect(() => (collect as (o: unknown) => unknown)(undefined)).toThrow(/sources must be an array/);
    expect(() => collectMetrics(null as never)).toThrow(new TypeError('options must be an object, got null'));
    expect(() => collectMetrics(undefined as never)).toThrow(/sources must be an array/);
    expect(() => instrumentMetrics([] as never)).toThrow(new TypeError('options must be an object, got an array'));
    expect(() => collect({ sources: [breaker()], durationz: true })).toThrow(new TypeError('unknown option "durationz"'));
  });

  it('sources missing, not an array, or empty', () => {
    expect(() => collect({})).toThrow(new TypeError('sources must be an array of breakers and registries, got undefined'));
    expect(() => collect({ sources: breaker() })).toThrow(/sources must be an array of breakers and registries, got an object/);
    expect(() => collect({ sources: [] })).toThrow(RangeError);
    expect(() => collect({ sources: [] })).toThrow(/at least one breaker or registry/);
  });

  it('a value that is neither a breaker nor a registry', () => {
    expect(() => collect({ sources: [breaker(), 'payments'] })).toThrow(
      new TypeError('sources[1] must be a breaker or a registry, got "payments"'),
    );
    expect(() => collect({ sources: [{ name: 'fake', on() {} }] })).toThrow(
      /sources\[0\] must be a breaker or a registry, got an object/,
    );
    expect(() => collect({ sources: [new Map()] })).toThrow(/sources\[0\] must be a breaker or a registry/);
    expect(() => collect({ sources: [null] })).toThrow(/got null/);
  });

  it('a source given twice', () => {
    const registry = createRegistry();
    expect(() => collect({ sources: [registry, breaker(), registry] })).toThrow(
      new TypeError('sources[2] is already collected: it is sources[0]'),
    );
  });

  it('two breakers with the same name, also across a registry and a breaker', () => {
    expect(() => collect({ sources: [breaker(), breaker()] })).toThrow(
      new TypeError('two breakers are named "a": sources[0] and sources[1]'),
    );
    const registry = createRegistry();
    registry.get('a');
    expect(() => collect({ sources: [breaker(), registry] })).toThrow(
      new TypeError('two breakers are named "a": sources[0] and sources[1] (key "a")'),
    );
  });

  it('bad durations', () => {
    expect(() => collect({ sources: [breaker()], durations: 'yes' })).toThrow(
      new TypeError('durations must be a boolean, got "yes"'),
    );
  });

  it('bad labels: not an object, reserved names, values that are not strings', () => {
    expect(() => collect({ sources: [breaker()], labels: 'x' })).toThrow(
      new TypeError('labels must be an object of strings, got "x"'),
    );
    expect(() => collect({ sources: [breaker()], labels: ['x'] })).toThrow(TypeError);
    for (const reserved of ['name', 'state', 'outcome', 'from', 'to']) {
      expect(() => collect({ sources: [breaker()], labels: { [reserved]: 'x' } })).toThrow(
        new RangeError(`labels: "${reserved}" is reserved (the series use name, state, outcome, from, to)`),
      );
    }
    expect(() => collect({ sources: [breaker()], labels: { env: 1 } })).toThrow(
      new TypeError('labels.env must be a string, got 1'),
    );
    expect(() => collect({ sources: [breaker()], labels: { '': 'x' } })).toThrow(/"" is not a valid label name/);
  });

  it('a failed call adds no listener: the breaker stays unobserved', () => {
    const a = breaker();
    expect(() => collect({ sources: [a, 'nope'] })).toThrow(TypeError);
    const stop = collect({ sources: [a] }); // not "already collected"
    stop();
  });
});

describe('collectMetrics: Prometheus rules', () => {
  const sources = [createBreaker({ name: 'a' })];

  it('a prefix must keep metric names valid', () => {
    for (const prefix of ['1x_', 'my-app_', 'a b', 'ünïcode_']) {
      expect(() => prom({ sources, prefix })).toThrow(RangeError);
      expect(() => prom({ sources, prefix })).toThrow(`prefix must start a valid metric name`);
    }
    expect(() => prom({ sources, prefix: 3 })).toThrow(new TypeError('prefix must be a string, got 3'));
    expect(() => prom({ sources, prefix: 'ns:sub_' })()).not.toThrow();
  });

  it('label names must follow the Prometheus rules', () => {
    for (const name of ['1abc', 'has-dash', '__reserved', 'le', 'dotted.name']) {
      expect(() => prom({ sources, labels: { [name]: 'x' } })).toThrow(RangeError);
      expect(() => prom({ sources, labels: { [name]: 'x' } })).toThrow(
        `labels: ${JSON.stringify(name)} is not a valid label name`,
      );
    }
  });

  it('register must be a prom-client registry', () => {
    expect(() => collectMetrics({ sources, register: {} as never })).toThrow(
      new TypeError('register must be a prom-client Registry, got an object'),
    );
  });

  it('a metric name already registered (collectMetrics twice on one register) is an error, and adds nothing', () => {
    const register = new Registry();
    const stop = collectMetrics({ sources, register });
    const count = register.getMetricsAsArray().length;
    expect(() => collectMetrics({ sources: [createBreaker({ name: 'b' })], register })).toThrow(
      'register already has a metric named tripswitch_state: collect every source in one collectMetrics call, or give another prefix',
    );
    expect(register.getMetricsAsArray()).toHaveLength(count);
    stop();
  });
});

describe('instrumentMetrics: OpenTelemetry rules', () => {
  it('attribute names may hold dots', () => {
    const stop = otel({ sources: [createBreaker({ name: 'a' })], labels: { 'service.name': 'checkout' } });
    stop();
  });

  it('meter must be an OpenTelemetry meter', () => {
    expect(() => instrumentMetrics({ sources: [createBreaker()], meter: {} as never })).toThrow(
      new TypeError('meter must be an OpenTelemetry Meter, got an object'),
    );
  });

  it('a source already instrumented on the same meter is an error', async () => {
    const { meter, provider } = otelSetup();
    const a = createBreaker({ name: 'a' });
    const stop = instrumentMetrics({ sources: [a], meter });
    expect(() => instrumentMetrics({ sources: [createBreaker({ name: 'b' }), a], meter })).toThrow(
      new TypeError('sources[1] is already instrumented on this meter'),
    );
    // On another meter it is fine.
    instrumentMetrics({ sources: [a], meter: provider.getMeter('other') })();
    stop();
    await provider.shutdown();
  });
});
