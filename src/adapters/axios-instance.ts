import type { AxiosInstance } from 'axios';
import { describe } from '../describe.js';

// What guardAxios checks of the instance it is given: that it is one, and not guarded already.

/** Marks an instance while a guard is installed on it; shared by every copy of the package. */
const GUARDED = Symbol.for('tripswitch.axios.guarded');

/** @internal Throws a `TypeError` naming what was passed unless `instance` has axios's interceptors. */
export function checkInstance(instance: unknown): asserts instance is AxiosInstance {
  const interceptors = (instance as { interceptors?: { request?: { use?: unknown }; response?: { use?: unknown } } } | null)
    ?.interceptors;
  if (
    (typeof instance === 'function' || (typeof instance === 'object' && instance !== null)) &&
    typeof interceptors?.request?.use === 'function' &&
    typeof interceptors?.response?.use === 'function'
  ) {
    return;
  }
  const name = typeof instance === 'function' && instance.name !== '' ? ` (${JSON.stringify(instance.name)})` : '';
  throw new TypeError(
    `guardAxios needs an axios instance (axios or axios.create()), got ${describe(instance)}${name}, which has no interceptors`,
  );
}

/**
 * @internal Marks `instance` as guarded, or throws when it is already: two guards would share
 * each request's bookkeeping and miscount every call. Returns the function that unmarks it.
 */
export function claim(instance: AxiosInstance): () => void {
  const marked = instance as unknown as Record<symbol, unknown>;
  if (marked[GUARDED] === true) {
    throw new Error(
      'guardAxios: this axios instance is already guarded; remove that guard first (call what guardAxios returned)',
    );
  }
  Object.defineProperty(marked, GUARDED, { value: true, configurable: true });
  return () => {
    delete marked[GUARDED];
  };
}
