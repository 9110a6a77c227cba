// onReject's shapes: it sends, it returns a body (as a Fastify handler does), or it does neither
// (then the default 503 goes out): a rejected request never hangs.
import Fastify, { type FastifyInstance } from 'fastify';
import { circuitBreaker, type FastifyRejectHandler } from '../../src/adapters/fastify.js';
import { createBreaker } from '../../src/index.js';
import { seen } from './helpers.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  app?.server.closeAllConnections();
  await app?.close();
  app = undefined;
});

/**
 * One isolated breaker with `onReject` on GET /; resolves with what a client sees (never waiting
 * forever). `sends` counts the responses started (with an async onSend hook, as a compression or
 * CORS plugin adds, when `slowOnSend`).
 */
let sends = 0;
async function rejectedWith(onReject: FastifyRejectHandler, slowOnSend = false) {
  const breaker = createBreaker({ name: 'internal-name' });
  app = Fastify();
  sends = 0;
  app.addHook('onSend', async (_request, _reply, payload) => {
    sends++;
    if (slowOnSend) await new Promise((resolve) => setImmediate(resolve));
    return payload;
  });
  app.register(circuitBreaker, { breaker, onReject });
  app.get('/', async () => 'ok');
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  breaker.open(12_000);
  return seen(await fetch(url, { signal: AbortSignal.timeout(3000) }));
}

const DEFAULT_BODY = '{"error":"circuit_open","retryAfter":12}';

test('an onReject that only logs: the default 503 goes out', async () => {
  const logged: string[] = [];
  const response = await rejectedWith((error) => {
    logged.push(error.state);
  });
  expect(logged).toEqual(['open']);
  expect(response).toMatchObject({ status: 503, body: DEFAULT_BODY, headers: { 'retry-after': '12' } });
});

test('an async onReject that only logs: the default 503 goes out when its promise resolves', async () => {
  const response = await rejectedWith(async () => {
    await new Promise((resolve) => setImmediate(resolve));
  });
  expect(response).toMatchObject({ status: 503, body: DEFAULT_BODY });
});

test('an onReject that returns a body: it is sent, with status 503 unless onReject set another', async () => {
  expect(await rejectedWith(() => ({ results: [], degraded: true }))).toMatchObject({
    status: 503,
    body: '{"results":[],"degraded":true}',
  });
  await app?.close();
  expect(
    await rejectedWith(async (_error, _request, reply) => {
      reply.code(429).header('retry-after', '30');
      return 'slow down';
    }),
  ).toMatchObject({ status: 429, body: 'slow down', headers: { 'retry-after': '30' } });
});

test('an onReject that sends: what it sent goes out, whether it returns the reply or nothing', async () => {
  expect(await rejectedWith((_error, _request, reply) => reply.code(503).send('busy'))).toMatchObject({
    status: 503,
    body: 'busy',
  });
  await app?.close();
  expect(
    await rejectedWith(async (_error, _request, reply) => {
      reply.code(200).send('cached');
    }),
  ).toMatchObject({ status: 200, body: 'cached' });
});

test('an onReject that sends while an async onSend hook holds the response: one response, its own', async () => {
  expect(
    await rejectedWith((_error, _request, reply) => {
      reply.send('mine');
    }, true),
  ).toMatchObject({ status: 503, body: 'mine' });
  expect(sends).toBe(1);
  await app?.close();
  expect(
    await rejectedWith(async (_error, _request, reply) => {
      reply.send('mine, then a throw');
      throw new Error('after sending');
    }, true),
  ).toMatchObject({ status: 503, body: 'mine, then a throw' });
  expect(sends).toBe(1);
});

test('a body Fastify cannot serialize goes to its error handling, returned or resolved', async () => {
  const failed = { status: 503, body: expect.stringContaining('Do not know how to serialize a BigInt') };
  expect(await rejectedWith(() => ({ n: 1n }))).toMatchObject(failed);
  await app?.close();
  expect(await rejectedWith(async () => ({ n: 1n }))).toMatchObject(failed);
});
