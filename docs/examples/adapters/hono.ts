import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { createBreaker } from 'tripswitch';
import { circuitBreaker } from 'tripswitch/hono';

const app = new Hono();

// One breaker for the reports: five failures in a row open it for 10 s.
const reports = circuitBreaker({ failureThreshold: 5, resetTimeoutMs: 10_000 });
app.use('/reports/*', reports);
app.get('/reports/daily', (c) => c.json({ total: 42 }));
// A thrown HTTPException counts by its status: 404 is not a failure, 503 is.
app.get('/reports/:id', (c) => {
  throw new HTTPException(404, { message: `no report ${c.req.param('id')}` });
});

// One breaker per tenant, at most 10,000 of them.
app.use(
  '/api/*',
  circuitBreaker({
    key: (c) => c.req.header('x-tenant') ?? 'anonymous',
    maxKeys: 10_000,
    window: { durationMs: 60_000 },
  }),
);
app.get('/api/orders', (c) => c.json([]));

// A breaker shared with other code, and a response of our own when it rejects.
const search = createBreaker({ name: 'search' });
app.use(
  '/search',
  circuitBreaker({
    breaker: search,
    onReject: (error, c) => c.json({ results: [], degraded: true, state: error.state }, 503),
  }),
);
app.get('/search', (c) => c.json({ results: ['a', 'b'] }));

reports.breaker.on('open', (event) => console.log(`reports opened (${event.reason})`));
serve({ fetch: app.fetch, port: 3000 });
