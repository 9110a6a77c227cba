// An app-level breaker around an inner one (a router's, or a route's with `key`): a request the
// inner breaker refused never reached a handler, so it counts for no breaker.
import { createServer, type Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import express from 'express';
import { Hono } from 'hono';
import Koa from 'koa';
import { circuitBreaker as expressBreaker } from '../../src/adapters/express.js';
import { circuitBreaker as honoBreaker } from '../../src/adapters/hono.js';
import { circuitBreaker as koaBreaker } from '../../src/adapters/koa.js';
import { type Breaker, createBreaker, type Registry } from '../../src/index.js';
import { manualClock } from '../../src/testing/index.js';
import { listen, nextOutcome, stop } from './helpers.js';

type Options = Record<string, unknown>;

/** An app with `outer` on everything: /reports, and /api/orders behind `inner` as well. */
interface Nested {
  readonly url: string;
  readonly outer: { readonly breaker?: Breaker };
  readonly inner: { readonly breaker?: Breaker; readonly registry?: Registry };
  /** How many times the /api/orders handler ran. */
  ran(): number;
  close(): Promise<void>;
}

interface Layout {
  readonly name: string;
  /** `inner` keyed by request path (`key` is true) or by its options. */
  start(outer: Options, inner: Options, keyed?: boolean): Promise<Nested>;
}

async function served(server: Server, parts: Omit<Nested, 'url' | 'close'>): Promise<Nested> {
  const url = await listen(server);
  return { url, ...parts, close: () => stop(server) };
}

const layouts: Layout[] = [
  {
    name: 'express, the inner breaker on a router',
    async start(outerOptions, innerOptions, keyed) {
      let ran = 0;
      const outer = expressBreaker(outerOptions as Parameters<typeof expressBreaker>[0]);
      const inner = expressBreaker({
        ...innerOptions,
        ...(keyed ? { key: (req: express.Request) => `${req.method} ${req.baseUrl}${req.path}` } : {}),
      } as Parameters<typeof expressBreaker>[0]);
      const app = express();
      app.use(outer);
      app.get('/reports', (_req, res) => {
        res.send('report');
      });
      const api = express.Router();
      api.use(inner);
      api.get('/orders', (_req, res) => {
        ran++;
        res.send('orders');
      });
      app.use('/api', api);
      return served(createServer(app), { outer, inner, ran: () => ran });
    },
  },
  {
    name: 'koa, the inner breaker on one route',
    async start(outerOptions, innerOptions, keyed) {
      let ran = 0;
      const outer = koaBreaker(outerOptions as Parameters<typeof koaBreaker>[0]);
      const inner = koaBreaker({
        ...innerOptions,
        ...(keyed ? { key: (ctx: Koa.Context) => `${ctx.method} ${ctx.path}` } : {}),
      } as Parameters<typeof koaBreaker>[0]);
      const app = new Koa();
      app.silent = true;
      app.use(outer);
      app.use((ctx, next) => (ctx.path.startsWith('/api/') ? inner(ctx, next) : next()));
      app.use((ctx) => {
        if (ctx.path === '/reports') ctx.body = 'report';
        else if (ctx.path === '/api/orders') {
          ran++;
          ctx.body = 'orders';
        }
      });
      return served(createServer(app.callback()), { outer, inner, ran: () => ran });
    },
  },
  {
    name: 'hono, the inner breaker on a sub-app',
    async start(outerOptions, innerOptions, keyed) {
      let ran = 0;
      const outer = honoBreaker(outerOptions as Parameters<typeof honoBreaker>[0]);
      const inner = honoBreaker({
        ...innerOptions,
        ...(keyed ? { key: (c: { req: { method: string; path: string } }) => `${c.req.method} ${c.req.path}` } : {}),
      } as Parameters<typeof honoBreaker>[0]);
      const app = new Hono();
      app.use(outer);
      app.get('/reports', (c) => c.text('report'));
      const api = new Hono();
      api.use(inner);
      api.get('/orders', (c) => {
        ran++;
        return c.text('orders');
      });
      app.route('/api', api);
      return served(createAdaptorServer({ fetch: app.fetch }) as Server, { outer, inner, ran: () => ran });
    },
  },
];

describe.each(layouts)('$name', (layout) => {
  let app: Nested | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });
  const get = (path: string) => fetch(`${app?.url}${path}`);

  test('a request the inner breaker refused counts for no breaker: the outer one stays closed', async () => {
    app = await layout.start({ failureThreshold: 3 }, {}, true);
    const outer = app.outer.breaker as Breaker;
    expect((await get('/api/orders')).status).toBe(200);
    // The route's own breaker is isolated: its requests are refused, ten times.
    app.inner.registry?.get('GET /api/orders').isolate();
    for (let i = 0; i < 10; i++) expect((await get('/api/orders')).status).toBe(503);
    expect(app.ran()).toBe(1);
    expect(outer.state).toBe('closed');
    expect(outer.stats()).toMatchObject({ inFlight: 0, totals: { successes: 1, failures: 0, ignored: 10 } });
    expect(await (await get('/reports')).text()).toBe('report');
  });

  test('it frees the outer breaker’s half-open probe slot without closing or opening it', async () => {
    const clock = manualClock();
    const outer = createBreaker({ clock, resetTimeoutMs: 1000 });
    const inner = createBreaker({ clock });
    app = await layout.start({ breaker: outer }, { breaker: inner });
    outer.open();
    clock.advance(1000);
    inner.isolate();
    const outcome = nextOutcome(outer);
    expect((await get('/api/orders')).status).toBe(503);
    expect((await outcome).type).toBe('ignore');
    expect(outer.stats()).toMatchObject({ state: 'halfOpen', inFlight: 0 });
    // The slot is free: the next request is the probe, and it closes the breaker.
    expect((await get('/reports')).status).toBe(200);
    expect(outer.state).toBe('closed');
  });

  test('a refusal answered by a throwing onReject (a 500 from the framework) counts for no breaker', async () => {
    const outer = createBreaker({ failureThreshold: 1 });
    const inner = createBreaker();
    const onReject = () => {
      throw new Error('onReject bug');
    };
    app = await layout.start({ breaker: outer }, { breaker: inner, onReject });
    inner.isolate();
    const outcome = nextOutcome(outer);
    expect((await get('/api/orders')).status).toBe(500);
    expect((await outcome).type).toBe('ignore');
    expect(outer.state).toBe('closed');
  });

  test('a request the outer breaker lets through is still counted by both', async () => {
    app = await layout.start({ failureThreshold: 3 }, {});
    const outer = app.outer.breaker as Breaker;
    const outcome = nextOutcome(outer);
    expect((await get('/api/orders')).status).toBe(200);
    expect((await outcome).type).toBe('success');
    expect(app.inner.breaker?.stats().totals.successes).toBe(1);
  });
});
