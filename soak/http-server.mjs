// A server behind one adapter's circuitBreaker middleware, run in its own process (node --expose-gc)
// so its heap can be measured alone. Talks to soak/http.mjs over IPC: sends its port, answers 'heap'.
import { createServer } from 'node:http';

const framework = process.argv[2];
const breakerOptions = { window: { size: 50 }, minimumCalls: 20, resetTimeoutMs: 20 };
let n = 0;
/** Counts every request, let through or not, ahead of the breaker. */
const count = () => n++;
/** Mostly 200; failure bursts that open the breaker; scattered 500s and thrown errors. */
function outcome() {
  if (n % 5000 < 300 || n % 31 === 0) return 500;
  if (n % 97 === 0) return 'throw';
  return 200;
}
const thrown = () => Object.assign(new Error('handler failed'), { status: 502 });

async function start() {
  const { circuitBreaker } = await import(`../dist/adapters/${framework}.js`);
  if (framework === 'express') {
    const { default: express } = await import('express');
    const app = express();
    app.use((_req, _res, next) => {
      count();
      next();
    });
    app.use(circuitBreaker(breakerOptions));
    app.get('/r', (_req, res) => {
      const o = outcome();
      if (o === 'throw') throw thrown();
      res.status(o).send('done');
    });
    app.use((error, _req, res, _next) => res.status(error.status ?? 500).send('error'));
    return createServer(app);
  }
  if (framework === 'koa') {
    const { default: Koa } = await import('koa');
    const app = new Koa();
    app.silent = true;
    app.use((_ctx, next) => {
      count();
      return next();
    });
    app.use(circuitBreaker(breakerOptions));
    app.use((ctx) => {
      const o = outcome();
      if (o === 'throw') throw thrown();
      ctx.status = o;
      ctx.body = 'done';
    });
    return createServer(app.callback());
  }
  const { Hono } = await import('hono');
  const { getRequestListener } = await import('@hono/node-server');
  const app = new Hono();
  app.use((_c, next) => {
    count();
    return next();
  });
  app.use(circuitBreaker(breakerOptions));
  app.get('/r', (c) => {
    const o = outcome();
    if (o === 'throw') throw thrown();
    return c.text('done', o);
  });
  app.onError((error, c) => c.text('error', error.status ?? 500));
  return createServer(getRequestListener(app.fetch));
}

const server = await start();
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', async (m) => {
  if (m === 'heap') {
    for (let i = 0; i < 3; i++) {
      global.gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
    process.send({ heap: process.memoryUsage().heapUsed });
  } else if (m === 'close') {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  }
});
