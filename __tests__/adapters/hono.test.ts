import type { Context } from 'hono';
import { circuitBreaker } from '../../src/adapters/hono.js';
import type { Breaker, Registry } from '../../src/index.js';
import { honoFramework } from './apps.js';
import { nextOutcome } from './helpers.js';
import { httpSuite } from './http-suite.js';

describe('tripswitch/hono', () => {
  httpSuite(honoFramework);

  test('something thrown that Hono does not handle is counted by its status and rethrown', async () => {
    const guard = circuitBreaker();
    const c = { req: { path: '/', raw: {} }, res: { status: 200 }, error: undefined } as unknown as Context;
    for (const [thrown, type] of [
      ['not an Error', 'failure'],
      [{ status: 404 }, 'success'],
    ] as const) {
      const outcome = nextOutcome(guard.breaker);
      await expect(guard(c, () => Promise.reject(thrown))).rejects.toBe(thrown);
      expect((await outcome).type).toBe(type);
    }
  });

  test('the middleware exposes its breaker, or with key its registry', () => {
    const breaker: Breaker = circuitBreaker().breaker;
    const registry: Registry = circuitBreaker({ key: (c) => c.req.path }).registry;
    expect(breaker.state).toBe('closed');
    expect(registry.size).toBe(0);
  });
});
