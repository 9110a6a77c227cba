// Type-checked against the built declarations by the oldest supported TypeScript (5.4), as a
// user's code would be: `npm run test:ts-min`, after `npm run build`.

import { Redis } from '@upstash/redis';
import axios from 'axios';
import Fastify from 'fastify';
import { createBreaker, exponentialBackoff, isCircuitOpenError, wrap } from 'tripswitch';
import { guardAxios } from 'tripswitch/axios';
import { circuitBreaker } from 'tripswitch/express';
import { circuitBreaker as fastifyBreaker } from 'tripswitch/fastify';
import { guardFetch } from 'tripswitch/fetch';
import { type IoredisClient, type NodeRedisClient, type RedisStore, redisStore } from 'tripswitch/redis';
import { manualClock } from 'tripswitch/testing';
import { type UpstashStore, upstashStore } from 'tripswitch/upstash';

const clock = manualClock();
const breaker = createBreaker({ name: 'api', clock, window: { size: 20 }, resetTimeoutMs: exponentialBackoff() });
breaker.on('open', (event) => event.reason satisfies string);
const length = wrap(async (text: string) => text.length, { timeoutMs: 1000, fallback: (_error, text) => text.length });
const result: Promise<number> = length('abc');
const guarded = guardFetch({ timeoutMs: 5000, maxKeys: 10 });
export const checks = [result, guarded.registry.size, breaker.stats().totals.calls];
breaker.execute(({ signal }) => signal.aborted).catch((error: unknown) => isCircuitOpenError(error) && error.retryAfterMs);
// @ts-expect-error failureThreshold (consecutive mode) cannot be given with window (rate mode)
createBreaker({ window: { size: 10 }, failureThreshold: 3 });
// @ts-expect-error the fallback must return the wrapped function's result type
wrap(async (text: string) => text.length, { fallback: () => 'none' });
// The middleware's option checks work with TypeScript 5.4 too.
// @ts-expect-error maxKeys goes with key
circuitBreaker({ maxKeys: 10 });
export const perRoute = circuitBreaker({ key: (req) => req.path, maxKeys: 10 }).registry;
// The Redis store types without ioredis or redis installed: the client is described by its shape.
export const shared = (client: IoredisClient | NodeRedisClient): RedisStore => redisStore({ client, quorum: 2, timeoutMs: 100 });
declare const someClient: IoredisClient;
createBreaker({ name: 'payments', store: shared(someClient) }).stats();
export const fleet = (client: IoredisClient) =>
  createBreaker({ name: 'payments', store: redisStore({ client, counting: 'fleet' }) }).stats().fleet;
// @ts-expect-error a URL is not a client
redisStore({ client: 'redis://localhost:6379' });
// The Fastify plugin (with its route opt-out typed) and the axios guard.
const app = Fastify();
app.register(fastifyBreaker, { key: (request) => request.url, maxKeys: 10 });
app.get('/health', { config: { circuitBreaker: false } }, async () => 'up');
// app.tripswitch is undefined where the plugin is not registered.
export const fastifyRegistry = app.tripswitch?.registry;
// @ts-expect-error possibly undefined
app.tripswitch.registry;
// The plugin's option checks hold through app.register, and onReject takes Fastify's style.
// @ts-expect-error failureThreshold belongs to the shared breaker
app.register(fastifyBreaker, { breaker, failureThreshold: 3 });
// @ts-expect-error maxKeys goes with key
app.register(fastifyBreaker, { maxKeys: 10 });
app.register(fastifyBreaker, { breaker, onReject: (_error, _request, reply) => reply.code(503).send() });
app.register(fastifyBreaker, { onReject: async (error) => ({ degraded: true, state: error.state }) });
export const unguard = guardAxios(axios.create(), { timeoutMs: 5000, isFailureResponse: (response) => response.status >= 500 });
// The REST store takes the real @upstash/redis client; a Redis URL or an ioredis-like shape does not do.
export const edge: UpstashStore = upstashStore({
  client: new Redis({ url: 'https://example.test', token: 't' }),
  refreshMs: 500,
});
// @ts-expect-error a URL is not a client
upstashStore({ client: 'https://example.test' });
