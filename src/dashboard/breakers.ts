import type { MetricSource } from '../metrics/sources.js';
import type { Registry } from '../registry.js';
import type { Breaker } from '../types.js';

const isRegistry = (source: MetricSource): source is Registry => typeof (source as Registry).get === 'function';

/** @internal A source as a breaker or a registry: a registry exported summed or by its keys not closed is shown key by key. */
export const unwrap = (source: MetricSource): Breaker | Registry => ('registry' in source ? source.registry : source);

/**
 * @internal Finds the breaker shown under `name`: a breaker of that name, or a registry's key.
 * A registry is asked with `has` first, so a name that is not there is not created.
 */
export function findBreaker(sources: readonly MetricSource[], name: string): Breaker | undefined {
  for (const source of sources.map(unwrap)) {
    if (!isRegistry(source)) {
      if (source.name === name) return source;
    } else if (source.has(name)) return source.get(name);
  }
  return undefined;
}

/** @internal Which source shows `name`: the first that holds it, as in `findBreaker` and the readings; -1 for none. */
export function ownerOf(sources: readonly MetricSource[], name: string): number {
  return sources.map(unwrap).findIndex((source) => (isRegistry(source) ? source.has(name) : source.name === name));
}

/** @internal The thresholds a breaker's rates are held against, for the page's bars. */
export interface Thresholds {
  /** `failureThreshold` in consecutive mode: failures in a row. */
  readonly failuresInARow?: number;
  /** The failure rate, 0 to 1, that opens the breaker in rate mode. */
  readonly failureRate?: number;
  /** The slow-call rate, 0 to 1, that opens it; only when calls are timed. */
  readonly slowCallRate?: number;
}

type Settings = {
  readonly window?: { readonly kind?: unknown };
  readonly failureThreshold?: unknown;
  readonly failureRateThreshold?: unknown;
  readonly slowCallRateThreshold?: unknown;
  readonly slowCallDurationMs?: unknown;
};

const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

/**
 * @internal The thresholds of a breaker made by this package, read from its resolved options;
 * undefined for a breaker that does not expose them (another implementation of the interface).
 */
export function thresholdsOf(breaker: Breaker): Thresholds | undefined {
  const o = (breaker as unknown as { o?: Settings }).o;
  if (typeof o !== 'object' || o === null) return undefined;
  if (o.window?.kind === 'consecutive') return { failuresInARow: num(o.failureThreshold) };
  return {
    failureRate: num(o.failureRateThreshold),
    slowCallRate: o.slowCallDurationMs === undefined ? undefined : num(o.slowCallRateThreshold),
  };
}

/** @internal Every breaker of the sources with the name it is shown under (a registry's key). */
export function* eachBreaker(sources: readonly MetricSource[]): Generator<[string, Breaker]> {
  for (const source of sources.map(unwrap)) {
    if (isRegistry(source)) yield* source;
    else yield [source.name, source];
  }
}
