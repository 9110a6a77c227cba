import { describe } from '../describe.js';
import { type MetricSource, metricsOptions, Sources } from '../metrics/sources.js';
import type { BreakerStore, StoreStats } from '../store.js';

/**
 * Options of {@link dashboard}.
 *
 * @example
 * ```ts
 * import { createBreaker } from 'tripswitch';
 * import type { DashboardOptions } from 'tripswitch/dashboard';
 *
 * const options: DashboardOptions = {
 *   sources: [createBreaker({ name: 'payments' })],
 *   title: 'checkout: breakers',
 *   authorize: (request) => request.headers.get('x-internal') === 'yes',
 * };
 * ```
 */
export interface DashboardOptions {
  /** The breakers and registries to show. A registry's breakers are shown as they are at each update. */
  readonly sources: readonly MetricSource[];
  /** The store whose availability the page shows. @default the store of the sources, if any */
  readonly store?: BreakerStore | undefined;
  /** The page's title and heading. @default 'tripswitch breakers' */
  readonly title?: string | undefined;
  /** Adds open / isolate / close / disable buttons (POST requests from the page). @default false: read-only */
  readonly controls?: boolean | undefined;
  /**
   * Asked for every request, the page's own included: false refuses it with 403. A function that
   * throws or rejects refuses it with 500. @default every request is allowed
   */
  readonly authorize?: ((request: Request) => boolean | Promise<boolean>) | undefined;
}

/** @internal The options, validated. */
export interface Settings {
  readonly sources: readonly MetricSource[];
  /**
   * Reads the sources, checked once here: a name that two sources come to hold later (a
   * registry's new key) is read once, from the source listed first, as the metrics do. It
   * keeps no listener.
   */
  readonly reader: Sources;
  readonly storeStats: (() => StoreStats) | undefined;
  readonly title: string;
  readonly controls: boolean;
  readonly authorize: ((request: Request) => boolean | Promise<boolean>) | undefined;
}

/** @internal Validates the options; throws a `TypeError` or `RangeError` naming what is wrong. */
export function settings(options: unknown): Settings {
  if (options === undefined) throw new TypeError('dashboard needs options with sources, got undefined');
  const o = metricsOptions(options, ['sources', 'store', 'title', 'controls', 'authorize']);
  // Validates the sources as the metrics do (the same messages), and keeps no listener: nothing listens until a page does.
  const reader = new Sources(o.sources, undefined);
  reader.stop();
  const store = o.store as BreakerStore | undefined;
  if (store !== undefined && typeof (store as { stats?: unknown } | null)?.stats !== 'function') {
    throw new TypeError(`store must be a BreakerStore, got ${describe(store)}`);
  }
  const title = o.title ?? 'tripswitch breakers';
  if (typeof title !== 'string') throw new TypeError(`title must be a string, got ${describe(title)}`);
  const controls = o.controls ?? false;
  if (typeof controls !== 'boolean') throw new TypeError(`controls must be a boolean, got ${describe(controls)}`);
  const authorize = o.authorize;
  if (authorize !== undefined && typeof authorize !== 'function') {
    throw new TypeError(`authorize must be a function, got ${describe(authorize)}`);
  }
  return {
    sources: [...(o.sources as MetricSource[])],
    reader,
    storeStats: store === undefined ? undefined : () => store.stats(),
    title,
    controls,
    authorize: authorize as Settings['authorize'],
  };
}
