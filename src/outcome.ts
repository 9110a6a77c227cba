/** @internal How a call ended, as counted. */
export type Outcome = 0 | 1 | 2;
/** @internal */
export const SUCCESS = 0;
/** @internal */
export const FAILURE = 1;
/** @internal */
export const IGNORED = 2;

/** @internal A probe let through in half-open, until it settles or expires. */
export interface Probe {
  /** In the breaker's monotonic time; with a store, set again when the lease is granted. */
  deadline: number;
  /** With a store, while the fleet is asked for this probe's lease: not yet let through. */
  lease?: Promise<boolean> | undefined;
}

/** @internal What `enter()` returns for a call turned away. */
export const REFUSED = null;
