import type { Reading } from '../metrics/sources.js';
import type { StoreStats } from '../store.js';
import type { BreakerStats, State } from '../types.js';
import type { Thresholds } from './breakers.js';

/** @internal The last transition seen while a page watched: who made it, and when. */
export interface Transition {
  readonly from: State;
  readonly to: State;
  /** Milliseconds since the epoch (the server's wall clock, for display). */
  readonly at: number;
  readonly remote?: true;
  readonly instance?: string;
}

/** @internal One breaker as the page and `breakers.json` show it: its stats, plus what the page adds. */
export type Row = { name: string } & BreakerStats & {
    thresholds?: Thresholds;
    last?: Transition;
    /** The live feed only: since when (the server's wall clock) the page has seen these `fleet` figures unchanged. */
    fleetSince?: number;
  };

/** @internal What `breakers.json` answers, and the shape of a feed's first message. */
export interface Snapshot {
  /** The server's wall clock, in milliseconds since the epoch. */
  readonly at: number;
  readonly breakers: Row[];
  /** Absent when no store is known. */
  readonly store?: StoreHealth;
}

/** @internal The rows of one reading, each under the name it is collected as. */
export function rowsOf(reading: Reading, extra: (name: string) => Partial<Row> | undefined): Row[] {
  return reading.breakers.map(({ name, stats }) => ({ ...stats, name, ...extra(name) }));
}

/** @internal What the page shows of a store. */
export interface StoreHealth {
  readonly available: boolean;
  readonly errors: number;
}

/** @internal The store the page reports: the one given, else the sources' own. */
export function storeOf(reading: Reading, given: (() => StoreStats) | undefined): StoreHealth | undefined {
  if (given !== undefined) {
    const { available, errors } = given();
    return { available, errors };
  }
  return reading.store === undefined ? undefined : { ...reading.store };
}
