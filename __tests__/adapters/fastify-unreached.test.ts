// Requests whose handler never ran: refused by another breaker, answered by @fastify/rate-limit,
// unknown to Fastify (its 404 handler). None of them counts for a breaker.
import { request } from 'node:http';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance } from 'fastify';
import { circuitBreaker } from '../../src/adapters/fastify.js';
import { createBreaker, type Registry } from '../../src/index.js';
import { manualClock } from '../../src/testing/index.js';
import { nextOutcome } from './helpers.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  app?.server.closeAllConnections();
  await app?.close();
  app = undefined;
});
async function serve(build: (app: FastifyInstance) => Promise<void> | void): Promise<string> {
  app = Fastify();
  await build(app);
  return app.listen({ port: 0, host: '127.0.0.1' });
}

describe('a request another breaker refused', () => {
  test('counts for no breaker: the root breaker stays closed and healthy routes keep answering', async () => {
    let ran = 0;
    let perRoute: Registry | undefined;
    const url = await serve((a) => {
      // The layout docs/adapters/fastify.md shows: a root breaker, one per route in /api.
      a.register(circuitBreaker, { failureThreshold: 3 });
      a.get('/reports', async () => 'report');
      a.register(
        async (api) => {
          await api.register(circuitBreaker, { key: (request) => `${request.method} ${request.routeOptions.url}` });
          perRoute = api.tripswitch?.registry;
          api.get('/orders', async () => {
            ran++;
            return 'orders';
          });
        },
        { prefix: '/api' },
      );
    });
    const root = app?.tripswitch?.breaker;
    expect((await fetch(`${url}/api/orders`)).status).toBe(200);
    // The route's own breaker is isolated: its requests are refused, ten times.
    perRoute?.get('GET /api/orders').isolate();
    for (let i = 0; i < 10; i++) expect((await fetch(`${url}/api/orders`)).status).toBe(503);
    expect(ran).toBe(1);
    expect(root?.state).toBe('closed');
    expect(root?.stats()).toMatchObject({ inFlight: 0, totals: { successes: 1, failures: 0, ignored: 10 } });
    expect(await (await fetch(`${url}/reports`)).text()).toBe('report');
  });

  test('frees the root breaker’s half-open probe slot without closing or opening it', async () => {
    const clock = manualClock();
    const root = createBreaker({ clock, resetTimeoutMs: 1000 });
    const inner = createBreaker({ clock });
    const url = await serve((a) => {
      a.register(circuitBreaker, { breaker: root });
      a.register(async (child) => {
        await child.register(circuitBreaker, { breaker: inner });
        child.get('/payments', async () => 'paid');
      });
      a.get('/reports', async () => 'report');
    });
    root.open();
    clock.advance(1000);
    inner.isolate();
    const outcome = nextOutcome(root);
    expect((await fetch(`${url}/payments`)).status).toBe(503);
    expect((await outcome).type).toBe('ignore');
    expect(root.stats()).toMatchObject({ state: 'halfOpen', inFlight: 0 });
    // The slot is free: the next request is the probe, and it closes the breaker.
    expect((await fetch(`${url}/reports`)).status).toBe(200);
    expect(root.state).toBe('closed');
  });
});

describe('a 429 from @fastify/rate-limit (the handler never ran)', () => {
  for (const order of ['rate-limit first', 'tripswitch first'] as const) {
    test(`is ignored, never a successful probe (${order})`, async () => {
      const clock = manualClock();
      const breaker = createBreaker({ clock, resetTimeoutMs: 1000 });
      let ran = 0;
      const url = await serve(async (a) => {
        if (order === 'rate-limit first') {
          await a.register(rateLimit, { max: 1, timeWindow: 60_000 });
          await a.register(circuitBreaker, { breaker });
        } else {
          await a.register(circuitBreaker, { breaker });
          await a.register(rateLimit, { max: 1, timeWindow: 60_000 });
        }
        a.get('/work', async () => {
          ran++;
          return 'done';
        });
      });
      expect((await fetch(`${url}/work`)).status).toBe(200);
      breaker.open();
      clock.advance(1000);
      const outcome = nextOutcome(breaker);
      expect((await fetch(`${url}/work`)).status).toBe(429);
      expect(ran).toBe(1);
      expect((await outcome).type).toBe('ignore');
      expect(breaker.stats()).toMatchObject({ state: 'halfOpen', inFlight: 0 });
    });
  }
});

describe('a request answered before its handler ran', () => {
  test('a body Fastify cannot parse, a schema refusal and a hook’s 401 are ignored; the route’s own answers count', async () => {
    const breaker = createBreaker();
    let ran = 0;
    const url = await serve((a) => {
      a.register(circuitBreaker, { breaker });
      a.addHook('preValidation', async (request, reply) => {
        if (request.headers.authorization === undefined) return reply.code(401).send('who are you');
      });
      a.post<{ Body: { n: number } }>('/sum', { schema: { body: { type: 'object', required: ['n'] } } }, async (request) => {
        ran++;
        return { n: request.body.n };
      });
    });
    const post = (body: string, authorization = 'Bearer x') =>
      fetch(`${url}/sum`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body });
    expect((await post('{"n":')).status).toBe(400);
    expect((await post('{}')).status).toBe(400);
    expect(
      (await fetch(`${url}/sum`, { method: 'POST', body: '{"n":1}', headers: { 'content-type': 'application/json' } })).status,
    ).toBe(401);
    expect(ran).toBe(0);
    expect(breaker.stats()).toMatchObject({ inFlight: 0, totals: { calls: 3, ignored: 3, successes: 0, failures: 0 } });
    expect((await post('{"n":1}')).status).toBe(200);
    expect(breaker.stats().totals).toMatchObject({ ignored: 3, successes: 1 });
  });
});

test('a request whose upload outlasts connectionTimeout before its handler ran is ignored', async () => {
  const breaker = createBreaker();
  app = Fastify({ connectionTimeout: 100 });
  app.register(circuitBreaker, { breaker });
  app.post('/upload', async () => 'stored');
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const outcome = nextOutcome(breaker);
  const req = request(`${url}/upload`, { method: 'POST', headers: { 'content-type': 'text/plain', 'content-length': '100' } });
  req.on('error', () => {});
  req.write('only a part of it');
  expect((await outcome).type).toBe('ignore');
  expect(breaker.stats()).toMatchObject({ inFlight: 0, totals: { failures: 0 } });
  req.destroy();
});

describe('a URL Fastify does not know (its 404 handler)', () => {
  test('is not guarded: it gets 404 while the breaker is open, and is not counted', async () => {
    const breaker = createBreaker();
    const url = await serve((a) => {
      a.register(circuitBreaker, { breaker });
      a.get('/work', async () => 'done');
    });
    expect((await fetch(`${url}/nowhere`)).status).toBe(404);
    expect(breaker.stats().totals).toMatchObject({ calls: 0, rejected: 0 });
    breaker.isolate();
    expect((await fetch(`${url}/nowhere`)).status).toBe(404);
    expect((await fetch(`${url}/work`)).status).toBe(503);
    expect(breaker.stats().totals).toMatchObject({ calls: 0, rejected: 1 });
  });

  test('makes no breaker with a per-route key', async () => {
    const url = await serve((a) => {
      a.register(circuitBreaker, { key: (request) => `${request.method} ${request.routeOptions.url}` });
      a.get('/work', async () => 'done');
    });
    for (const path of ['/nowhere', '/else', '/work']) await fetch(`${url}${path}`);
    expect([...(app?.tripswitch?.registry ?? [])].map(([name]) => name)).toEqual(['GET /work']);
  });
});
