import axios, { type AxiosError, type AxiosInstance } from 'axios';
import { guardAxios } from '../../src/adapters/axios.js';
import { type Upstream, upstream } from './upstream.js';

let up: Upstream;
beforeEach(async () => {
  up = await upstream();
});
afterEach(() => up.close());

const failure = (promise: Promise<unknown>): Promise<AxiosError> =>
  promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: AxiosError) => error,
  );

test('a request with no url goes to baseURL itself: counted under its origin, or under the key of that URL', async () => {
  const byOrigin = axios.create({ baseURL: `${up.url}/status/503` });
  const guard = guardAxios(byOrigin, { failureThreshold: 10 });
  expect((await failure(byOrigin.request({}))).response?.status).toBe(503);
  expect((await failure(byOrigin.request({ url: '' }))).response?.status).toBe(503);
  expect([...guard.registry.keys()]).toEqual([up.url]);
  expect(guard.registry.get(up.url).stats().totals).toMatchObject({ calls: 2, failures: 2 });

  const byPath = axios.create({ baseURL: `${up.url}/status/503/` });
  const keyed = guardAxios(byPath, { key: (url) => url.pathname, failureThreshold: 10 });
  expect((await failure(byPath.request({}))).response?.status).toBe(503);
  expect([...keyed.registry.keys()]).toEqual(['/status/503/']);
  expect(up.hits).toEqual(['GET /status/503', 'GET /status/503', 'GET /status/503/']);
});

test("a request's own transformResponse, a single function, still runs, and the guard still counts", async () => {
  const api = axios.create({ baseURL: up.url });
  const guard = guardAxios(api, { failureThreshold: 10 });
  const shout = (data: string): string => data.toUpperCase();
  const response = await api.get('/ok', { transformResponse: shout });
  expect(response.data).toBe('UPSTREAM SAID 200');
  const error = await failure(api.get('/status/502', { transformResponse: shout }));
  expect(error.response?.data).toBe('UPSTREAM SAID 502');
  expect(guard.registry.get(up.url).stats().totals).toMatchObject({ calls: 2, successes: 1, failures: 1 });
});

test("an Axios made without axios's defaults (no transforms, no validateStatus) is guarded alike", async () => {
  const bare = new axios.Axios({ baseURL: up.url }) as unknown as AxiosInstance;
  const guard = guardAxios(bare, { failureThreshold: 1 });
  const response = await bare.get('/ok');
  expect(String(response.data)).toBe('upstream said 200');
  // Without validateStatus axios resolves every status: the guard still counts a 500 as a failure.
  expect((await bare.get('/status/500')).status).toBe(500);
  expect(guard.registry.get(up.url).stats()).toMatchObject({ state: 'open', totals: { calls: 2, successes: 1, failures: 1 } });
});

test('an adapter of its own that fails with a plain error (no config on it) still settles the permit as a failure', async () => {
  const http = axios.getAdapter('http');
  let offline = true;
  const api = axios.create({
    baseURL: up.url,
    // An adapter that delegates to axios's own, unless it knows the network is down.
    adapter: (config) => (offline ? Promise.reject(new Error('offline')) : http(config)),
  });
  const guard = guardAxios(api, { failureThreshold: 10 });
  await expect(api.get('/ok')).rejects.toThrow('offline');
  expect(guard.registry.get(up.url).stats()).toMatchObject({ inFlight: 0, totals: { calls: 1, failures: 1 } });
  offline = false;
  expect((await api.get('/ok')).data).toBe('upstream said 200');
  // axios's own error names its request: counted once, by the guard's response interceptor.
  expect((await failure(api.get('/status/503'))).response?.status).toBe(503);
  expect(guard.registry.get(up.url).stats()).toMatchObject({ inFlight: 0, totals: { calls: 3, successes: 1, failures: 2 } });
  // A cancel of its own, naming no request, is ignored as axios's cancels are.
  offline = true;
  const cancelling = axios.create({ baseURL: up.url, adapter: () => Promise.reject(new axios.CanceledError('not now')) });
  const ignoring = guardAxios(cancelling);
  expect(axios.isCancel(await cancelling.get('/ok').catch((e: unknown) => e))).toBe(true);
  expect(ignoring.registry.get(up.url).stats()).toMatchObject({ inFlight: 0, totals: { calls: 1, ignored: 1, failures: 0 } });
});

test('an adapter of its own that throws, or rejects with something not an error, still settles the permit as a failure', async () => {
  const failures = [
    () => {
      throw new TypeError('no adapter today');
    },
    () => Promise.reject(undefined),
    () => Promise.reject('down'),
  ];
  for (const fail of failures) {
    const api = axios.create({ baseURL: up.url, adapter: fail as never });
    const guard = guardAxios(api, { failureThreshold: 10 });
    const seen = await api.get('/ok').then(
      () => 'resolved',
      (error: unknown) => error,
    );
    expect(seen).not.toBe('resolved');
    expect(guard.registry.get(up.url).stats()).toMatchObject({ inFlight: 0, totals: { calls: 1, failures: 1 } });
  }
  expect(up.hits).toEqual([]);
});
