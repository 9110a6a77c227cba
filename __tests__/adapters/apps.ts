import { createServer, type Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import express from 'express';
import { Hono } from 'hono';
import Koa from 'koa';
import { circuitBreaker as expressBreaker } from '../../src/adapters/express.js';
import { circuitBreaker as honoBreaker } from '../../src/adapters/hono.js';
import { circuitBreaker as koaBreaker } from '../../src/adapters/koa.js';
import type { Breaker, CircuitOpenError, Registry } from '../../src/index.js';
import { listen, signal, stop } from './helpers.js';

/**
 * One test app per framework, with the same routes behind the middleware:
 * /ok (200), /status/:code, /throw (an Error), /throw-async, /throw/:code (an error with
 * `status`), /throw-code/:code (with `statusCode`), /hang (never answers until the client goes).
 */
export interface App {
  readonly url: string;
  /** The paths whose handler ran. */
  readonly ran: string[];
  /** The errors that reached the framework's error handling. */
  readonly errors: unknown[];
  readonly handle: { readonly breaker?: Breaker; readonly registry?: Registry };
  /** Resolves when the next /hang request reaches its handler. */
  hangStarted(): Promise<void>;
  close(): Promise<void>;
}

export interface Framework {
  readonly name: string;
  start(options: Record<string, unknown>): Promise<App>;
  /** A `key` option that keys requests by `fn(path)`. */
  key(fn: (path: string) => unknown): unknown;
  /** An `onReject` that answers 503 with the text `busy <state>`. */
  busy(): unknown;
  /** An `onReject` that throws `error`. */
  throwing(error: Error): unknown;
  /** How many distinct keys the flood test sends through `direct`. @default 100000 */
  readonly floodSize?: number;
  /** Sends one request through the middleware without HTTP, keyed by `path`. */
  direct(middleware: unknown, path: string): Promise<void>;
}

const fail = (status: number, prop: 'status' | 'statusCode' = 'status') =>
  Object.assign(new Error(`failed ${status}`), { [prop]: status });

function recorder() {
  const ran: string[] = [];
  const errors: unknown[] = [];
  let hang = signal();
  return {
    ran,
    errors,
    hangStarted: () => hang.promise,
    hung: () => {
      hang.resolve();
      hang = signal();
    },
  };
}

async function started(server: Server, r: ReturnType<typeof recorder>, handle: App['handle']): Promise<App> {
  const url = await listen(server);
  return { url, ran: r.ran, errors: r.errors, handle, hangStarted: r.hangStarted, close: () => stop(server) };
}

export const expressFramework: Framework = {
  name: 'express',
  async start(options) {
    const r = recorder();
    const app = express();
    const middleware = expressBreaker(options as Parameters<typeof expressBreaker>[0]);
    app.use(middleware);
    app.use((req, _res, next) => {
      r.ran.push(req.path);
      next();
    });
    app.get('/ok', (_req, res) => {
      res.send('ok');
    });
    app.get('/status/:code', (req, res) => {
      res.status(Number(req.params.code)).send('status');
    });
    app.get('/throw', () => {
      throw new Error('boom');
    });
    app.get('/throw-async', async () => {
      throw new Error('boom');
    });
    app.get('/throw/:code', (req) => {
      throw fail(Number(req.params.code));
    });
    app.get('/throw-code/:code', (req) => {
      throw fail(Number(req.params.code), 'statusCode');
    });
    app.get('/hang', () => r.hung());
    app.use((error: unknown, _req: express.Request, _res: express.Response, next: express.NextFunction) => {
      r.errors.push(error);
      next(error);
    });
    return started(createServer(app), r, middleware);
  },
  key: (fn) => (req: express.Request) => fn(req.path),
  busy: () => (error: CircuitOpenError, _req: express.Request, res: express.Response) => {
    res.status(503).type('text/plain').send(`busy ${error.state}`);
  },
  throwing: (error) => () => {
    throw error;
  },
  direct(middleware, path) {
    const res = { statusCode: 200, on: () => res, once: () => res };
    (middleware as (req: unknown, res: unknown, next: () => void) => void)({ path }, res, () => {});
    return Promise.resolve();
  },
};

export const koaFramework: Framework = {
  name: 'koa',
  async start(options) {
    const r = recorder();
    const app = new Koa();
    app.on('error', (error) => r.errors.push(error));
    const middleware = koaBreaker(options as Parameters<typeof koaBreaker>[0]);
    app.use(middleware);
    app.use(async (ctx) => {
      r.ran.push(ctx.path);
      const [, route, code] = ctx.path.split('/');
      if (route === 'ok') ctx.body = 'ok';
      else if (route === 'status') {
        ctx.status = Number(code);
        ctx.body = 'status';
      } else if (route === 'throw') throw code === undefined ? new Error('boom') : fail(Number(code));
      else if (route === 'throw-async') await Promise.reject(new Error('boom'));
      else if (route === 'throw-code') throw fail(Number(code), 'statusCode');
      else if (route === 'hang') {
        await new Promise((resolve) => {
          ctx.res.once('close', resolve);
          r.hung();
        });
      }
    });
    return started(createServer(app.callback()), r, middleware);
  },
  key: (fn) => (ctx: Koa.Context) => fn(ctx.path),
  busy: () => (error: CircuitOpenError, ctx: Koa.Context) => {
    ctx.status = 503;
    ctx.body = `busy ${error.state}`;
  },
  throwing: (error) => async () => {
    throw error;
  },
  direct(middleware, path) {
    const res = { statusCode: 200, on: () => res, once: () => res };
    return (middleware as (ctx: unknown, next: () => Promise<void>) => Promise<void>)({ path, res }, async () => {});
  },
};

export const honoFramework: Framework = {
  name: 'hono',
  async start(options) {
    const r = recorder();
    const app = new Hono();
    app.onError((error, c) => {
      r.errors.push(error);
      const { status, statusCode } = error as { status?: number; statusCode?: number };
      return c.text('error', (status ?? statusCode ?? 500) as 500);
    });
    const middleware = honoBreaker(options as Parameters<typeof honoBreaker>[0]);
    app.use(middleware);
    app.use(async (c, next) => {
      r.ran.push(c.req.path);
      await next();
    });
    app.get('/ok', (c) => c.text('ok'));
    app.get('/status/:code', (c) => c.text('status', Number(c.req.param('code')) as 500));
    app.get('/throw', () => {
      throw new Error('boom');
    });
    app.get('/throw-async', async () => {
      throw new Error('boom');
    });
    app.get('/throw/:code', (c) => {
      throw fail(Number(c.req.param('code')));
    });
    app.get('/throw-code/:code', (c) => {
      throw fail(Number(c.req.param('code')), 'statusCode');
    });
    app.get(
      '/hang',
      (c) =>
        new Promise<Response>((resolve) => {
          c.req.raw.signal.addEventListener('abort', () => resolve(c.text('gone')));
          r.hung();
        }),
    );
    return started(createAdaptorServer({ fetch: app.fetch }) as Server, r, middleware);
  },
  key: (fn) => (c: { req: { path: string } }) => fn(c.req.path),
  busy: () => (error: CircuitOpenError) => new Response(`busy ${error.state}`, { status: 503 }),
  throwing: (error) => () => {
    throw error;
  },
  async direct(middleware, path) {
    const c = { req: { path, raw: {} }, res: { status: 200 }, error: undefined };
    await (middleware as (c: unknown, next: () => Promise<void>) => Promise<unknown>)(c, async () => {});
  },
};
