import { request } from 'node:http';
import { type Breaker, createBreaker } from '../../src/index.js';
import { manualClock } from '../../src/testing/index.js';
import type { App, Framework } from './apps.js';
import { nextOutcome, seen } from './helpers.js';

/** The rules every HTTP middleware follows, run against a real server of `framework`. */
export function httpSuite(framework: Framework): void {
  let app: App | undefined;
  const start = async (options: Record<string, unknown>): Promise<App> => {
    app = await framework.start(options);
    return app;
  };
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });
  const get = (a: App, path: string) => fetch(`${a.url}${path}`);
  const breakerOf = (a: App): Breaker => a.handle.breaker as Breaker;

  test('a successful response counts as a success and the handler runs', async () => {
    const a = await start({});
    const outcome = nextOutcome(breakerOf(a));
    const res = await get(a, '/ok');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
    expect((await outcome).type).toBe('success');
    expect(a.ran).toEqual(['/ok']);
  });

  test('5xx responses are failures and open the breaker at the threshold', async () => {
    const a = await start({ failureThreshold: 2, clock: manualClock() });
    for (const expected of ['closed', 'open']) {
      const outcome = nextOutcome(breakerOf(a));
      expect((await get(a, '/status/502')).status).toBe(502);
      const { type, event } = await outcome;
      expect(type).toBe('failure');
      expect((event as { error: { status: number } }).error.status).toBe(502);
      expect(breakerOf(a).state).toBe(expected);
    }
    expect(breakerOf(a).stats().totals).toMatchObject({ calls: 2, failures: 2, successes: 0 });
  });

  test('4xx responses are not failures by default', async () => {
    const a = await start({ failureThreshold: 1 });
    const outcome = nextOutcome(breakerOf(a));
    expect((await get(a, '/status/404')).status).toBe(404);
    expect((await outcome).type).toBe('success');
    expect(breakerOf(a).state).toBe('closed');
  });

  test('isFailureStatus decides which statuses are failures', async () => {
    const a = await start({ isFailureStatus: (status: number) => status === 429 });
    let outcome = nextOutcome(breakerOf(a));
    await get(a, '/status/429');
    expect((await outcome).type).toBe('failure');
    outcome = nextOutcome(breakerOf(a));
    await get(a, '/status/500');
    expect((await outcome).type).toBe('success');
  });

  test('a throwing isFailureStatus counts as a failure and is reported', async () => {
    const broken = new Error('predicate bug');
    const breaker = createBreaker();
    const reported: unknown[] = [];
    breaker.on('callbackError', ({ error, callback }) => reported.push({ error, callback }));
    const a = await start({
      breaker,
      isFailureStatus: () => {
        throw broken;
      },
    });
    const outcome = nextOutcome(breaker);
    expect((await get(a, '/ok')).status).toBe(200);
    expect((await outcome).type).toBe('failure');
    expect(reported).toEqual([{ error: broken, callback: 'isFailureStatus' }]);
  });

  test.each([
    ['/throw', 'failure', 500],
    ['/throw-async', 'failure', 500],
    ['/throw/503', 'failure', 503],
    ['/throw-code/502', 'failure', 502],
    ['/throw/404', 'success', 404],
    ['/throw-code/409', 'success', 409],
  ])('a thrown error counts by its status: %s is a %s', async (path, type, status) => {
    const a = await start({});
    const outcome = nextOutcome(breakerOf(a));
    expect((await get(a, path)).status).toBe(status);
    const counted = await outcome;
    expect(counted.type).toBe(type);
    if (type === 'failure') {
      const error = (counted.event as { error: { status?: number; statusCode?: number } }).error;
      expect(error.status ?? error.statusCode ?? 500).toBe(status);
    }
    expect(a.errors).toHaveLength(1);
  });

  test('a rejected request gets exactly the 503, and the handler does not run', async () => {
    const clock = manualClock();
    const breaker = createBreaker({ name: 'internal-db-name', clock, resetTimeoutMs: 1500 });
    const a = await start({ breaker });
    breaker.open();
    clock.advance(1);
    const res = await seen(await get(a, '/ok'));
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('2');
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.body).toBe('{"error":"circuit_open","retryAfter":2}');
    expect(JSON.stringify(res)).not.toContain('internal-db-name');
    expect(a.ran).toEqual([]);
    expect(breaker.stats().totals.rejected).toBe(1);
  });

  test('an isolated breaker rejects without Retry-After and with retryAfter null', async () => {
    const a = await start({});
    breakerOf(a).isolate();
    const res = await seen(await get(a, '/ok'));
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBeUndefined();
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.body).toBe('{"error":"circuit_open","retryAfter":null}');
    expect(a.ran).toEqual([]);
  });

  test('onReject writes the response instead', async () => {
    const a = await start({ onReject: framework.busy() });
    breakerOf(a).isolate();
    const res = await seen(await get(a, '/ok'));
    expect(res.status).toBe(503);
    expect(res.body).toBe('busy isolated');
    expect(a.ran).toEqual([]);
  });

  test('an onReject that throws goes to the framework error handling', async () => {
    const bug = new Error('onReject bug');
    const a = await start({ onReject: framework.throwing(bug) });
    breakerOf(a).isolate();
    expect((await get(a, '/ok')).status).toBe(500);
    expect(a.errors).toEqual([bug]);
    expect(a.ran).toEqual([]);
  });

  test('a shared breaker is used as given, and counts every request', async () => {
    const breaker = createBreaker({ failureThreshold: 2 });
    const a = await start({ breaker });
    expect(a.handle.breaker).toBe(breaker);
    for (let i = 0; i < 2; i++) {
      const outcome = nextOutcome(breaker);
      await get(a, '/status/500');
      await outcome;
    }
    expect(breaker.state).toBe('open');
    expect((await get(a, '/ok')).status).toBe(503);
  });

  test('key gives one breaker per key, at most maxKeys of them', async () => {
    const a = await start({ key: framework.key((path) => path.split('/')[1]), maxKeys: 2, failureThreshold: 1 });
    const registry = a.handle.registry!;
    let outcome = nextOutcome(registry);
    await get(a, '/status/500');
    expect((await outcome).event.name).toBe('status');
    expect(registry.get('status').state).toBe('open');
    outcome = nextOutcome(registry);
    expect((await get(a, '/ok')).status).toBe(200);
    await outcome;
    expect((await get(a, '/status/200')).status).toBe(503);
    expect([...registry.keys()].sort()).toEqual(['ok', 'status']);
    outcome = nextOutcome(registry);
    await get(a, '/throw-code/404');
    await outcome;
    expect(registry.size).toBe(2);
    // The open breaker is kept; the closed one made way.
    expect([...registry.keys()].sort()).toEqual(['status', 'throw-code']);
  });

  test('a flood of distinct keys leaves at most maxKeys breakers', async () => {
    const a = await start({ key: framework.key((path) => path), maxKeys: 100 });
    const registry = a.handle.registry!;
    registry.get('/kept').open();
    for (let i = 0; i < (framework.floodSize ?? 100_000); i++) await framework.direct(a.handle, `/flood/${i}`);
    expect(registry.size).toBe(100);
    expect(registry.has('/kept')).toBe(true);
    expect((await get(a, '/ok')).status).toBe(200);
    // 100,000 requests in-process take well under a second alone; a loaded machine needs more.
  }, 30_000);

  test.each([
    [
      'throws',
      (): unknown => {
        throw new Error('key bug');
      },
      'key bug',
    ],
    ['returns an empty string', (): unknown => '', 'key must return a non-empty string, got ""'],
    ['returns a number', (): unknown => 42, 'key must return a non-empty string, got 42'],
  ])('a key function that %s goes to error handling; the handler does not run', async (_, badKey: () => unknown, message) => {
    const a = await start({ key: framework.key((path) => (path === '/ok' ? 'ok' : badKey())) });
    expect((await get(a, '/status/200')).status).toBe(500);
    expect(a.errors).toHaveLength(1);
    expect((a.errors[0] as Error).message).toBe(message);
    expect(a.ran).toEqual([]);
    expect(a.handle.registry!.size).toBe(0);
    expect((await get(a, '/ok')).status).toBe(200);
  });

  test('a client that disconnects mid-request is ignored, freeing its probe slot', async () => {
    const clock = manualClock();
    const a = await start({ failureThreshold: 1, resetTimeoutMs: 1000, clock });
    const breaker = breakerOf(a);
    breaker.open();
    clock.advance(1000);
    expect(breaker.state).toBe('halfOpen');
    const outcome = nextOutcome(breaker);
    const req = request(`${a.url}/hang`);
    req.on('error', () => {});
    req.end();
    await a.hangStarted();
    expect(breaker.stats().inFlight).toBe(1);
    const busy = await seen(await get(a, '/ok'));
    expect(busy.status).toBe(503);
    expect(busy.headers['retry-after']).toBe('1');
    req.destroy();
    expect((await outcome).type).toBe('ignore');
    expect(breaker.stats()).toMatchObject({ state: 'halfOpen', inFlight: 0 });
    expect((await get(a, '/ok')).status).toBe(200);
    expect(breaker.state).toBe('closed');
  });

  describe('options', () => {
    test('timeoutMs is a TypeError that points to slowCallDurationMs', async () => {
      const attempt = framework.start({ timeoutMs: 1000 });
      await expect(attempt).rejects.toThrow(TypeError);
      await expect(attempt).rejects.toThrow(/timeoutMs .*slowCallDurationMs/);
    });

    test.each<[unknown, new () => Error, string]>([
      [{ breaker: createBreaker(), failureThreshold: 3 }, TypeError, 'breaker and failureThreshold cannot be given together'],
      [{ breaker: createBreaker(), key: () => 'k' }, TypeError, 'breaker and key cannot be given together'],
      [{ breaker: {} }, TypeError, 'breaker must be a breaker made by createBreaker(), got an object'],
      [{ key: 'path' }, TypeError, 'key must be a function, got "path"'],
      [{ maxKeys: 10 }, TypeError, 'maxKeys goes with key'],
      [{ key: () => 'k', maxKeys: 0 }, RangeError, 'maxKeys must be an integer >= 1, got 0'],
      [{ key: () => 'k', name: 'n' }, TypeError, 'name cannot be given with key'],
      [{ isFailureStatus: 500 }, TypeError, 'isFailureStatus must be a function, got 500'],
      [{ onReject: 'busy' }, TypeError, 'onReject must be a function, got "busy"'],
      [{ failureThreshold: 0 }, RangeError, 'failureThreshold must be an integer >= 1, got 0'],
      [{ maxSize: 10 }, TypeError, 'unknown option "maxSize"'],
      // Fastify hands a plugin registered with null options an empty object.
      ...(framework.name === 'fastify'
        ? []
        : [[null, TypeError, 'options must be an object, got null'] as [unknown, new () => Error, string]]),
    ])('bad options throw at creation: %p', async (options, type, message) => {
      const attempt = framework.start(options as Record<string, unknown>);
      await expect(attempt).rejects.toThrow(type);
      await expect(attempt).rejects.toThrow(message);
    });
  });
}
