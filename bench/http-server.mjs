// The servers measured by bench/http.mjs: three minimal apps of one framework in one process,
// on 127.0.0.1 with ephemeral ports: without middleware (`none`), with a no-op middleware
// (`noop`), and with the tripswitch middleware (`tripswitch`).
// `node bench/http-server.mjs <express|koa|hono> [variant]` prints {"none":port,...} (only
// `variant`'s app when given); then on stdin the line "cpu" prints this
// process's CPU time so far (user + system, µs) and the requests each app has answered, "stats"
// the tripswitch breaker's stats, "own" the time spent per request in the measured middleware;
// the end of stdin closes the servers.
//
// With the variant `own`, the process serves the no-op and the tripswitch app timed from inside
// (`noop` and `tripswitch` in the ports): a probe middleware before the measured one and another
// after it read performance.now() around it, on the way in and (Koa, Hono) on the way out, and
// two `close` listeners on the Node response, one added before the measured middleware runs and
// one after, read it around the middleware's own `close` listener. Each request's sum is the
// time of the measured middleware plus the framework's dispatch to it, the same for both apps.
import { once } from 'node:events';
import { createInterface } from 'node:readline';

const framework = process.argv[2];
const only = process.argv[3];
const own = only === 'own';
const { circuitBreaker } = await import(`../dist/adapters/${framework}.js`);
const { createBreaker } = await import('../dist/index.js');
// The Fastify plugin is registered, not called: it gets the breaker whose stats are read.
const guard = framework === 'fastify' ? { breaker: createBreaker() } : circuitBreaker();
const counts = { none: 0, noop: 0, tripswitch: 0 };
/** With `own`: per app, the requests timed and their summed time in ms. */
const timed = { noop: { requests: 0, ms: 0 }, tripswitch: { requests: 0, ms: 0 } };

const MIDDLEWARE = {
  express: { noop: (_req, _res, next) => next(), tripswitch: guard },
  koa: { noop: (_ctx, next) => next(), tripswitch: guard },
  hono: { noop: (_c, next) => next(), tripswitch: guard },
  fastify: {
    noop: encapsulated((app, _options, done) => {
      app.addHook('onRequest', (_request, _reply, next) => next());
      done();
    }),
    tripswitch: circuitBreaker,
  },
};

/** A plugin whose hooks go to the context it is registered in, as fastify-plugin would mark it. */
function encapsulated(plugin) {
  plugin[Symbol.for('skip-override')] = true;
  return plugin;
}

/** The timing of one request (with `own`): `mark` is the last reading, `ms` the time summed. */
const TIMING = Symbol('timing');
const now = () => performance.now();
/** Starts a request's timing on the Node response `res`; its first `close` listener marks the time. */
function begin(res) {
  const t = { mark: 0, ms: 0 };
  res[TIMING] = t;
  res.on('close', () => {
    t.mark = now();
  });
  t.mark = now();
  return t;
}
/** Adds the time since the last mark. */
function lap(res) {
  const t = res[TIMING];
  t.ms += now() - t.mark;
}
/** Ends a request's timing with its last `close` listener, added by the route handler. */
function finish(res, variant) {
  res.on('close', () => {
    lap(res);
    timed[variant].requests++;
    timed[variant].ms += res[TIMING].ms;
  });
}

const APPS = {
  async express(variant) {
    const { default: express } = await import('express');
    const app = express();
    if (own) {
      app.use((_req, res, next) => {
        begin(res);
        next();
      });
    }
    if (variant !== 'none') app.use(MIDDLEWARE.express[variant]);
    if (own) {
      app.use((_req, res, next) => {
        lap(res);
        next();
      });
    }
    app.get('/', (_req, res) => {
      counts[variant]++;
      if (own) finish(res, variant);
      res.send('hello');
    });
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return server;
  },
  async koa(variant) {
    const { default: Koa } = await import('koa');
    const app = new Koa();
    if (own) {
      app.use(async (ctx, next) => {
        const t = begin(ctx.res);
        await next();
        t.ms += now() - t.mark;
      });
    }
    if (variant !== 'none') app.use(MIDDLEWARE.koa[variant]);
    if (own) {
      app.use(async (ctx, next) => {
        lap(ctx.res);
        await next();
        ctx.res[TIMING].mark = now();
      });
    }
    app.use((ctx) => {
      counts[variant]++;
      if (own) finish(ctx.res, variant);
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
    if (own) {
      app.use('*', async (c, next) => {
        const t = begin(c.env.outgoing);
        await next();
        t.ms += now() - t.mark;
      });
    }
    if (variant !== 'none') app.use('*', MIDDLEWARE.hono[variant]);
    if (own) {
      app.use('*', async (c, next) => {
        lap(c.env.outgoing);
        await next();
        c.env.outgoing[TIMING].mark = now();
      });
    }
    app.get('/', (c) => {
      counts[variant]++;
      if (own) finish(c.env.outgoing, variant);
      return c.text('hello');
    });
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    if (!server.listening) await once(server, 'listening');
    return server;
  },
};

APPS.fastify = async (variant) => {
  const { default: Fastify } = await import('fastify');
  const app = Fastify();
  // Probes around the plugin's hooks in each phase it hooks: plugins, so they load in order with it.
  if (own) {
    app.register(
      encapsulated((a, _o, done) => {
        a.addHook('onRequest', (_q, reply, next) => next(void (reply.raw[TIMING] = { mark: now(), ms: 0 })));
        a.addHook('onSend', (_q, reply, payload, next) => next(null, void (reply.raw[TIMING].mark = now()) ?? payload));
        a.addHook('onResponse', (_q, reply, next) => next(void (reply.raw[TIMING].mark = now())));
        done();
      }),
    );
  }
  if (variant !== 'none') app.register(MIDDLEWARE.fastify[variant], variant === 'tripswitch' ? { breaker: guard.breaker } : {});
  if (own) {
    app.register(
      encapsulated((a, _o, done) => {
        a.addHook('onRequest', (_q, reply, next) => next(void lap(reply.raw)));
        a.addHook('onSend', (_q, reply, payload, next) => next(null, void lap(reply.raw) ?? payload));
        a.addHook('onResponse', (_q, reply, next) => {
          lap(reply.raw);
          timed[variant].requests++;
          timed[variant].ms += reply.raw[TIMING].ms;
          next();
        });
        done();
      }),
    );
  }
  app.get('/', (_request, reply) => {
    counts[variant]++;
    reply.send('hello');
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app.server;
};

const variants = own ? ['noop', 'tripswitch'] : only === undefined ? Object.keys(counts) : [only];
const servers = {};
for (const variant of variants) servers[variant] = await APPS[framework](variant);
const ports = Object.fromEntries(Object.entries(servers).map(([v, s]) => [v, s.address().port]));
process.stdout.write(`${JSON.stringify(ports)}\n`);

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.stdout.write(`${JSON.stringify({ cpuMicros: user + system, user, system, counts })}\n`);
  } else if (line === 'own') {
    process.stdout.write(`${JSON.stringify(timed)}\n`);
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
