// The differences docs/adapters/fastify.md claims between tripswitch/fastify and
// @fastify/circuit-breaker, each shown on both plugins over a listening server.
import fastifyCircuitBreaker from '@fastify/circuit-breaker';
import Fastify, { type FastifyInstance } from 'fastify';
import { circuitBreaker } from '../../src/adapters/fastify.js';
import { createBreaker } from '../../src/index.js';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) {
    app.server.closeAllConnections();
    await app.close();
  }
});

/** An app whose /work route answers `status` after `ms` of work, and records that the work finished. */
async function theirs(options: Record<string, unknown>, route: Record<string, unknown> = {}) {
  const app = Fastify();
  apps.push(app);
  await app.register(fastifyCircuitBreaker, options);
  const finished: string[] = [];
  app.get<{ Params: { status: string } }>('/work/:status', { preHandler: app.circuitBreaker(route) }, async (request, reply) => {
    finished.push(request.params.status);
    return reply.code(Number(request.params.status)).send('done');
  });
  app.get('/slow', { preHandler: app.circuitBreaker(route) }, async () => {
    await new Promise((resolve) => setTimeout(resolve, 30));
    finished.push('slow');
    return 'done';
  });
  return { url: await app.listen({ port: 0, host: '127.0.0.1' }), finished };
}

async function ours(options: Record<string, unknown>) {
  const app = Fastify();
  apps.push(app);
  await app.register(circuitBreaker, options);
  const finished: string[] = [];
  app.get<{ Params: { status: string } }>('/work/:status', async (request, reply) => {
    finished.push(request.params.status);
    return reply.code(Number(request.params.status)).send('done');
  });
  app.get('/slow', async () => {
    await new Promise((resolve) => setTimeout(resolve, 30));
    finished.push('slow');
    return 'done';
  });
  return { url: await app.listen({ port: 0, host: '127.0.0.1' }), finished, app };
}

test('a slow success: theirs answers 503 after the work is done; ours answers 200 and counts it slow', async () => {
  const them = await theirs({ timeout: 10, resetTimeout: 1 });
  const res = await fetch(`${them.url}/slow`);
  expect(res.status).toBe(503);
  expect(them.finished).toEqual(['slow']);

  const breaker = createBreaker({ slowCallDurationMs: 10 });
  const us = await ours({ breaker });
  const ok = await fetch(`${us.url}/slow`);
  expect(ok.status).toBe(200);
  expect(await ok.text()).toBe('done');
  expect(breaker.stats().window.slowCalls).toBe(1);
});

test('failures between successes: theirs counts only consecutive 5xx and stays closed; a rate window opens', async () => {
  const sequence = ['500', '500', '200', '500', '500', '200', '500', '500'];
  const them = await theirs({ threshold: 3, resetTimeout: 1 });
  for (const status of sequence) expect((await fetch(`${them.url}/work/${status}`)).status).toBe(Number(status));

  const breaker = createBreaker({ window: { size: 8 }, failureRateThreshold: 0.5, minimumCalls: 8 });
  const us = await ours({ breaker });
  for (const status of sequence) await fetch(`${us.url}/work/${status}`);
  expect(breaker.state).toBe('open');
});

test('the request that opens the circuit: theirs replaces its answer with a 503 without Retry-After; ours lets its 500 through', async () => {
  const them = await theirs({ threshold: 2, resetTimeout: 1 });
  await fetch(`${them.url}/work/500`);
  const replaced = await fetch(`${them.url}/work/500`);
  expect(replaced.status).toBe(503);
  expect(replaced.headers.get('retry-after')).toBeNull();
  expect(them.finished).toEqual(['500', '500']);

  const us = await ours({ failureThreshold: 2, resetTimeoutMs: 10_000 });
  await fetch(`${us.url}/work/500`);
  expect((await fetch(`${us.url}/work/500`)).status).toBe(500);
  const rejected = await fetch(`${us.url}/work/200`);
  expect(rejected.status).toBe(503);
  expect(rejected.headers.get('retry-after')).toBe('10');
  expect(us.finished).toEqual(['500', '500']);
});
