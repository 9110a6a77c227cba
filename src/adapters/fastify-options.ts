// The plugin's options as three shapes, so that `app.register(circuitBreaker, options)` refuses
// at compile time what the plugin refuses when it loads: a breaker option beside a shared
// `breaker`, `maxKeys` without `key`, `name` or `initialState` with `key`, and `timeoutMs`.
import type { FastifyRequest } from 'fastify';
import type { BreakerOptions } from '../options.js';
import type { Breaker } from '../types.js';
import type { FastifyRejectHandler } from './fastify-reject.js';

/** Options that may not be given in a shape: typed as absent. */
type Absent<K extends PropertyKey> = { readonly [P in K]?: undefined };

/** The breaker options a plugin takes: all but `timeoutMs`. */
type PluginBreakerOptions = Omit<BreakerOptions, 'timeoutMs'>;

/**
 * What every registration may take, whichever breaker it guards with.
 *
 * @example
 * ```ts
 * import type { FastifyCommonOptions } from 'tripswitch/fastify';
 *
 * const common: FastifyCommonOptions = { isFailureStatus: (status) => status >= 500 || status === 429 };
 * ```
 */
export interface FastifyCommonOptions {
  /**
   * Not available: a plugin cannot cut a request short from outside. Count slow responses with
   * `slowCallDurationMs` instead; giving `timeoutMs` is a `TypeError`.
   */
  readonly timeoutMs?:
    | 'timeoutMs is not available on a middleware: a request cannot be cut short from outside; count slow responses with slowCallDurationMs'
    | undefined;
  /** Which response statuses count as failures. @default status >= 500 */
  readonly isFailureStatus?: ((status: number) => boolean) | undefined;
  /** Answers a rejected request instead of the default 503 (see {@link FastifyRejectHandler}). */
  readonly onReject?: FastifyRejectHandler | undefined;
}

/**
 * One breaker for the context, made from these breaker options.
 *
 * @example
 * ```ts
 * import type { FastifySingleOptions } from 'tripswitch/fastify';
 *
 * const single: FastifySingleOptions = { name: 'api', failureThreshold: 5, resetTimeoutMs: 10_000 };
 * ```
 */
export interface FastifySingleOptions extends PluginBreakerOptions, FastifyCommonOptions, Absent<'breaker' | 'key' | 'maxKeys'> {}

/**
 * One breaker per key, each made from these breaker options and named by its key.
 *
 * @example
 * ```ts
 * import type { FastifyKeyedOptions } from 'tripswitch/fastify';
 *
 * const perRoute: FastifyKeyedOptions = {
 *   key: (request) => `${request.method} ${request.routeOptions.url}`,
 *   maxKeys: 100,
 *   window: { size: 50 },
 * };
 * ```
 */
export interface FastifyKeyedOptions
  extends Omit<PluginBreakerOptions, 'name' | 'initialState'>,
    FastifyCommonOptions,
    Absent<'breaker' | 'name' | 'initialState'> {
  /** The key of a request: one breaker per key; it must return a non-empty string. */
  readonly key: (request: FastifyRequest) => string;
  /** The most breakers held at once; the least recently used closed one goes first. @default 1000 */
  readonly maxKeys?: number | undefined;
}

/**
 * A breaker made elsewhere, shared with other plugins or code: no breaker option, `key` or
 * `maxKeys` then.
 *
 * @example
 * ```ts
 * import { createBreaker } from 'tripswitch';
 * import type { FastifySharedOptions } from 'tripswitch/fastify';
 *
 * const shared: FastifySharedOptions = { breaker: createBreaker({ name: 'search' }) };
 * ```
 */
export interface FastifySharedOptions extends FastifyCommonOptions, Absent<keyof PluginBreakerOptions | 'key' | 'maxKeys'> {
  /** The breaker guarding every request of the context. */
  readonly breaker: Breaker;
}

/**
 * Options of the Fastify plugin: every breaker option except `timeoutMs`, or a shared
 * `breaker`, or `key(request)` with `maxKeys`; plus `isFailureStatus` and `onReject`.
 *
 * @example
 * ```ts
 * import type { FastifyBreakerOptions } from 'tripswitch/fastify';
 *
 * const options: FastifyBreakerOptions = { key: (request) => request.routeOptions.url ?? 'unknown', maxKeys: 100 };
 * ```
 */
export type FastifyBreakerOptions = FastifySingleOptions | FastifyKeyedOptions | FastifySharedOptions;
