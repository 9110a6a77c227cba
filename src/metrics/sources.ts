import { describe } from '../describe.js';
import type { Registry } from '../registry.js';
import type { BreakerStore } from '../store.js';
import type { Breaker, BreakerStats, State } from '../types.js';

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
export type MetricSource = Breaker | Registry;

/** @internal One breaker as read at one collection. */
export interface BreakerReading {
  readonly name: string;
  readonly stats: BreakerStats;
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

type Kind = { readonly kind: 'breaker'; readonly source: Breaker } | { readonly kind: 'registry'; readonly source: Registry };

const isFunction = (value: unknown): boolean => typeof value === 'function';

/** Recognises a breaker or a registry by its shape, so that one from another copy of the package works too. */
function classify(value: unknown, where: string): Kind {
  const o = value as Record<string | symbol, unknown> | null;
  if (typeof o === 'object' && o !== null && isFunction(o.on)) {
    if (isFunction(o.get) && isFunction(o[Symbol.iterator])) return { kind: 'registry', source: value as Registry };
    if (isFunction(o.stats) && typeof o.name === 'string') return { kind: 'breaker', source: value as Breaker };
  }
  throw new TypeError(`${where} must be a breaker or a registry, got ${describe(value)}`);
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
      else for (const [key] of kind.source) claim(key, `${where} (key ${JSON.stringify(key)})`);
      this.kinds.push(kind);
      const store = (kind.source as { store?: BreakerStore | undefined }).store;
      if (store !== undefined && store !== null && !this.stores.includes(store)) this.stores.push(store);
    });
    for (const { source } of this.kinds) {
      // Both shapes have the same `on`; the cast picks one overload.
      const on = (source as Breaker).on.bind(source) as Breaker['on'];
      this.unsubscribe.push(on('stateChange', ({ name, from, to }) => this.count(name, from, to)));
      if (durations !== undefined) {
        this.unsubscribe.push(on('success', ({ name, durationMs }) => durations(name, 'success', durationMs / 1000)));
        this.unsubscribe.push(on('failure', ({ name, durationMs }) => durations(name, 'failure', durationMs / 1000)));
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
    const add = (name: string, breaker: Breaker): void => {
      // A name met twice (a registry gained a key that another source uses): the first one counts.
      if (seen.has(name)) return;
      seen.add(name);
      breakers.push({ name, stats: breaker.stats() });
    };
    for (const kind of this.kinds) {
      if (kind.kind === 'breaker') add(kind.source.name, kind.source);
      else for (const [key, breaker] of kind.source) add(key, breaker);
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
