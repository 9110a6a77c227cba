import { createServer } from 'node:http';
import express, { type Request } from 'express';
import { circuitBreaker } from '../../src/adapters/express.js';
import { listen, stop } from './helpers.js';

// What the Express recipe relies on: in a route's own stack, req.route is the matched route,
// so a key built from it makes one breaker per route pattern, not one per concrete path.
test('mounted on each route, a key from req.baseUrl + req.route.path gives one breaker per route pattern', async () => {
  const perRoute = circuitBreaker({
    key: (req: Request) => `${req.method} ${req.baseUrl}${(req.route as { path: string } | undefined)?.path ?? req.path}`,
    maxKeys: 100,
  });
  const app = express();
  const users = express.Router();
  users.get('/:id', perRoute, (req, res) => {
    res.json({ id: req.params.id });
  });
  app.use('/users', users);
  app.get('/orders/:id', perRoute, (_req, res) => {
    res.json({});
  });
  const server = createServer(app);
  try {
    const base = await listen(server);
    for (const path of ['/users/1', '/users/2', '/users/3', '/orders/7', '/orders/8']) {
      expect((await fetch(base + path)).status).toBe(200);
    }
    expect([...perRoute.registry.keys()].sort()).toEqual(['GET /orders/:id', 'GET /users/:id']);
  } finally {
    await stop(server);
  }
});

test('with app.use, routing has not happened yet: req.route is undefined and req.path is the concrete path', async () => {
  const seen: unknown[] = [];
  const early = circuitBreaker({
    key: (req: Request) => {
      seen.push(req.route);
      return req.path;
    },
  });
  const app = express();
  app.use(early);
  app.get('/users/:id', (_req, res) => {
    res.end();
  });
  const server = createServer(app);
  try {
    const base = await listen(server);
    await fetch(`${base}/users/1`);
    await fetch(`${base}/users/2`);
    expect(seen).toEqual([undefined, undefined]);
    expect(early.registry.size).toBe(2);
  } finally {
    await stop(server);
  }
});
