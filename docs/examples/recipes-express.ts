import express, { type Request } from 'express';
import { circuitBreaker } from 'tripswitch/express';

const app = express();

// One breaker per route: while a route's breaker is open, it answers 503 with Retry-After.
const perRoute = circuitBreaker({ key: (req: Request) => req.path, failureThreshold: 10, resetTimeoutMs: 15_000 });
app.use('/api', perRoute);
app.get('/api/report', (_req, res) => {
  res.json({ ok: true });
});

export { app, perRoute };
