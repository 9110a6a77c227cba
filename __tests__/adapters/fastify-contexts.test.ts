import { request } from 'node:http';
import { Readable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { circuitBreaker } from '../../src/adapters/fastify.js';
import { createBreaker } from '../../src/index.js';
import { nextOutcome, signal } from './helpers.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  app?.server.closeAllConnections();
  await app?.close();
  app = undefined;
});
async function serve(build: (app: FastifyInstance) => void, options = {}): Promise<string> {
  app = Fastify(options);
  build(app);
  return app.listen({ port: 0, host: '127.0.0.1' });
}

test('registered at the root it guards every route, declared before or after it, in other contexts too', async () => {
  const breaker = createBreaker();
  const url = await serve((a) => {
    a.get('/early', async () => 'early');
    a.register(circuitBreaker, { breaker });
    a.get('/root', async () => 'root');
    a.register(async (child) => {
      child.get('/child', async () => 'child');
    });
  });
  for (const path of ['/early', '/root', '/child']) expect((await fetch(`${url}${path}`)).status).toBe(200);
  expect(breaker.stats().totals).toMatchObject({ calls: 3, successes: 3 });
});

test('registered in an encapsulated context it guards that context only', async () => {
  const breaker = createBreaker();
  const url = await serve((a) => {
    a.get('/outside', async () => 'outside');
    a.register(
      async (child) => {
        await child.register(circuitBreaker, { breaker, failureThreshold: undefined });
        child.get('/inside', async () => 'inside');
      },
      { prefix: '/api' },
    );
  });
  breaker.isolate();
  expect((await fetch(`${url}/outside`)).status).toBe(200);
  expect((await fetch(`${url}/api/inside`)).status).toBe(503);
  expect(breaker.stats().totals.rejected).toBe(1);
});

test('a route opts out with config: { circuitBreaker: false }', async () => {
  const breaker = createBreaker();
  const url = await serve((a) => {
    a.register(circuitBreaker, { breaker });
    a.get('/health', { config: { circuitBreaker: false } }, async () => 'up');
    a.get('/work', async () => 'done');
  });
  breaker.isolate();
  expect(await (await fetch(`${url}/health`)).text()).toBe('up');
  expect((await fetch(`${url}/work`)).status).toBe(503);
  expect(breaker.stats().totals).toMatchObject({ calls: 0, rejected: 1 });
});

test('a root guard and a stricter one in a context both count a request of that context', async () => {
  const outer = createBreaker();
  const inner = createBreaker();
  const url = await serve((a) => {
    a.register(circuitBreaker, { breaker: outer });
    a.register(async (child) => {
      await child.register(circuitBreaker, { breaker: inner });
      child.get('/payments', async (_request, reply) => reply.code(502).send('down'));
      expect(child.tripswitch?.breaker).toBe(inner);
    });
  });
  expect(app?.tripswitch?.breaker).toBe(outer);
  const counted = Promise.all([nextOutcome(outer), nextOutcome(inner)]);
  expect((await fetch(`${url}/payments`)).status).toBe(502);
  expect((await counted).map((o) => o.type)).toEqual(['failure', 'failure']);
});

test('a stream that fails after the headers went out is a failure', async () => {
  const breaker = createBreaker();
  const url = await serve((a) => {
    a.register(circuitBreaker, { breaker });
    a.get('/stream', (_request, reply) => {
      const body = new Readable({ read() {} });
      body.push('first part;');
      setImmediate(() => body.destroy(Object.assign(new Error('disk gone'), { status: 500 })));
      reply.type('text/plain').send(body);
    });
  });
  const outcome = nextOutcome(breaker);
  await expect(fetch(`${url}/stream`).then((r) => r.text())).rejects.toThrow();
  const { type, event } = await outcome;
  expect(type).toBe('failure');
  expect((event as { error: Error }).error.message).toBe('disk gone');
});

test('a hijacked reply counts by the status written to the raw response', async () => {
  const breaker = createBreaker();
  const url = await serve((a) => {
    a.register(circuitBreaker, { breaker });
    a.get<{ Params: { code: string } }>('/raw/:code', (req, reply) => {
      reply.hijack();
      reply.raw.writeHead(Number(req.params.code), { 'Content-Type': 'text/plain' });
      reply.raw.end('raw');
    });
  });
  for (const [code, type] of [
    ['200', 'success'],
    ['503', 'failure'],
  ]) {
    const outcome = nextOutcome(breaker);
    const res = await fetch(`${url}/raw/${code}`);
    expect(await res.text()).toBe('raw');
    expect((await outcome).type).toBe(type);
  }
});

test("a request that outlasts Fastify's connectionTimeout is a failure", async () => {
  const breaker = createBreaker();
  const entered = signal();
  const url = await serve(
    (a) => {
      a.register(circuitBreaker, { breaker });
      a.get('/slow', (req, reply) => {
        req.raw.once('close', () => reply.send('late'));
        entered.resolve();
      });
    },
    { connectionTimeout: 50 },
  );
  const outcome = nextOutcome(breaker);
  const req = request(`${url}/slow`);
  const closed = new Promise((resolve) => req.on('error', resolve).on('close', resolve));
  req.end();
  await entered.promise;
  const { type, event } = await outcome;
  expect(type).toBe('failure');
  expect((event as { error: Error }).error.message).toMatch(/connectionTimeout/);
  await closed;
  expect(breaker.stats().inFlight).toBe(0);
});

test('an onReject that sends nothing and rejects goes to the error handler', async () => {
  const breaker = createBreaker();
  const url = await serve((a) => {
    a.setErrorHandler((error, _request, reply) => {
      reply.code(500).send(`handled ${(error as Error).message}`);
    });
    a.register(circuitBreaker, { breaker, onReject: async () => Promise.reject(new Error('no fallback')) });
    a.get('/', async () => 'ok');
  });
  breaker.isolate();
  expect(await (await fetch(url)).text()).toBe('handled no fallback');
});

test('an onReject that throws a non-Error, or rejects after sending, never crashes the server', async () => {
  const breaker = createBreaker();
  const seen: unknown[] = [];
  const url = await serve((a) => {
    a.setErrorHandler((error, _request, reply) => {
      seen.push(error);
      reply.code(500).send('handled');
    });
    a.register(circuitBreaker, {
      breaker,
      onReject: async (_error, request, reply) => {
        if (request.url === '/string') throw 'busy';
        reply.code(503).send('sent first');
        throw new Error('after sending');
      },
    });
    a.get('/string', async () => 'ok');
    a.get('/sent', async () => 'ok');
  });
  breaker.isolate();
  expect(await (await fetch(`${url}/string`)).text()).toBe('handled');
  expect(seen).toEqual([new Error('busy')]);
  expect(await (await fetch(`${url}/sent`)).text()).toBe('sent first');
  expect(seen).toHaveLength(1);
});

describe('mistakes', () => {
  test('calling the plugin as a factory says how to register it', () => {
    expect(() => (circuitBreaker as unknown as (o: object) => unknown)({ failureThreshold: 3 })).toThrow(
      /circuitBreaker is a Fastify plugin: app.register\(circuitBreaker, options\), not app.register\(circuitBreaker\(options\)\)/,
    );
  });

  test('a Fastify option meant for the register call is an unknown option', async () => {
    await expect(serve((a) => a.register(circuitBreaker, { logLevel: 'info' } as never))).rejects.toThrow(
      'unknown option "logLevel"',
    );
  });
});
