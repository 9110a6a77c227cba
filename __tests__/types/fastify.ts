// Compiled by `tsc --noEmit`, never run: each `@ts-expect-error` must meet a type error.
// The Fastify plugin's options through `app.register`, as docs/configuration.md states them.
import Fastify from 'fastify';
import { circuitBreaker, type FastifyBreakerHandle, type FastifyBreakerOptions } from '../../src/adapters/fastify.js';
import { type BreakerOptions, createBreaker } from '../../src/index.js';

const app = Fastify();
const shared = createBreaker({ name: 'search' });

// A shared breaker takes no breaker option, no key and no maxKeys.
app.register(circuitBreaker, { breaker: shared });
app.register(circuitBreaker, { breaker: shared, isFailureStatus: (status) => status >= 500 });
// @ts-expect-error failureThreshold belongs to the shared breaker
app.register(circuitBreaker, { breaker: shared, failureThreshold: 3 });
// @ts-expect-error the same for a rate-mode option
app.register(circuitBreaker, { breaker: shared, window: { size: 10 } });
// @ts-expect-error key makes one breaker per key
app.register(circuitBreaker, { breaker: shared, key: (request) => request.url });

// maxKeys goes with key.
app.register(circuitBreaker, { key: (request) => `${request.method} ${request.routeOptions.url}`, maxKeys: 100 });
// @ts-expect-error maxKeys without key
app.register(circuitBreaker, { maxKeys: 100 });
// @ts-expect-error the same with a breaker option beside it
app.register(circuitBreaker, { maxKeys: 100, failureThreshold: 3 });
// @ts-expect-error each breaker of a key is named by its key
app.register(circuitBreaker, { key: (request) => request.url, name: 'api' });

// No timeoutMs on a plugin.
// @ts-expect-error timeoutMs is not available: count slow responses with slowCallDurationMs
app.register(circuitBreaker, { timeoutMs: 1000 });
app.register(circuitBreaker, { slowCallDurationMs: 1000, window: { size: 20 }, slowCallRateThreshold: 0.5 });

// onReject in Fastify's style: it sends and returns the reply, returns a body, or only logs.
app.register(circuitBreaker, { onReject: (_error, _request, reply) => reply.code(503).send() });
app.register(circuitBreaker, { onReject: async (error) => ({ degraded: true, state: error.state }) });
app.register(circuitBreaker, {
  breaker: shared,
  onReject: (error, request) => {
    request.log.warn({ state: error.state }, 'rejected');
  },
});

// Options kept in a variable keep their checks.
const perRoute: FastifyBreakerOptions = { key: (request) => request.url, maxKeys: 10, failureThreshold: 3 };
app.register(circuitBreaker, perRoute);
// @ts-expect-error maxKeys without key, in a variable too
const alone: FastifyBreakerOptions = { maxKeys: 10 };

// Breaker options typed as a whole still go through; the plugin checks their combinations when it loads.
const stored: Omit<BreakerOptions, 'timeoutMs'> = { failureThreshold: 3 };
app.register(circuitBreaker, stored);
app.register(circuitBreaker, { ...stored, isFailureStatus: (status) => status >= 500 });

// app.tripswitch exists only where the plugin was registered: strict code must check it.
const handle: FastifyBreakerHandle | undefined = app.tripswitch;
// @ts-expect-error possibly undefined
app.tripswitch.breaker;
export const state = app.tripswitch?.breaker?.state;
export const checks = [handle, alone];
