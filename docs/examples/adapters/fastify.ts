import Fastify from 'fastify';
import { createBreaker } from 'tripswitch';
import { circuitBreaker } from 'tripswitch/fastify';

const app = Fastify();

// Registered at the root: every route of the app, five 5xx responses in a row open it for 10 s.
await app.register(circuitBreaker, { failureThreshold: 5, resetTimeoutMs: 10_000 });
app.get('/reports/daily', async () => ({ total: 42 }));
// A route that must answer even when the breaker is open opts out.
app.get('/health', { config: { circuitBreaker: false } }, async () => 'up');

// Inside an encapsulated context: one breaker per route pattern for /api routes only, a
// failure rate over the last 50 requests, and slow responses counted.
app.register(
  async (api) => {
    await api.register(circuitBreaker, {
      key: (request) => `${request.method} ${request.routeOptions.url}`,
      maxKeys: 100,
      window: { size: 50 },
      failureRateThreshold: 0.5,
      slowCallDurationMs: 2_000,
    });
    api.get('/orders/:id', async (request) => ({ id: (request.params as { id: string }).id }));
    api.tripswitch?.registry?.on('open', (event) => console.log(`${event.name} opened (${event.reason})`));
  },
  { prefix: '/api' },
);

// A breaker shared with code outside HTTP, and a response of our own when it rejects: what
// onReject returns is sent, with status 503 (or it sends with reply, as a handler does).
const search = createBreaker({ name: 'search' });
app.register(async (scope) => {
  await scope.register(circuitBreaker, {
    breaker: search,
    onReject: (error) => ({ results: [], degraded: true, state: error.state }),
  });
  scope.get('/search', async () => ({ results: ['a', 'b'] }));
});

// app.tripswitch is undefined where the plugin is not registered (here it is, at the root).
app.tripswitch?.breaker?.on('open', (event) => console.log(`the app's breaker opened (${event.reason})`));
await app.listen({ port: 3000 });
