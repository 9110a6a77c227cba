import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { circuitBreaker } from '../../src/adapters/fastify.js';
import type { CircuitOpenError } from '../../src/index.js';
import type { App, Framework } from './apps.js';
import { signal } from './helpers.js';

const fail = (status: number, prop: 'status' | 'statusCode' = 'status') =>
  Object.assign(new Error(`failed ${status}`), { [prop]: status });

let current: FastifyInstance | undefined;

/** The routes of the shared HTTP suite (see apps.ts) on a Fastify 5 app, listening on 127.0.0.1. */
export const fastifyFramework: Framework = {
  name: 'fastify',
  async start(options) {
    const ran: string[] = [];
    const errors: unknown[] = [];
    let hang = signal();
    const app = Fastify();
    current = app;
    app.setErrorHandler((error, _request, reply) => {
      errors.push(error);
      const { status, statusCode } = error as { status?: number; statusCode?: number };
      reply.code(statusCode ?? status ?? 500).send('error');
    });
    app.register(circuitBreaker, options as never);
    app.addHook('preHandler', (request, _reply, done) => {
      ran.push(new URL(request.url, 'http://x').pathname);
      done();
    });
    app.get('/ok', async () => 'ok');
    app.get<{ Params: { code: string } }>('/status/:code', (request, reply) => {
      reply.code(Number(request.params.code)).send('status');
    });
    app.get('/throw', () => {
      throw new Error('boom');
    });
    app.get('/throw-async', async () => {
      throw new Error('boom');
    });
    app.get<{ Params: { code: string } }>('/throw/:code', (request) => {
      throw fail(Number(request.params.code));
    });
    app.get<{ Params: { code: string } }>('/throw-code/:code', (request) => {
      throw fail(Number(request.params.code), 'statusCode');
    });
    // A route of its own: Fastify's 404 handler is not guarded.
    app.get('/flood/:id', async () => 'flood');
    app.get('/hang', (request, reply) => {
      request.raw.once('close', () => reply.send('gone'));
      hang.resolve();
      hang = signal();
    });
    // With bad options the plugin fails the boot: listen rejects, and nothing listens.
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const result: App = {
      url,
      ran,
      errors,
      handle: app.tripswitch ?? {},
      hangStarted: () => hang.promise,
      close: async () => {
        app.server.closeAllConnections();
        await app.close();
      },
    };
    return result;
  },
  key: (fn) => (request: FastifyRequest) => fn(new URL(request.url, 'http://x').pathname),
  busy: () => (error: CircuitOpenError, _request: FastifyRequest, reply: FastifyReply) => {
    reply.code(503).type('text/plain').send(`busy ${error.state}`);
  },
  throwing: (error) => () => {
    throw error;
  },
  // Fastify runs its hooks only in a served request: through inject, without sockets.
  floodSize: 10_000,
  async direct(_handle, path) {
    await current?.inject({ url: path });
  },
};
