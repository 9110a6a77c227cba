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
