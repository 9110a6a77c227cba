import { createServer } from 'node:http';
import express from 'express';
import { circuitBreaker } from '../../src/adapters/express.js';
import type { Breaker, Registry } from '../../src/index.js';
import { expressFramework } from './apps.js';
import { listen, nextOutcome, stop } from './helpers.js';
import { httpSuite } from './http-suite.js';

describe('tripswitch/express', () => {
  httpSuite(expressFramework);

  test.each([
    [200, 'success'],
    [503, 'failure'],
  ])('the status an error handler answers with decides: %i is a %s', async (status, type) => {
    const guard = circuitBreaker();
    const app = express();
    app.use(guard);
    app.get('/', () => {
      throw new Error('boom');
    });
    app.use((_error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(status).send('handled');
    });
    const server = createServer(app);
    const url = await listen(server);
    try {
      const outcome = nextOutcome(guard.breaker);
      expect((await fetch(url)).status).toBe(status);
      expect((await outcome).type).toBe(type);
    } finally {
      await stop(server);
    }
  });

  test('the middleware exposes its breaker, or with key its registry', () => {
    const single = circuitBreaker({ failureThreshold: 3 });
    const keyed = circuitBreaker({ key: (req) => req.path });
    const breaker: Breaker = single.breaker;
    const registry: Registry = keyed.registry;
    expect(breaker.state).toBe('closed');
    expect(registry.size).toBe(0);
    // @ts-expect-error: a keyed middleware has no single breaker
    expect(keyed.breaker).toBeUndefined();
    // @ts-expect-error: timeoutMs is not a middleware option
    expect(() => circuitBreaker({ timeoutMs: 1000 })).toThrow(TypeError);
  });
});
