import { circuitBreaker } from '../../src/adapters/koa.js';
import type { Breaker, Registry } from '../../src/index.js';
import { koaFramework } from './apps.js';
import { httpSuite } from './http-suite.js';

describe('tripswitch/koa', () => {
  httpSuite(koaFramework);

  test('the middleware exposes its breaker, or with key its registry', () => {
    const breaker: Breaker = circuitBreaker().breaker;
    const registry: Registry = circuitBreaker({ key: (ctx) => ctx.path, maxKeys: 10 }).registry;
    expect(breaker.state).toBe('closed');
    expect(registry.size).toBe(0);
  });
});
