import { createServer, type Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import express from 'express';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { circuitBreaker as expressBreaker } from '../../src/adapters/express.js';
import { circuitBreaker as honoBreaker } from '../../src/adapters/hono.js';
import type { Breaker } from '../../src/index.js';
import { listen, nextOutcome, stop } from './helpers.js';

// Server-sent events through the middleware: the outcome is the stream's, not its headers'.
// /events sends two events and ends; /broken sends one and then fails; /endless sends events
// until the client goes away.

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

interface SseApp {
  url: string;
  breaker: Breaker;
  close(): Promise<void>;
}

async function expressApp(): Promise<SseApp> {
  const app = express();
  const guard = expressBreaker({ failureThreshold: 1 });
  app.use(guard);
  const open = (res: express.Response) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    res.write('data: 1\n\n');
  };
  app.get('/events', async (_req, res) => {
    open(res);
    await tick();
    res.end('data: 2\n\n');
  });
  app.get('/broken', async (_req, res) => {
    open(res);
    await tick();
    res.destroy(new Error('feed died'));
  });
  app.get('/throws', async (_req, res) => {
    open(res);
    await tick();
    throw new Error('feed died'); // after the headers: Express's final handler cuts the connection
  });
  app.get('/endless', (_req, res) => {
    open(res);
    const timer = setInterval(() => res.write('data: more\n\n'), 5);
    res.on('close', () => clearInterval(timer));
  });
  app.use((_error: unknown, _req: express.Request, _res: express.Response, next: express.NextFunction) => next(_error));
  const server = createServer(app);
  return { url: await listen(server), breaker: guard.breaker, close: () => stop(server) };
}

async function honoApp(): Promise<SseApp> {
  const app = new Hono();
  const guard = honoBreaker({ failureThreshold: 1 });
  app.use(guard);
  app.get('/events', (c) =>
    streamSSE(c, async (stream) => {
      await stream.writeSSE({ data: '1' });
      await tick();
      await stream.writeSSE({ data: '2' });
    }),
  );
  // An event stream whose body fails midway (a feed that dies): the client sees it cut off.
  app.get('/broken', (c) => {
    let sent = false;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent) {
          await tick();
          controller.error(new Error('feed died'));
          return;
        }
        sent = true;
        controller.enqueue(new TextEncoder().encode('data: 1\n\n'));
      },
    });
    return c.newResponse(body, 200, { 'Content-Type': 'text/event-stream' });
  });
  // Hono's streamSSE catches what its callback throws, logs it and ends the stream cleanly:
  // the client, and so the breaker, see a complete stream.
  app.get('/swallowed', (c) =>
    streamSSE(
      c,
      async (stream) => {
        await stream.writeSSE({ data: '1' });
        await tick();
        throw new Error('feed died');
      },
      async () => {},
    ),
  );
  app.get('/endless', (c) =>
    streamSSE(c, async (stream) => {
      while (!stream.aborted && !stream.closed) {
        await stream.writeSSE({ data: 'more' });
        await tick();
      }
    }),
  );
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  return { url: await listen(server), breaker: guard.breaker, close: () => stop(server) };
}

describe.each([
  ['express', expressApp],
  ['hono', honoApp],
])('server-sent events through tripswitch/%s', (name, make) => {
  let app: SseApp;
  beforeEach(async () => {
    app = await make();
  });
  afterEach(() => app.close());

  test('a stream that ends cleanly counts as a success, when it ends', async () => {
    const outcome = nextOutcome(app.breaker);
    const response = await fetch(`${app.url}/events`);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(await response.text()).toMatch(/data: 1\n\n.*data: 2\n\n$/s);
    expect((await outcome).type).toBe('success');
    expect(app.breaker.stats()).toMatchObject({ state: 'closed', inFlight: 0 });
  });

  test('a stream that fails midway counts as a failure', async () => {
    const outcome = nextOutcome(app.breaker);
    const response = await fetch(`${app.url}/broken`);
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow('terminated');
    expect((await outcome).type).toBe('failure');
    expect(app.breaker.stats()).toMatchObject({ state: 'open', inFlight: 0, totals: { failures: 1 } });
  });

  if (name === 'hono') {
    test("streamSSE's callback throwing midway ends the stream cleanly (Hono catches it): a success", async () => {
      const outcome = nextOutcome(app.breaker);
      const response = await fetch(`${app.url}/swallowed`);
      expect(await response.text()).toBe('data: 1\n\nevent: error\ndata: feed died\n\n');
      expect((await outcome).type).toBe('success');
    });
  }

  if (name === 'express') {
    test('a handler that throws after the headers counts as a failure', async () => {
      const outcome = nextOutcome(app.breaker);
      const response = await fetch(`${app.url}/throws`);
      await expect(response.text()).rejects.toThrow('terminated');
      expect((await outcome).type).toBe('failure');
    });
  }

  test('a client that leaves an endless stream is ignored', async () => {
    const outcome = nextOutcome(app.breaker);
    const controller = new AbortController();
    const response = await fetch(`${app.url}/endless`, { signal: controller.signal });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    controller.abort();
    expect((await outcome).type).toBe('ignore');
    expect(app.breaker.stats()).toMatchObject({ state: 'closed', inFlight: 0, totals: { failures: 0 } });
  });
});
