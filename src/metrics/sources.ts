import { describe } from '../describe.js';
import type { Registry } from '../registry.js';
import type { BreakerStore } from '../store.js';
import type { Breaker, BreakerStats, State, TotalStats } from '../types.js';

/**
 * What metrics can be collected from: breakers and registries, in any mix. A registry's
 * breakers are read as they are at each collection.
 *
 * @example
 * ```ts
 * import { createBreaker, createRegistry } from 'tripswitch';
 * import type { MetricSource } from 'tripswitch/prometheus';
 *
 * const sources: MetricSource[] = [createBreaker({ name: 'payments' }), createRegistry()];
 * ```
 */
export type MetricSource = Breaker | Registry | RegistrySource;

/**
 * A registry exported in fewer series than one set per key: a registry of 1,000 keys with
 * `durations: true` is about 29,000 series otherwise.
 * - `keys: 'summed'`: the whole registry as one set of series under `name`: counters and
 *   window counts summed over the keys, rates from the summed window, `state` the number of
 *   keys in each state, `retry_after` the shortest wait of any key;
 * - `keys: 'notClosed'`: only the keys that are not closed at collection, each under its own
 *   name (their transitions are counted while they are collected).
 *
 * @example
 * ```ts
 * import { createRegistry } from 'tripswitch';
 * import type { RegistrySource } from 'tripswitch/prometheus';
 *
 * const perTenant = createRegistry();
 * const summed: RegistrySource = { registry: perTenant, keys: 'summed', name: 'tenants' };
 * const troubled: RegistrySource = { registry: createRegistry(), keys: 'notClosed' };
 * ```
 */
export type RegistrySource =
  | {
      /** The registry to export. */
      readonly registry: Registry;
      /** One set of series for the whole registry. */
      readonly keys: 'summed';
      /** The `name` label (attribute) of its series. */
      readonly name: string;
    }
  | {
      /** The registry to export. */
      readonly registry: Registry;
      /** Only the keys not closed at collection, each under its own name. */
      readonly keys: 'notClosed';
    };

/** @internal One breaker as read at one collection. */
export interface BreakerReading {
  readonly name: string;
  readonly stats: BreakerStats;
  /** A summed registry: how many keys are in each state (`stats.state` is then the most severe). */
  readonly states?: Readonly<Record<State, number>>;
}

/** @internal Everything one collection reports. */
export interface Reading {
  readonly breakers: readonly BreakerReading[];
  /** Transitions so far, by breaker still collected: `[name, from, to, count]`. */
  readonly transitions: readonly (readonly [string, State, State, number])[];
  /** Undefined when no source uses a store. */
  readonly store: { readonly available: boolean; readonly errors: number } | undefined;
  /** Count reports the stores sent (counting across the fleet); 0 when no source uses a store. */
  readonly reports: number;
}

/** @internal A call's duration, in seconds, for the `durations` histogram. */
export type DurationSink = (name: string, outcome: 'success' | 'failure', seconds: number) => void;

/** @internal Label or attribute names the series use themselves. */
export const RESERVED_LABELS: readonly string[] = ['name', 'state', 'outcome', 'from', 'to'];

/** @internal The states, in the order the `state` series lists them. */
export const STATES: readonly State[] = ['closed', 'open', 'halfOpen', 'isolated', 'disabled'];

type Kind =
  | { readonly kind: 'breaker'; readonly source: Breaker }
  | { readonly kind: 'registry' | 'notClosed'; readonly source: Registry }
  | { readonly kind: 'summed'; readonly source: Registry; readonly name: string };

const isFunction = (value: unknown): boolean => typeof value === 'function';
const isRegistry = (o: Record<string | symbol, unknown>): boolean =>
  isFunction(o.on) && isFunction(o.get) && isFunction(o[Symbol.iterator]);

/** Recognises a breaker or a registry by its shape, so that one from another copy of the package works too. */
function classify(value: unknown, where: string): Kind {
  const o = value as Record<string | symbol, unknown> | null;
  if (typeof o === 'object' && o !== null) {
    if (isRegistry(o)) return { kind: 'registry', source: value as Registry };
    if (isFunction(o.on) && isFunction(o.stats) && typeof o.name === 'string')
      return { kind: 'breaker', source: value as Breaker };
    if ('registry' in o) return registrySource(o, where);
  }
  throw new TypeError(`${where} must be a breaker or a registry, got ${describe(value)}`);
}

function registrySource(o: Record<string | symbol, unknown>, where: string): Kind {
  const registry = o.registry as Record<string | symbol, unknown> | null;
  if (typeof registry !== 'object' || registry === null || !isRegistry(registry)) {
    throw new TypeError(`${where}.registry must be a registry, got ${describe(registry)}`);
  }
  for (const key of Object.keys(o)) {
    if (!['registry', 'keys', 'name'].includes(key)) throw new TypeError(`${where}: unknown option ${JSON.stringify(key)}`);
  }
  if (o.keys === 'notClosed') {
    if (o.name !== undefined) throw new TypeError(`${where}.name is only for keys: 'summed'`);
    return { kind: 'notClosed', source: registry as unknown as Registry };
  }
  if (o.keys !== 'summed') throw new TypeError(`${where}.keys must be 'summed' or 'notClosed', got ${describe(o.keys)}`);
  if (typeof o.name !== 'string' || o.name === '') {
    throw new TypeError(`${where}.name must be a non-empty string with keys: 'summed', got ${describe(o.name)}`);
  }
  return { kind: 'summed', source: registry as unknown as Registry, name: o.name };
}

/** States from the least to the most severe: a summed registry reports its most severe key's. */
const SEVERITY: readonly State[] = ['disabled', 'closed', 'halfOpen', 'open', 'isolated'];

/** The stats of a whole registry: totals and window counts summed, rates from the summed window. */
function summed(name: string, registry: Registry): BreakerReading {
  const states = { closed: 0, open: 0, halfOpen: 0, isolated: 0, disabled: 0 } as Record<State, number>;
  const totals: TotalStats = { calls: 0, successes: 0, failures: 0, ignored: 0, rejected: 0, timeouts: 0 };
  const window = { calls: 0, failures: 0, slowCalls: 0, failureRate: 0, slowCallRate: 0 };
  let state: State = 'disabled';
  let retryAfterMs = Number.POSITIVE_INFINITY;
  let inFlight = 0;
  let consecutiveFailures = 0;
  let keys = 0;
  for (const [, breaker] of registry) {
    const stats = breaker.stats();
    keys++;
    states[stats.state]++;
    if (SEVERITY.indexOf(stats.state) > SEVERITY.indexOf(state)) state = stats.state;
    retryAfterMs = Math.min(retryAfterMs, stats.retryAfterMs);
    inFlight += stats.inFlight;
    consecutiveFailures = Math.max(consecutiveFailures, stats.consecutiveFailures);
    for (const key of Object.keys(totals) as (keyof TotalStats)[]) totals[key] += stats.totals[key];
    window.calls += stats.window.calls;
    window.failures += stats.window.failures;
    window.slowCalls += stats.window.slowCalls;
  }
  if (window.calls > 0) {
    window.failureRate = window.failures / window.calls;
    window.slowCallRate = window.slowCalls / window.calls;
  }
  if (keys === 0) {
    state = 'closed';
    retryAfterMs = 0;
  }
  const stats = { name, state, retryAfterMs, inFlight, consecutiveFailures, window, totals } as unknown as BreakerStats;
  return { name, stats, states };
}

/**
 * @internal The sources of one `collectMetrics` or `instrumentMetrics`: validates them, counts
 * transitions (and, when asked, durations) from their events, and reads them at collection.
 */
export class Sources {
  private readonly kinds: Kind[] = [];
  private readonly stores: BreakerStore[] = [];
  /** Transition counts by breaker name, then by `from>to`. */
  private readonly transitions = new Map<string, Map<string, number>>();
  private readonly unsubscribe: (() => void)[] = [];
  private cached: Reading | undefined;

  constructor(sources: unknown, durations: DurationSink | undefined) {
    if (!Array.isArray(sources))
      throw new TypeError(`sources must be an array of breakers and registries, got ${describe(sources)}`);
    if (sources.length === 0) throw new RangeError('sources must hold at least one breaker or registry, got an empty array');
    const names = new Map<string, string>();
    const claim = (name: string, where: string): void => {
      const first = names.get(name);
      if (first !== undefined) throw new TypeError(`two breakers are named ${JSON.stringify(name)}: ${first} and ${where}`);
      names.set(name, where);
    };
    sources.forEach((value, i) => {
      const where = `sources[${i}]`;
      const kind = classify(value, where);
      const again = this.kinds.findIndex((k) => k.source === kind.source);
      if (again >= 0) throw new TypeError(`${where} is already collected: it is sources[${again}]`);
      if (kind.kind === 'breaker') claim(kind.source.name, where);
      else if (kind.kind === 'summed') claim(kind.name, where);
      else for (const [key] of kind.source) claim(key, `${where} (key ${JSON.stringify(key)})`);
      this.kinds.push(kind);
      const store = (kind.source as { store?: BreakerStore | undefined }).store;
      if (store !== undefined && store !== null && !this.stores.includes(store)) this.stores.push(store);
    });
    for (const kind of this.kinds) {
      const { source } = kind;
      // Both shapes have the same `on`; the cast picks one overload.
      const on = (source as Breaker).on.bind(source) as Breaker['on'];
      // A summed registry's keys are counted under its one name.
      const as = kind.kind === 'summed' ? () => kind.name : (name: string) => name;
      this.unsubscribe.push(on('stateChange', ({ name, from, to }) => this.count(as(name), from, to)));
      if (durations !== undefined) {
        this.unsubscribe.push(on('success', ({ name, durationMs }) => durations(as(name), 'success', durationMs / 1000)));
        this.unsubscribe.push(on('failure', ({ name, durationMs }) => durations(as(name), 'failure', durationMs / 1000)));
      }
    }
  }

  /** Whether some source shares its state through a store. */
  get hasStore(): boolean {
    return this.stores.length > 0;
  }

  private count(name: string, from: State, to: State): void {
    let byPair = this.transitions.get(name);
    if (byPair === undefined) this.transitions.set(name, (byPair = new Map()));
    const pair = `${from}>${to}`;
    byPair.set(pair, (byPair.get(pair) ?? 0) + 1);
  }

  /**
   * Reads every breaker once. Within one synchronous pass (a prom-client scrape asks each
   * metric in turn) the same reading is returned: one `stats()` per breaker per scrape.
   */
  read(): Reading {
    if (this.cached !== undefined) return this.cached;
    const breakers: BreakerReading[] = [];
    const seen = new Set<string>();
    const add = (reading: BreakerReading): void => {
      // A name met twice (a registry gained a key that another source uses): the first one counts.
      if (seen.has(reading.name)) return;
      seen.add(reading.name);
      breakers.push(reading);
    };
    for (const kind of this.kinds) {
      if (kind.kind === 'breaker') add({ name: kind.source.name, stats: kind.source.stats() });
      else if (kind.kind === 'summed') add(summed(kind.name, kind.source));
      else {
        for (const [name, breaker] of kind.source) {
          const stats = breaker.stats();
          if (kind.kind === 'registry' || stats.state !== 'closed') add({ name, stats });
        }
      }
    }
    // Reading the stats may have applied due transitions: they are counted by now.
    const transitions: [string, State, State, number][] = [];
    for (const [name, byPair] of this.transitions) {
      if (!seen.has(name)) {
        this.transitions.delete(name); // evicted from its registry: its series go with it
        continue;
      }
      for (const [pair, count] of byPair) {
        const [from, to] = pair.split('>') as [State, State];
        transitions.push([name, from, to, count]);
      }
    }
    let store: Reading['store'];
    let reports = 0;
    if (this.stores.length > 0) {
      let available = true;
      let errors = 0;
      for (const s of this.stores) {
        const stats = s.stats();
        available &&= stats.available;
        errors += stats.errors;
        reports += stats.reported ?? 0;
      }
      store = { available, errors };
    }
    this.cached = { breakers, transitions, store, reports };
    queueMicrotask(() => {
      this.cached = undefined;
    });
    return this.cached;
  }

  /** Removes every listener added. */
  stop(): void {
    for (const off of this.unsubscribe.splice(0)) off();
  }
}

/** @internal Validates the `labels` option: constant labels added to every series. */
export function constantLabels(labels: unknown, isName: (name: string) => boolean, rule: string): Record<string, string> {
  if (labels === undefined) return {};
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) {
    throw new TypeError(`labels must be an object of strings, got ${describe(labels)}`);
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels)) {
    if (!isName(key)) throw new RangeError(`labels: ${JSON.stringify(key)} is not a valid label name (${rule})`);
    if (RESERVED_LABELS.includes(key)) {
      throw new RangeError(`labels: ${JSON.stringify(key)} is reserved (the series use ${RESERVED_LABELS.join(', ')})`);
    }
    if (typeof value !== 'string') throw new TypeError(`labels.${key} must be a string, got ${describe(value)}`);
    out[key] = value;
  }
  return out;
}

/** @internal Validates the `durations` option. */
export function durationsOption(value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new TypeError(`durations must be a boolean, got ${describe(value)}`);
  return value;
}

/**
 * @internal The options object of `collectMetrics` or `instrumentMetrics`: an object whose keys
 * are all in `keys`, else a `TypeError` (the same messages as the breaker's options).
 */
export function metricsOptions(options: unknown, keys: readonly string[]): Record<string, unknown> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    if (options === undefined) return {};
    throw new TypeError(`options must be an object, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!keys.includes(key)) throw new TypeError(`unknown option ${JSON.stringify(key)}`);
  }
  return options as Record<string, unknown>;
}
