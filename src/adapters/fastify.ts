import type { FastifyRequest } from 'fastify';
import { routeHooks } from './fastify-hooks.js';
import type { FastifyBreakerOptions } from './fastify-options.js';
import { pluginMeta } from './fastify-plugin.js';
import type { FastifyRejectHandler } from './fastify-reject.js';

export type { Handle, HttpBreakerOptions, KeyedHandle, SingleHandle } from './http.js';

import { type Guard, type KeyedHandle, resolveHttpOptions, type SingleHandle } from './http.js';

export type {
  FastifyBreakerOptions,
  FastifyCommonOptions,
  FastifyKeyedOptions,
  FastifySharedOptions,
  FastifySingleOptions,
} from './fastify-options.js';
export type { FastifyRejectHandler } from './fastify-reject.js';

/**
 * What a registration of the plugin leaves on the Fastify instance it was registered in, as
 * `app.tripswitch`: its `breaker`, or with `key` its `registry`.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { circuitBreaker, type FastifyBreakerHandle } from 'tripswitch/fastify';
 *
 * const app = Fastify();
 * await app.register(circuitBreaker, { failureThreshold: 3 });
 * const handle: FastifyBreakerHandle | undefined = app.tripswitch;
 * console.log(handle?.breaker?.state); // 'closed'
 * ```
 */
export type FastifyBreakerHandle = Partial<SingleHandle & KeyedHandle>;

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The breaker (or, with `key`, the registry) of the tripswitch plugin registered in this
     * context or above it; `undefined` where it is not registered (such as the root, when the
     * plugin is registered inside a context only).
     */
    readonly tripswitch?: FastifyBreakerHandle | undefined;
  }
  interface FastifyContextConfig {
    /** `false`: this route is not guarded by the tripswitch plugin. */
    readonly circuitBreaker?: boolean | undefined;
  }
}

/**
 * The type of {@link circuitBreaker}: a Fastify plugin taking {@link FastifyBreakerOptions}.
 *
 * @example
 * ```ts
 * import { circuitBreaker, type FastifyCircuitBreaker } from 'tripswitch/fastify';
 *
 * const plugin: FastifyCircuitBreaker = circuitBreaker;
 * ```
 */
export type FastifyCircuitBreaker = (
  instance: FastifyInstanceLike,
  options: FastifyBreakerOptions,
  done: (error?: Error) => void,
) => void;

/**
 * The part of a Fastify instance the plugin uses. Any Fastify 5 instance fits, also one from
 * another copy of fastify (such as the one `@nestjs/platform-fastify` brings).
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import type { FastifyInstanceLike } from 'tripswitch/fastify';
 *
 * const app: FastifyInstanceLike = Fastify();
 * ```
 */
export interface FastifyInstanceLike {
  decorateRequest(name: string, value: null): unknown;
  addHook(name: string, hook: (...args: never[]) => unknown): unknown;
}

/**
 * Circuit breaker plugin for Fastify 5. Registered at the root it guards every route of the
 * app; registered inside an encapsulated context (a `register`ed plugin), that context's routes
 * only, whether declared before or after it; a route opts out with
 * `config: { circuitBreaker: false }`. A request is a failure when its response goes out with
 * a failure status (by default >= 500): an error thrown by the handler counts by the status
 * Fastify's error handling answers with (the error's `statusCode` or `status`, else 500). A
 * response stream that fails midway is a failure, as is a request that hits Fastify's
 * `connectionTimeout`. A client that disconnects before the response ends is ignored. When the
 * breaker rejects, the handler does not run and the response is a 503 with `Retry-After` and a
 * JSON body. The breaker (or with `key` the registry) is `app.tripswitch`.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { circuitBreaker } from 'tripswitch/fastify';
 *
 * const app = Fastify();
 * await app.register(circuitBreaker, { failureThreshold: 5, resetTimeoutMs: 10_000 });
 * app.get('/reports/daily', async () => ({ total: 42 }));
 * app.get('/health', { config: { circuitBreaker: false } }, async () => 'ok');
 * ```
 */
export const circuitBreaker: FastifyCircuitBreaker = pluginMeta(function circuitBreaker(
  instance: FastifyInstanceLike,
  options: FastifyBreakerOptions,
  done: (error?: Error) => void,
): void {
  if (typeof done !== 'function') {
    throw new TypeError(
      'circuitBreaker is a Fastify plugin: app.register(circuitBreaker, options), not app.register(circuitBreaker(options))',
    );
  }
  let guard: Guard<FastifyRequest, FastifyRejectHandler>;
  try {
    guard = resolveHttpOptions<FastifyRequest, FastifyRejectHandler>(options);
  } catch (error) {
    // Bad options: app.register(), app.ready() and app.listen() reject with this error.
    done(error as Error);
    return;
  }
  // One slot per registration: a route guarded at the root and in its own context has two.
  const slot = Symbol('tripswitch.pending');
  instance.decorateRequest(slot as unknown as string, null);
  Object.defineProperty(instance, 'tripswitch', { value: guard.handle, configurable: true });
  // Context hooks, not route hooks: they reach the routes declared before the plugin loads
  // (`app.register(circuitBreaker); app.get(...)` without await) as well as after.
  for (const [name, hook] of routeHooks(guard, slot)) instance.addHook(name, hook as never);
  done();
});
