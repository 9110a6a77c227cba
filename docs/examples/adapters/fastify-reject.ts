import Fastify from 'fastify';
import { createBreaker } from 'tripswitch';
import { circuitBreaker } from 'tripswitch/fastify';

const app = Fastify();
const search = createBreaker({ name: 'search' });
const recommendations = createBreaker({ name: 'recommendations' });
const payments = createBreaker({ name: 'payments' });

// Returns a body: it is sent with status 503.
app.register(async (scope) => {
  await scope.register(circuitBreaker, { breaker: search, onReject: () => ({ results: [], degraded: true }) });
  scope.get('/search', async () => ({ results: ['a', 'b'] }));
});

// Sends, as a handler does: any status, any headers.
app.register(async (scope) => {
  await scope.register(circuitBreaker, {
    breaker: recommendations,
    onReject: (_error, _request, reply) => reply.code(200).header('x-degraded', '1').send({ items: [] }),
  });
  scope.get('/recommendations', async () => ({ items: ['x'] }));
});

// Only logs: the default 503 (Retry-After and the JSON body) goes out after it.
app.register(async (scope) => {
  await scope.register(circuitBreaker, {
    breaker: payments,
    onReject: (error, request) => {
      request.log.warn({ state: error.state, retryAfterMs: error.retryAfterMs }, 'payments refused');
    },
  });
  scope.post('/payments', async () => ({ paid: true }));
});

await app.listen({ port: 3000 });
