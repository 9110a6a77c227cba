import { type Context, Hono } from 'hono';
import { circuitBreaker } from '../../src/adapters/hono.js';
import type { Breaker, Registry } from '../../src/index.js';
import { honoFramework } from './apps.js';
import { nextOutcome, signal } from './helpers.js';
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

  test("off Node.js (no outgoing response), a client that goes away is seen through the request's signal", async () => {
    const app = new Hono();
    const guard = circuitBreaker();
    app.use('*', guard);
    const entered = signal();
    app.get('/slow', async (c) => {
      entered.resolve();
      await new Promise<void>((resolve) => c.req.raw.signal.addEventListener('abort', () => resolve()));
      return c.text('late');
    });
    app.get('/ok', (c) => c.text('ok'));
    const outcome = nextOutcome(guard.breaker);
    const client = new AbortController();
    const answer = app.fetch(new Request('http://127.0.0.1/slow', { signal: client.signal }));
    await entered.promise;
    expect(guard.breaker.stats().inFlight).toBe(1);
    client.abort();
    expect((await outcome).type).toBe('ignore');
    await answer;
    expect(guard.breaker.stats()).toMatchObject({ inFlight: 0, totals: { ignored: 1, successes: 0, failures: 0 } });
    const next = nextOutcome(guard.breaker);
    expect(await (await app.fetch(new Request('http://127.0.0.1/ok'))).text()).toBe('ok');
    expect((await next).type).toBe('success');
  });

  test('the middleware exposes its breaker, or with key its registry', () => {
    const breaker: Breaker = circuitBreaker().breaker;
    const registry: Registry = circuitBreaker({ key: (c) => c.req.path }).registry;
    expect(breaker.state).toBe('closed');
    expect(registry.size).toBe(0);
  });
});
