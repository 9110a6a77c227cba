// The servers measured by bench/http.mjs: three minimal apps of one framework in one process,
// on 127.0.0.1 with ephemeral ports: without middleware (`none`), with a no-op middleware
// (`noop`), and with the tripswitch middleware (`tripswitch`).
// `node bench/http-server.mjs <express|koa|hono>` prints {"none":port,"noop":port,"tripswitch":port};
// then on stdin the line "cpu" prints this process's CPU time so far (user + system, µs) and
// the requests each app has answered, "stats" the tripswitch breaker's stats; the end of
// stdin closes the servers.
import { once } from 'node:events';
import { createInterface } from 'node:readline';

const framework = process.argv[2];
const { circuitBreaker } = await import(`../dist/adapters/${framework}.js`);
const guard = circuitBreaker();
const counts = { none: 0, noop: 0, tripswitch: 0 };

const MIDDLEWARE = {
  express: { noop: (_req, _res, next) => next(), tripswitch: guard },
  koa: { noop: (_ctx, next) => next(), tripswitch: guard },
  hono: { noop: (_c, next) => next(), tripswitch: guard },
};

const APPS = {
  async express(variant) {
    const { default: express } = await import('express');
    const app = express();
    if (variant !== 'none') app.use(MIDDLEWARE.express[variant]);
    app.get('/', (_req, res) => {
      counts[variant]++;
      res.send('hello');
    });
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return server;
  },
  async koa(variant) {
    const { default: Koa } = await import('koa');
    const app = new Koa();
    if (variant !== 'none') app.use(MIDDLEWARE.koa[variant]);
    app.use((ctx) => {
      counts[variant]++;
      ctx.body = 'hello';
    });
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return server;
  },
  async hono(variant) {
    const { Hono } = await import('hono');
    const { serve } = await import('@hono/node-server');
    const app = new Hono();
    if (variant !== 'none') app.use('*', MIDDLEWARE.hono[variant]);
    app.get('/', (c) => {
      counts[variant]++;
      return c.text('hello');
    });
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    if (!server.listening) await once(server, 'listening');
    return server;
  },
};

// `node bench/http-server.mjs <framework> <variant>` starts that variant alone.
const only = process.argv[3];
const servers = {};
for (const variant of Object.keys(counts)) if (only === undefined || only === variant) servers[variant] = await APPS[framework](variant);
const ports = Object.fromEntries(Object.entries(servers).map(([v, s]) => [v, s.address().port]));
process.stdout.write(`${JSON.stringify(ports)}\n`);

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line === 'gc') {
    // A collection between runs, so that none inherits the garbage of the one before.
    globalThis.gc?.();
    process.stdout.write('{}\n');
  } else if (line === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.stdout.write(`${JSON.stringify({ cpuMicros: user + system, user, system, counts })}\n`);
  } else if (line === 'stats') {
    process.stdout.write(`${JSON.stringify(guard.breaker.stats())}\n`);
  }
});
lines.on('close', () => {
  for (const server of Object.values(servers)) {
    server.closeAllConnections();
    server.close();
  }
});
