import axios, { type AxiosError, type AxiosInstance } from 'axios';
import { guardAxios } from '../../src/adapters/axios.js';
import { isCircuitOpenError } from '../../src/index.js';
import { manualClock } from '../../src/testing/index.js';
import { nextOutcome } from './helpers.js';
import { type Upstream, upstream } from './upstream.js';

let up: Upstream;
let api: AxiosInstance;
beforeEach(async () => {
  up = await upstream();
  api = axios.create({ baseURL: up.url });
});
afterEach(() => up.close());

const failed = (promise: Promise<unknown>): Promise<AxiosError> =>
  promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: AxiosError) => error,
  );

describe('a request cancelled with a CancelToken', () => {
  test('is ignored and releases its permit', async () => {
    const guard = guardAxios(api);
    for (let i = 0; i < 3; i++) {
      const source = axios.CancelToken.source();
      const outcome = nextOutcome(guard.registry);
      const pending = failed(api.get('/hang', { cancelToken: source.token }));
      await up.arrived();
      source.cancel('the user left');
      expect(axios.isCancel(await pending)).toBe(true);
      expect((await outcome).type).toBe('ignore');
      await up.gone();
    }
    expect(guard.registry.get(up.url).stats()).toMatchObject({ inFlight: 0, totals: { calls: 3, ignored: 3, failures: 0 } });
  });

  test('frees the half-open probe slot: the next healthy request is let through and closes the breaker', async () => {
    const clock = manualClock();
    const guard = guardAxios(api, { clock, failureThreshold: 1, resetTimeoutMs: 1000, halfOpenMaxCalls: 1 });
    await failed(api.get('/status/500'));
    clock.advance(1000);
    const source = axios.CancelToken.source();
    const probe = failed(api.get('/hang', { cancelToken: source.token }));
    await up.arrived();
    source.cancel();
    expect(axios.isCancel(await probe)).toBe(true);
    const response = await api.get('/ok');
    expect(response.status).toBe(200);
    expect(guard.registry.get(up.url).stats()).toMatchObject({ state: 'closed', inFlight: 0 });
    await up.gone();
  });

  test('a token cancelled after the response arrived changes nothing counted', async () => {
    const guard = guardAxios(api);
    const source = axios.CancelToken.source();
    expect((await api.get('/ok', { cancelToken: source.token })).status).toBe(200);
    source.cancel();
    await new Promise((resolve) => setImmediate(resolve));
    expect(guard.registry.get(up.url).stats()).toMatchObject({ inFlight: 0, totals: { successes: 1, ignored: 0 } });
  });
});

describe('axios timeouts count as timeouts, as guardFetch counts its own', () => {
  test.each([
    ["the request's timeout", { timeout: 50 }, {}],
    ["the instance's timeout, clarified as ETIMEDOUT", { transitional: { clarifyTimeoutError: true } }, { timeout: 50 }],
    ['guardAxios({ timeoutMs })', {}, { timeoutMs: 50 }],
  ] as const)('%s: totals.timeouts, a timeout event with the limit, and a failure', async (_, request, guardOrInstance) => {
    const { timeout, ...options } = guardOrInstance as { timeout?: number; timeoutMs?: number };
    if (timeout !== undefined) api.defaults.timeout = timeout;
    const guard = guardAxios(api, { failureThreshold: 1, ...options });
    const timeouts: unknown[] = [];
    guard.registry.on('timeout', (event) => timeouts.push(event));
    const error = await failed(api.get('/hang', request));
    expect(['ECONNABORTED', 'ETIMEDOUT']).toContain(error.code);
    expect(timeouts).toEqual([{ name: up.url, timeoutMs: 50 }]);
    expect(guard.registry.get(up.url).stats()).toMatchObject({
      state: 'open',
      inFlight: 0,
      totals: { calls: 1, failures: 1, timeouts: 1 },
    });
    await up.gone();
  });

  test('a refused connection is a failure but no timeout, even with a timeout set', async () => {
    const gone = await upstream();
    await gone.close();
    const instance = axios.create({ timeout: 5_000 });
    const guard = guardAxios(instance, { failureThreshold: 1 });
    expect((await failed(instance.get(`${gone.url}/ok`))).code).toBe('ECONNREFUSED');
    expect(guard.registry.get(gone.url).stats().totals).toMatchObject({ failures: 1, timeouts: 0 });
  });
});

describe('what guardAxios refuses', () => {
  test('a function that is not an axios instance: named, with what to pass', () => {
    function fetchUsers() {}
    expect(() => guardAxios(fetchUsers as never)).toThrow(
      new TypeError(
        'guardAxios needs an axios instance (axios or axios.create()), got a function ("fetchUsers"), which has no interceptors',
      ),
    );
    expect(() => guardAxios(api.get as never)).toThrow(TypeError);
    expect(() => guardAxios(undefined as never)).toThrow('got undefined');
  });

  test('an instance already guarded, until the first guard is removed', async () => {
    const first = guardAxios(api, { failureThreshold: 1 });
    expect(() => guardAxios(api)).toThrow('guardAxios: this axios instance is already guarded');
    await failed(api.get('/status/500'));
    expect(isCircuitOpenError(await failed(api.get('/ok')))).toBe(true);
    expect(first.registry.get(up.url).stats().totals).toMatchObject({ calls: 1, failures: 1, ignored: 0 });
    first();
    const second = guardAxios(api);
    expect((await api.get('/ok')).status).toBe(200);
    expect(second.registry.get(up.url).stats().totals).toMatchObject({ calls: 1, successes: 1, ignored: 0 });
  });

  test('the default axios instance and one made from it are guarded apart', () => {
    const child = axios.create();
    const a = guardAxios(axios);
    const b = guardAxios(child);
    a();
    b();
  });
});
