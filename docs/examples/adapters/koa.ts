import Koa from 'koa';
import { createBreaker } from 'tripswitch';
import { circuitBreaker } from 'tripswitch/koa';

const app = new Koa();

// Koa's error handling still answers: register the breaker after your own error middleware,
// so that it sees the errors first.
app.use(async (ctx, next) => {
  try {
    await next();
  } catch (error) {
    ctx.status = (error as { status?: number }).status ?? 500;
    ctx.body = { error: 'internal' };
  }
});

// One breaker per first path segment: /orders/1 and /orders/2 share the 'orders' breaker.
const perRoute = circuitBreaker({
  key: (ctx) => ctx.path.split('/')[1] || 'root',
  maxKeys: 100,
  failureThreshold: 5,
  resetTimeoutMs: 10_000,
});
app.use(perRoute);

// A breaker shared with background jobs, and a response of our own when it rejects.
const payments = createBreaker({ name: 'payments' });
const guardPayments = circuitBreaker({
  breaker: payments,
  onReject: (error, ctx) => {
    ctx.status = 503;
    ctx.body = { error: 'payments are paused', state: error.state };
  },
});

app.use(async (ctx, next) => {
  if (ctx.path.startsWith('/pay')) return guardPayments(ctx, next);
  await next();
});
app.use((ctx) => {
  ctx.body = { ok: true, path: ctx.path };
});

perRoute.registry.on('open', (event) => console.log(`${event.name} opened (${event.reason})`));
app.listen(3000);
