import { createServer } from 'node:http';
import axios, { type AxiosError, type AxiosInstance } from 'axios';
import { guardAxios } from '../../src/adapters/axios.js';
import { isCircuitOpenError } from '../../src/index.js';
import { manualClock, memoryStore } from '../../src/testing/index.js';
import { listen, nextOutcome, stop } from './helpers.js';
import { type Upstream, upstream } from './upstream.js';

let up: Upstream;
let other: Upstream;
let api: AxiosInstance;
beforeEach(async () => {
  up = await upstream();
  other = await upstream();
  api = axios.create({ baseURL: up.url });
});
afterEach(async () => {
  await up.close();
  await other.close();
});

const failed = (promise: Promise<unknown>): Promise<AxiosError> =>
  promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: AxiosError) => error,
  );

test('a response passes through and counts as a success of its origin', async () => {
  const guard = guardAxios(api);
  const response = await api.get('/ok');
  expect(response.status).toBe(200);
  expect(response.data).toBe('upstream said 200');
  expect([...guard.registry.keys()]).toEqual([up.url]);
  expect(guard.registry.get(up.url).stats().totals).toMatchObject({ calls: 1, successes: 1 });
});

test('5xx and 429 are failures that reach the caller as axios delivers them; 4xx is a success', async () => {
  const guard = guardAxios(api, { failureThreshold: 3 });
  for (const code of [500, 429]) {
    const error = await failed(api.get(`/status/${code}`));
    expect(error.response?.status).toBe(code);
    expect(error.response?.data).toBe(`upstream said ${code}`);
  }
  expect((await failed(api.get('/status/404'))).response?.status).toBe(404);
  expect(guard.registry.get(up.url).stats().totals).toMatchObject({ calls: 3, failures: 2, successes: 1 });
});

test('with a validateStatus that accepts every status, a 503 still resolves for the caller and counts as a failure', async () => {
  const guard = guardAxios(api, { failureThreshold: 1 });
  const response = await api.get('/status/503', { validateStatus: () => true });
  expect(response.status).toBe(503);
  expect(response.data).toBe('upstream said 503');
  expect(guard.registry.get(up.url).state).toBe('open');
});

test('an open origin is rejected before anything is sent; other origins still work', async () => {
  const guard = guardAxios(api, { failureThreshold: 1 });
  await failed(api.get('/status/502'));
  const before = up.hits.length;
  const error = await failed(api.get('/ok'));
  expect(isCircuitOpenError(error)).toBe(true);
  expect(up.hits).toHaveLength(before);
  expect((await api.get(`${other.url}/ok`)).status).toBe(200);
  expect([...guard.registry.keys()].sort()).toEqual([up.url, other.url].sort());
});

test.each([
  ['seconds', () => '120', 120_000],
  ['an HTTP date', (now: number) => new Date(now + 90_000).toUTCString(), 90_000],
])('a 503 with Retry-After in %s opens the origin for that long', async (_, after, ms) => {
  const clock = manualClock(Date.parse('2026-01-01T00:00:00Z'));
  const guard = guardAxios(api, { clock });
  const error = await failed(api.get(`/retry/503?after=${encodeURIComponent(after(clock.now()))}`));
  expect(error.response?.status).toBe(503);
  const breaker = guard.registry.get(up.url);
  expect(breaker.state).toBe('open');
  expect(breaker.stats().retryAfterMs).toBe(ms);
  clock.advance(ms - 1);
  expect(isCircuitOpenError(await failed(api.get('/ok')))).toBe(true);
});

test('Retry-After is capped by maxRetryAfterMs, and ignored with respectRetryAfter: false', async () => {
  const clock = manualClock();
  const capped = guardAxios(api, { clock, maxRetryAfterMs: 5_000 });
  await failed(api.get('/retry/429?after=86400'));
  expect(capped.registry.get(up.url).stats().retryAfterMs).toBe(5_000);
  capped();
  const plain = guardAxios(api, { clock, respectRetryAfter: false });
  await failed(api.get('/retry/429?after=86400'));
  expect(plain.registry.get(up.url).state).toBe('closed');
});

test("a hanging upstream: axios's timeout is a failure, and the connection is closed", async () => {
  const guard = guardAxios(api, { failureThreshold: 1 });
  const outcome = nextOutcome(guard.registry);
  const error = await failed(api.get('/hang', { timeout: 50 }));
  expect(error.code).toBe('ECONNABORTED');
  expect((await outcome).type).toBe('failure');
  await up.gone();
  expect(guard.registry.get(up.url).state).toBe('open');
});

test('timeoutMs is the timeout of requests that have none', async () => {
  const guard = guardAxios(api, { timeoutMs: 50 });
  const error = await failed(api.get('/hang'));
  expect(error.code).toBe('ECONNABORTED');
  expect(guard.registry.get(up.url).stats().totals.failures).toBe(1);
  await up.gone();
});

test("the caller's abort is ignored: no failure, and the probe slot is freed", async () => {
  const guard = guardAxios(api, { failureThreshold: 1 });
  const controller = new AbortController();
  const outcome = nextOutcome(guard.registry);
  const pending = failed(api.get('/hang', { signal: controller.signal }));
  await up.arrived();
  controller.abort();
  expect(axios.isCancel(await pending)).toBe(true);
  expect((await outcome).type).toBe('ignore');
  expect(guard.registry.get(up.url).stats()).toMatchObject({ state: 'closed', inFlight: 0 });
  await up.gone();
});

test('a refused connection is a failure', async () => {
  const closed = createServer();
  const url = await listen(closed);
  await stop(closed);
  const instance = axios.create();
  const guard = guardAxios(instance, { failureThreshold: 1 });
  const error = await failed(instance.get(url));
  expect(error.code).toBe('ECONNREFUSED');
  expect(guard.registry.get(new URL(url).origin).state).toBe('open');
});

test('with a store, an origin opened by one process is open for the other', async () => {
  const clock = manualClock();
  const store = memoryStore({ clock });
  const here = guardAxios(api, { store, clock, failureThreshold: 1 });
  const elsewhere = axios.create({ baseURL: up.url });
  const there = guardAxios(elsewhere, { store, clock, failureThreshold: 1 });
  there.registry.get(up.url); // the other process has used this origin before
  await failed(api.get('/status/500'));
  expect(here.registry.get(up.url).state).toBe('open');
  await store.flush();
  const before = up.hits.length;
  expect(isCircuitOpenError(await failed(elsewhere.get('/ok')))).toBe(true);
  expect(up.hits).toHaveLength(before);
});

test('the origin follows the baseURL of each request, and an absolute URL its own origin', async () => {
  const guard = guardAxios(api);
  await api.get('/ok');
  await api.get('/ok', { baseURL: other.url });
  api.defaults.baseURL = `${other.url}/`;
  await api.get('ok');
  await api.get(`${up.url}/ok`, { baseURL: other.url });
  const calls = (origin: string) => guard.registry.get(origin).stats().totals.calls;
  expect([calls(up.url), calls(other.url)]).toEqual([2, 2]);
  expect(up.hits).toEqual(['GET /ok', 'GET /ok']);
});

test('key decides the breaker from the URL axios builds; relative and absolute URLs both', async () => {
  const guard = guardAxios(api, { key: (url) => url.pathname.split('/')[1] ?? 'root' });
  await api.get('ok');
  await api.get(`${other.url}/ok`);
  await failed(api.get('/status/404'));
  expect([...guard.registry.keys()].sort()).toEqual(['ok', 'status']);
  const bad = axios.create({ baseURL: up.url });
  guardAxios(bad, { key: () => '' });
  await expect(bad.get('/ok')).rejects.toThrow('key must return a non-empty string, got ""');
  expect(up.hits.filter((h) => h === 'GET /ok')).toHaveLength(1);
  expect(other.hits).toEqual(['GET /ok']);
});

test('removing the guard restores the instance: no breaker sees its requests', async () => {
  const plain = axios.create({ baseURL: up.url });
  const shape = (i: AxiosInstance) => JSON.stringify([i.interceptors.request, i.interceptors.response, i.defaults]);
  const before = shape(plain);
  const guard = guardAxios(plain, { failureThreshold: 1 });
  await failed(plain.get('/status/500'));
  guard();
  guard();
  expect(shape(plain)).toBe(before);
  expect((await plain.get('/ok')).status).toBe(200);
  expect(guard.registry.get(up.url).stats().totals.calls).toBe(1);
});

test('a request interceptor that throws after the guard leaves no permit taken', async () => {
  const instance = axios.create({ baseURL: up.url });
  instance.interceptors.request.use(() => {
    throw new Error('interceptor bug');
  });
  const guard = guardAxios(instance, { failureThreshold: 1 });
  await expect(instance.get('/ok')).rejects.toThrow('interceptor bug');
  expect(guard.registry.size).toBe(0);
});

test('a throwing isFailureResponse counts as a failure and is reported', async () => {
  const guard = guardAxios(api, {
    isFailureResponse: () => {
      throw new Error('predicate bug');
    },
  });
  const reported: unknown[] = [];
  guard.registry.on('callbackError', ({ error }) => reported.push((error as Error).message));
  expect((await api.get('/ok')).status).toBe(200);
  expect(guard.registry.get(up.url).stats().totals.failures).toBe(1);
  expect(reported).toEqual(['predicate bug']);
});

test.each<[unknown, string]>([
  [{ name: 'api' }, 'name cannot be given to guardAxios'],
  [{ key: 'origin' }, 'key must be a function, got "origin"'],
  [{ maxKeys: 0 }, 'maxKeys must be an integer >= 1, got 0'],
  [{ respectRetryAfter: 'yes' }, 'respectRetryAfter must be a boolean, got "yes"'],
  [{ maxSize: 10 }, 'unknown option "maxSize"'],
  [{ fetch }, 'unknown option "fetch"'],
])('bad options throw when the guard is installed: %p', (options, message) => {
  expect(() => guardAxios(api, options as never)).toThrow(message);
  expect(api.interceptors.request).toMatchObject({ handlers: [] });
});

test('something that is not an axios instance is refused', () => {
  expect(() => guardAxios({} as never)).toThrow('guardAxios needs an axios instance (axios or axios.create()), got an object');
});
