import type { FastifyInstance } from 'fastify';
import type { Dashboard } from '../../src/dashboard/index.js';

/** The mount docs/examples/dashboard-fastify.ts shows, under `mount`: an onRequest hook, before Fastify reads a body. */
export function mountDashboard(app: FastifyInstance, mount: string, board: Dashboard): void {
  app.addHook('onRequest', (request, reply, done) => {
    const path = request.url.split('?', 1)[0];
    if (path !== mount && !path.startsWith(`${mount}/`)) {
      done();
      return;
    }
    reply.hijack();
    board.node(request.raw, reply.raw);
  });
}
