import express, { type Request } from 'express';
import { circuitBreaker } from 'tripswitch/express';

const app = express();

// One breaker per route pattern ('GET /api/users/:id'), not per concrete path ('/api/users/42').
// The middleware goes in each route's own stack: there req.route is the matched route. (With
// app.use it runs before routing, when req.route is undefined and only req.path is known.)
const perRoute = circuitBreaker({
  key: (req: Request) => `${req.method} ${req.baseUrl}${req.route.path}`,
  maxKeys: 100, // a bound: a key that clients can vary (a path, a header) must never be unbounded
  failureThreshold: 10,
  resetTimeoutMs: 15_000,
});
app.get('/api/users/:id', perRoute, (req, res) => {
  res.json({ id: req.params.id });
});
app.get('/api/report', perRoute, (_req, res) => {
  res.json({ ok: true });
});

// Or one middleware per route, each with a breaker of its own: no key at all.
const exportBreaker = circuitBreaker({ name: 'export', failureThreshold: 3 });
app.get('/api/export', exportBreaker, (_req, res) => {
  res.json([]);
});

export { app, exportBreaker, perRoute };
