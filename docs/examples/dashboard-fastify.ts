import Fastify from 'fastify';
import { createBreaker } from 'tripswitch';
import { dashboard } from 'tripswitch/dashboard';

const payments = createBreaker({ name: 'payments', window: { size: 50 } });
const board = dashboard({
  sources: [payments],
  controls: true,
  authorize: (request) => request.headers.get('x-forwarded-user') !== null,
});

// On an internal port, never the public one. The dashboard's requests are handed to board.node
// in an onRequest hook, before Fastify reads their body (the dashboard reads a control's body
// itself); its URLs need no route.
const admin = Fastify();
admin.addHook('onRequest', (request, reply, done) => {
  const path = request.url.split('?', 1)[0];
  if (path !== '/breakers' && !path.startsWith('/breakers/')) {
    done();
    return;
  }
  reply.hijack(); // the dashboard writes the response itself; done is not called
  board.node(request.raw, reply.raw);
});
await admin.listen({ port: 9090, host: '127.0.0.1' });
