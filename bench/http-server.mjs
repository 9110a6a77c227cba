// The servers measured by bench/http.mjs: one minimal app of a framework without the
// middleware and one with it, both on 127.0.0.1 with ephemeral ports.
// `node bench/http-server.mjs <express|koa|hono>` prints {"plain":port,"guarded":port};
// then the line "stats" on stdin prints the guarded breaker's totals, and the end of stdin
// closes both servers.
import { once } from 'node:events';
import { createInterface } from 'node:readline';

const framework = process.argv[2];
const { circuitBreaker } = await import(`../dist/adapters/${framework}.js`);
const guard = circuitBreaker();

const APPS = {
  async express(guarded) {
    const { default: express } = await import('express');
    const app = express();
    if (guarded) app.use(guard);
    app.get('/', (_req, res) => {
      res.send('hello');
    });
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return server;
  },
  async koa(guarded) {
    const { default: Koa } = await import('koa');
    const app = new Koa();
    if (guarded) app.use(guard);
    app.use((ctx) => {
      ctx.body = 'hello';
    });
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return server;
  },
  async hono(guarded) {
    const { Hono } = await import('hono');
    const { serve } = await import('@hono/node-server');
    const app = new Hono();
    if (guarded) app.use('*', guard);
    app.get('/', (c) => c.text('hello'));
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    if (!server.listening) await once(server, 'listening');
    return server;
  },
};

const plain = await APPS[framework](false);
const guarded = await APPS[framework](true);
process.stdout.write(`${JSON.stringify({ plain: plain.address().port, guarded: guarded.address().port })}\n`);

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line === 'stats') process.stdout.write(`${JSON.stringify(guard.breaker.stats())}\n`);
});
lines.on('close', () => {
  for (const server of [plain, guarded]) {
    server.closeAllConnections();
    server.close();
  }
});
