import { CircuitBreaker } from './breaker.js';
import { guard } from './call.js';
import { BREAKER_OPTION_NAMES, type BreakerOptions, optionsObject, resolveOptions } from './options.js';
import type { Checked } from './rules.js';
import type { Breaker, Fallback, Guarded } from './types.js';

/**
 * Options of {@link wrap}: the breaker options, or an existing `breaker` to share, and a
 * `fallback`.
 *
 * @example
 * ```ts
 * import { wrap, type WrapOptions } from 'tripswitch';
 *
 * const options: WrapOptions<[string], string> = {
 *   failureThreshold: 3,
 *   fallback: (_error, id) => `unknown user ${id}`,
 * };
 * const userName = wrap(async (id: string) => `user ${id}`, options);
 * ```
 */
export interface WrapOptions<A extends unknown[], R> extends BreakerOptions {
  /** Share this breaker; then no other breaker option may be given. */
  readonly breaker?: Breaker | undefined;
  /**
   * Runs when the call is rejected by the breaker or fails (timeouts included), not for
   * ignored errors nor result failures. Its result is the call's result; if it throws, the
   * call rejects with that error.
   */
  readonly fallback?: Fallback<A, R> | undefined;
}

/**
 * Guards `fn` with a circuit breaker: the result has the same arguments, `this` and
 * (awaited) result type, and always returns a promise. A synchronous throw in `fn` is a
 * rejection like any other. The breaker is on the `breaker` property.
 *
 * `fn` receives no `AbortSignal`. With `timeoutMs`, a call that runs too long rejects with a
 * `CallTimeoutError` (and counts as a failure), but `fn`'s work is not stopped: a request goes
 * on until it ends by itself. Where work must be cancelled at the deadline, use
 * `createBreaker(...).execute(({ signal }) => ...)` and pass the signal on.
 *
 * @example
 * ```ts
 * import { wrap } from 'tripswitch';
 *
 * const getPrice = wrap(
 *   async (sku: string): Promise<number> => {
 *     const response = await fetch(`https://example.com/prices/${sku}`);
 *     if (!response.ok) throw new Error(`price service answered ${response.status}`);
 *     return (await response.json()).price;
 *   },
 *   { name: 'prices', failureThreshold: 3, fallback: () => Number.NaN },
 * );
 *
 * const price: number = await getPrice('sku-1');
 * getPrice.breaker.on('open', (event) => console.log(`prices opened: ${event.reason}`));
 * ```
 */
export function wrap<A extends unknown[], R, This = unknown>(
  fn: (this: This, ...args: A) => R | PromiseLike<R>,
): Guarded<A, Awaited<R>, This>;
export function wrap<
  A extends unknown[],
  R,
  This = unknown,
  O extends WrapOptions<A, NoInfer<Awaited<R>>> | undefined = WrapOptions<A, NoInfer<Awaited<R>>>,
>(fn: (this: This, ...args: A) => R | PromiseLike<R>, options: Checked<O>): Guarded<A, Awaited<R>, This>;
export function wrap<A extends unknown[], R, This = unknown>(
  fn: (this: This, ...args: A) => R | PromiseLike<R>,
  options?: WrapOptions<A, NoInfer<Awaited<R>>>,
): Guarded<A, Awaited<R>, This> {
  const o = optionsObject('options', options);
  let breaker: CircuitBreaker | undefined;
  if (o.breaker !== undefined) {
    const given = BREAKER_OPTION_NAMES.find((key) => o[key] !== undefined);
    if (given !== undefined) {
      throw new TypeError(`breaker and ${given} cannot be given together: ${given} belongs to the shared breaker`);
    }
    if (!(o.breaker instanceof CircuitBreaker)) {
      throw new TypeError('breaker must be a breaker made by createBreaker()');
    }
    breaker = o.breaker;
  }
  // Validates every option (unknown keys included) even when a breaker is shared.
  const resolved = resolveOptions(o, ['breaker', 'fallback']);
  breaker ??= new CircuitBreaker(resolved);
  return guard(breaker, fn, o.fallback as Fallback<A, Awaited<R>> | undefined);
}
