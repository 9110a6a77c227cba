import { createServer } from 'node:http';
import express, { type ErrorRequestHandler } from 'express';
import { Hono } from 'hono';
import Koa from 'koa';
import { circuitBreaker as expressBreaker } from '../../src/adapters/express.js';
import { guardFetch } from '../../src/adapters/fetch.js';
import { circuitBreaker as honoBreaker } from '../../src/adapters/hono.js';
import { circuitBreaker as koaBreaker } from '../../src/adapters/koa.js';
import { listen, stop } from './helpers.js';

const NOT_CALLED = /circuitBreaker must be called: app\.use\(circuitBreaker\(options\)\)/;

describe('a middleware factory passed without being called', () => {
  test('Express: the request fails with an error that says to call it', async () => {
    const app = express();
    const errors: string[] = [];
    app.use(expressBreaker as never);
    app.get('/', (_req, res) => {
      res.send('ok');
    });
    const handler: ErrorRequestHandler = (error, _req, res, _next) => {
      errors.push((error as Error).message);
      res.status(500).end();
    };
    app.use(handler);
    const server = createServer(app);
    try {
      const base = await listen(server);
      expect((await fetch(base)).status).toBe(500);
      expect(errors).toEqual([expect.stringMatching(NOT_CALLED)]);
    } finally {
      await stop(server);
    }
  });

  test('Koa and Hono: the same message', async () => {
    const koaCtx = new Koa().createContext({ headers: {}, method: 'GET', url: '/', socket: {} } as never, {} as never);
    expect(() => koaBreaker(koaCtx as never)).toThrow(NOT_CALLED);
    const app = new Hono();
    let message = '';
    app.use(honoBreaker as never);
    app.get('/', (c) => c.text('ok'));
    app.onError((error, c) => {
      message = error.message;
      return c.text('error', 500);
    });
    expect((await app.request('/')).status).toBe(500);
    expect(message).toMatch(NOT_CALLED);
  });

  test('a function given as the options says the same', () => {
    expect(() => expressBreaker((() => {}) as never)).toThrow(NOT_CALLED);
  });
});

describe('options that cannot go with one breaker per key', () => {
  test('guardFetch({ name }) says what to do, with no word of a registry', () => {
    const attempt = () => guardFetch({ name: 'api' } as never);
    expect(attempt).toThrow(TypeError);
    expect(attempt).toThrow(/name cannot be given to guardFetch: each origin's breaker is named by its key/);
    expect(attempt).not.toThrow(/registry/);
    expect(() => guardFetch({ initialState: {} } as never)).toThrow(/initialState cannot be given to guardFetch/);
  });

  test('a middleware with key and name says what to do, with no word of a registry', () => {
    const attempt = () => expressBreaker({ key: (req) => req.path, name: 'api' });
    expect(attempt).toThrow(/name cannot be given with key: each breaker is named by its key/);
    expect(attempt).not.toThrow(/registry/);
  });
});
