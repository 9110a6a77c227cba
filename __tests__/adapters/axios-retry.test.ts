import axios, { type AxiosInstance } from 'axios';
import axiosRetry from 'axios-retry';
import { guardAxios } from '../../src/adapters/axios.js';
import { isCircuitOpenError } from '../../src/index.js';
import { type Upstream, upstream } from './upstream.js';

// axios-retry, for real: every attempt it makes counts, whichever was installed first.

let up: Upstream;
let api: AxiosInstance;
beforeEach(async () => {
  up = await upstream();
  api = axios.create({ baseURL: up.url });
});
afterEach(() => up.close());

const settle = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    (value) => value,
    (error: unknown) => error,
  );

const orders = {
  'the guard first, then axios-retry (the documented order)': (instance: AxiosInstance) => {
    const guard = guardAxios(instance, { failureThreshold: 3 });
    axiosRetry(instance, { retries: 2, retryCondition: () => true });
    return guard;
  },
  'axios-retry first, then the guard': (instance: AxiosInstance) => {
    axiosRetry(instance, { retries: 2, retryCondition: () => true });
    return guardAxios(instance, { failureThreshold: 3 });
  },
};

describe.each(Object.entries(orders))('%s', (_, install) => {
  test('a dead upstream: each attempt is a failure, and the open breaker ends the retries', async () => {
    const guard = install(api);
    const outcomes = [];
    for (let i = 0; i < 6; i++) outcomes.push(await settle(api.get('/status/500')));
    expect(up.hits).toHaveLength(3);
    expect(outcomes.slice(1).every(isCircuitOpenError)).toBe(true);
    expect(guard.registry.get(up.url).stats()).toMatchObject({
      state: 'open',
      inFlight: 0,
      totals: { calls: 3, failures: 3, ignored: 0, rejected: 5 },
    });
  });

  test('a refused connection, retried: each attempt is a failure', async () => {
    const gone = await upstream();
    await gone.close();
    const instance = axios.create({ baseURL: gone.url });
    const guard = install(instance);
    const error = await settle(instance.get('/ok', { 'axios-retry': { retries: 3 } }));
    expect(isCircuitOpenError(error)).toBe(true); // the third attempt's failure opened it; the last retry was refused
    expect(guard.registry.get(gone.url).stats()).toMatchObject({ inFlight: 0, totals: { calls: 3, failures: 3, rejected: 1 } });
  });

  test('a failure then a success: both count, nothing stays in flight', async () => {
    const guard = install(api);
    let first = true;
    api.interceptors.request.use((config) => {
      config.url = first ? '/status/503' : '/ok';
      first = false;
      return config;
    });
    const response = await api.get('/any');
    expect(response.status).toBe(200);
    expect(guard.registry.get(up.url).stats()).toMatchObject({ inFlight: 0, totals: { calls: 2, failures: 1, successes: 1 } });
  });
});
