// Compiled by `tsc --noEmit`, never run: each `@ts-expect-error` must meet a type error.
// Option combinations that are a TypeError at run time are refused by the type checker too.
import { circuitBreaker as expressBreaker } from '../../src/adapters/express.js';
import { guardFetch } from '../../src/adapters/fetch.js';
import { circuitBreaker as honoBreaker } from '../../src/adapters/hono.js';
import { circuitBreaker as koaBreaker } from '../../src/adapters/koa.js';
import { type BreakerOptions, createBreaker, createRegistry, type WindowOptions, wrap } from '../../src/index.js';

// Consecutive mode or rate mode, not both.
createBreaker({ failureThreshold: 3 });
createBreaker({ window: { size: 10 }, failureRateThreshold: 0.5, minimumCalls: 5, slowCallRateThreshold: 0.8 });
createBreaker({ failureThreshold: undefined, window: { size: 10 } });
// @ts-expect-error failureThreshold (consecutive mode) cannot be given with window (rate mode)
createBreaker({ window: { size: 10 }, failureThreshold: 3 });
// @ts-expect-error the same through wrap
wrap(() => 1, { window: { durationMs: 1000 }, failureThreshold: 3 });
// @ts-expect-error the same through a registry
createRegistry({ window: { size: 10 }, failureThreshold: 3 });
// @ts-expect-error the same through guardFetch
guardFetch({ window: { size: 10 }, failureThreshold: 3 });
// @ts-expect-error the same through a middleware
expressBreaker({ window: { size: 10 }, failureThreshold: 3 });

// Rate-mode options need window.
// @ts-expect-error failureRateThreshold is a rate-mode option: it needs window
createBreaker({ failureRateThreshold: 0.2 });
// @ts-expect-error minimumCalls is a rate-mode option: it needs window
createBreaker({ minimumCalls: 4 });
// @ts-expect-error slowCallRateThreshold is a rate-mode option: it needs window
wrap(() => 1, { slowCallRateThreshold: 0.5 });
createBreaker({ slowCallDurationMs: 100 }); // counted in stats, valid alone

// A window counts calls or time, not both.
const byCount: WindowOptions = { size: 10 };
const byTime: WindowOptions = { durationMs: 1000, buckets: 5 };
createBreaker({ window: byCount });
createBreaker({ window: byTime });
// @ts-expect-error a window takes size or durationMs, not both
createBreaker({ window: { size: 10, durationMs: 1000 } });
// @ts-expect-error window.buckets goes with window.durationMs, not window.size
createBreaker({ window: { size: 10, buckets: 2 } });

// A shared breaker takes no breaker options.
const shared = createBreaker();
wrap(() => 1, { breaker: shared, fallback: () => 2 });
// @ts-expect-error failureThreshold cannot be given with breaker: it belongs to the shared breaker
wrap(() => 1, { breaker: shared, failureThreshold: 3 });
// @ts-expect-error name cannot be given with breaker
wrap(() => 1, { breaker: shared, name: 'x' });
expressBreaker({ breaker: shared });
// @ts-expect-error resetTimeoutMs cannot be given with breaker
expressBreaker({ breaker: shared, resetTimeoutMs: 1000 });
// @ts-expect-error the same for Koa
koaBreaker({ breaker: shared, failureThreshold: 3 });
// @ts-expect-error the same for Hono
honoBreaker({ breaker: shared, window: { size: 5 } });

// maxKeys goes with key on a middleware (guardFetch keys by origin by default, so maxKeys alone is fine there).
expressBreaker({ key: (req) => req.path, maxKeys: 100 });
guardFetch({ maxKeys: 100 });
// @ts-expect-error maxKeys goes with key: give key too, or leave maxKeys out
expressBreaker({ maxKeys: 100 });
// @ts-expect-error the same for Koa
koaBreaker({ maxKeys: 100 });
// @ts-expect-error the same for Hono
honoBreaker({ maxKeys: 100, failureThreshold: 3 });

// A middleware takes no timeoutMs.
// @ts-expect-error timeoutMs is not available on a middleware: ... count slow responses with slowCallDurationMs
expressBreaker({ timeoutMs: 1000 });
// @ts-expect-error the same for Koa
koaBreaker({ timeoutMs: 1000 });
// @ts-expect-error the same for Hono
honoBreaker({ timeoutMs: 1000 });
expressBreaker({ slowCallDurationMs: 1000, window: { size: 20 }, slowCallRateThreshold: 0.5 });

// Options typed as a whole still go through; the run-time check covers them.
const stored: BreakerOptions = { failureThreshold: 3 };
createBreaker(stored);
wrap(() => 1, stored);
createBreaker(undefined);

// halfOpenPolicy 'rate' decides on the probes' rates: rate mode only.
createBreaker({ window: { size: 10 }, halfOpenPolicy: 'rate' });
createBreaker({ halfOpenPolicy: 'all', rampUpMs: 5_000 });
// @ts-expect-error halfOpenPolicy 'rate' is a rate-mode option: it needs window
createBreaker({ halfOpenPolicy: 'rate' });
// The options a live breaker may change leave out those fixed at creation.
createBreaker().configure({ rampUpMs: 1000, healthCheck: async ({ signal }) => signal.aborted });
// @ts-expect-error name is fixed when the breaker is made
createBreaker().configure({ name: 'other' });
createBreaker().on('configure', ({ options }) => options.rampUpMs);
