import express from 'express';
import { createBreaker } from 'tripswitch';
import { circuitBreaker } from 'tripswitch/express';

const app = express();

// One breaker for everything under /reports: five 5xx responses in a row open it for 10 s.
const reports = circuitBreaker({ failureThreshold: 5, resetTimeoutMs: 10_000 });
app.use('/reports', reports);
app.get('/reports/daily', async (_req, res) => {
  res.json({ total: 42 });
});

// One breaker per tenant, at most 10,000 of them; a failure rate over the last 50 requests.
app.use(
  '/api',
  circuitBreaker({
    key: (req) => req.get('x-tenant') ?? 'anonymous',
    maxKeys: 10_000,
    window: { size: 50 },
    failureRateThreshold: 0.5,
    slowCallDurationMs: 2_000,
  }),
);
app.get('/api/orders', (_req, res) => {
  res.json([]);
});

// A breaker shared with code outside HTTP, and a response of our own when it rejects.
const search = createBreaker({ name: 'search' });
app.use(
  '/search',
  circuitBreaker({
    breaker: search,
    onReject: (error, _req, res) => {
      res.status(503).json({ results: [], degraded: true, state: error.state });
    },
  }),
);
app.get('/search', (_req, res) => {
  res.json({ results: ['a', 'b'] });
});

// Errors thrown by handlers reach Express's error handling as usual: the status this handler
// answers with is what the breaker counts (here, an error's own status, else 500).
app.use((error: { status?: number }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
  res.status(error.status ?? 500).json({ error: 'internal' });
});

reports.breaker.on('open', (event) => console.log(`reports opened (${event.reason})`));
app.listen(3000);
