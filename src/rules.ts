import type { BreakerOptions } from './options.js';

/** Whether `O` is known to hold a value for `K` (not optional, not possibly undefined). */
type Given<O, K extends PropertyKey> = K extends keyof O ? (undefined extends O[K] ? false : true) : false;

/** The keys of `O` among `K` that are known to hold a value. */
type GivenKeys<O, K extends PropertyKey> = { [P in K & keyof O]: Given<O, P> extends true ? P : never }[K & keyof O];

type RateModeOption = 'failureRateThreshold' | 'minimumCalls' | 'slowCallRateThreshold';

/** Each option of `O` that cannot be given with the others, typed as a sentence saying why. */
type Refused<O, MaxKeysNeedsKey extends boolean> = (Given<O, 'window'> extends true
  ? Given<O, 'failureThreshold'> extends true
    ? { readonly failureThreshold: 'failureThreshold (consecutive mode) cannot be given with window (rate mode)' }
    : {}
  : { readonly [K in GivenKeys<O, RateModeOption>]: `${K} is a rate-mode option: it needs window` } & (O extends {
      readonly halfOpenPolicy: 'rate';
    }
      ? { readonly halfOpenPolicy: "halfOpenPolicy 'rate' is a rate-mode option: it needs window" }
      : {})) &
  (Given<O, 'breaker'> extends true
    ? {
        readonly [K in GivenKeys<O, keyof BreakerOptions>]: `${K} cannot be given with breaker: it belongs to the shared breaker`;
      }
    : {}) &
  (MaxKeysNeedsKey extends true
    ? Given<O, 'maxKeys'> extends true
      ? 'key' extends keyof O
        ? {}
        : { readonly maxKeys: 'maxKeys goes with key: give key too, or leave maxKeys out' }
      : {}
    : {});

/**
 * The options `O`, checked for the combinations that mean nothing, which the type checker
 * then refuses as they are refused at run time (`TypeError`): `failureThreshold` (consecutive
 * mode) with `window` (rate mode), a rate-mode option (`failureRateThreshold`, `minimumCalls`,
 * `slowCallRateThreshold`) without `window`, a breaker option beside a shared `breaker`, and
 * (with `MaxKeysNeedsKey`, for the middleware) `maxKeys` without `key`. Each refused option is typed as a sentence
 * saying why, which the compiler shows in its error; valid options come out unchanged.
 * Options typed as a whole (`const o: BreakerOptions = ...`) are checked at run time only.
 *
 * @example
 * ```ts
 * import { createBreaker } from 'tripswitch';
 *
 * createBreaker({ window: { size: 100 }, failureRateThreshold: 0.25 });
 * // @ts-expect-error Type 'number' is not assignable to type '"failureThreshold (consecutive mode) cannot be given with window (rate mode)"'
 * createBreaker({ window: { size: 100 }, failureThreshold: 5 });
 * ```
 */
export type Checked<O, MaxKeysNeedsKey extends boolean = false> = O extends undefined
  ? O
  : [keyof Refused<O, MaxKeysNeedsKey>] extends [never]
    ? O
    : Omit<O, keyof Refused<O, MaxKeysNeedsKey>> & Refused<O, MaxKeysNeedsKey>;
