import { guardFetch } from '../../src/adapters/fetch.js';
import { type CallTimeoutError, isCallTimeoutError, isCircuitOpenError } from '../../src/index.js';
import { manualClock } from '../../src/testing/index.js';
import { nextOutcome } from './helpers.js';
import { type Upstream, upstream } from './upstream.js';

let up: Upstream;
let other: Upstream;
beforeEach(async () => {
  up = await upstream();
  other = await upstream();
});
afterEach(async () => {
  await up.close();
  await other.close();
});

test('a response passes through and counts as a success of its origin', async () => {
  const guarded = guardFetch();
  const response = await guarded(`${up.url}/ok`);
  expect(response.status).toBe(200);
  expect(await response.text()).toBe('upstream said 200');
  expect([...guarded.registry.keys()]).toEqual([up.url]);
  expect(guarded.registry.get(up.url).stats().totals).toMatchObject({ calls: 1, successes: 1 });
});

test('failure responses are returned with their body, counted, and open only their origin', async () => {
  const guarded = guardFetch({ failureThreshold: 2 });
  for (const path of ['/status/500', '/status/429']) {
    const response = await guarded(`${up.url}${path}`);
    expect(await response.text()).toBe(`upstream said ${path.slice(-3)}`);
  }
  const breaker = guarded.registry.get(up.url);
  expect(breaker.stats().totals.failures).toBe(2);
  expect(breaker.state).toBe('open');
  const rejected = await guarded(`${up.url}/ok`).catch((error: unknown) => error);
  expect(isCircuitOpenError(rejected)).toBe(true);
  expect(up.hits).toEqual(['GET /status/500', 'GET /status/429']);
  expect((await guarded(`${other.url}/ok`)).status).toBe(200);
});

test('4xx other than 429 is a success; isFailureResponse and isResultFailure can say otherwise', async () => {
  const plain = guardFetch();
  await plain(`${up.url}/status/404`);
  expect(plain.registry.get(up.url).stats().totals.successes).toBe(1);
  const strict = guardFetch({
    isFailureResponse: (response) => response.status === 404,
    isResultFailure: (response) => (response as Response).status === 409,
  });
  for (const code of [404, 409, 500]) await strict(`${up.url}/status/${code}`);
  expect(strict.registry.get(up.url).stats().totals).toMatchObject({ failures: 2, successes: 1 });
});

test('input may be a string, a URL or a Request, with init', async () => {
  const seenBy: string[] = [];
  const guarded = guardFetch({
    fetch: (input, init) => {
      seenBy.push(init?.method ?? 'default');
      return fetch(input, init);
    },
  });
  await guarded(`${up.url}/ok`);
  await guarded(new URL('/status/201', up.url), { method: 'PUT', body: 'x' });
  await guarded(new Request(`${up.url}/status/202`, { method: 'POST', body: 'y' }));
  expect(up.hits).toEqual(['GET /ok', 'PUT /status/201', 'POST /status/202']);
  expect(seenBy).toEqual(['default', 'PUT', 'default']);
  expect(guarded.registry.size).toBe(1);
});

describe('Retry-After', () => {
  const start = Date.parse('2030-01-01T00:00:00Z');
  test.each([
    ['seconds', 503, '120', 120_000],
    ['an HTTP date', 429, 'Tue, 01 Jan 2030 00:01:00 GMT', 60_000],
    ['more than maxRetryAfterMs', 503, '86400', 300_000],
  ])('a 429/503 with %s opens the origin for that long, at most maxRetryAfterMs', async (_, code, after, ms) => {
    const clock = manualClock(start);
    const guarded = guardFetch({ clock, failureThreshold: 100 });
    const response = await guarded(`${up.url}/retry/${code}?after=${encodeURIComponent(after)}`);
    expect(await response.text()).toBe(`upstream said ${code}`);
    const breaker = guarded.registry.get(up.url);
    expect(breaker.stats()).toMatchObject({ state: 'open', retryAfterMs: ms });
    clock.advance(ms);
    expect(breaker.state).toBe('halfOpen');
  });

  test.each([
    ['malformed', 503, 'soon'],
    ['with a fraction', 503, '1.5'],
    ['negative', 503, '-1'],
    ['that looks like a date but is not', 429, 'Mon, not a date'],
    ['in the past', 503, 'Mon, 31 Dec 2029 23:59:00 GMT'],
    ['on another status', 500, '60'],
  ])('a Retry-After %s is ignored', async (_, code, after) => {
    const guarded = guardFetch({ clock: manualClock(start), failureThreshold: 100 });
    await guarded(`${up.url}/retry/${code}?after=${encodeURIComponent(after)}`);
    expect(guarded.registry.get(up.url).state).toBe('closed');
  });

  test('respectRetryAfter: false leaves the breaker to its own counts; maxRetryAfterMs caps', async () => {
    const ignoring = guardFetch({ respectRetryAfter: false, failureThreshold: 100 });
    await ignoring(`${up.url}/retry/429?after=30`);
    expect(ignoring.registry.get(up.url).state).toBe('closed');
    const capped = guardFetch({ clock: manualClock(), maxRetryAfterMs: 1000 });
    await capped(`${up.url}/retry/429?after=30`);
    expect(capped.registry.get(up.url).stats().retryAfterMs).toBe(1000);
  });
});

test('timeoutMs aborts the request and counts a failure', async () => {
  const clock = manualClock();
  const guarded = guardFetch({ clock, timeoutMs: 5000 });
  const result = guarded(`${up.url}/hang`).catch((error: unknown) => error);
  await up.arrived();
  const outcome = nextOutcome(guarded.registry);
  clock.advance(5000);
  const error = await result;
  expect(isCallTimeoutError(error)).toBe(true);
  expect((error as CallTimeoutError).timeoutMs).toBe(5000);
  expect((await outcome).type).toBe('failure');
  await up.gone();
  expect(guarded.registry.get(up.url).stats().totals).toMatchObject({ timeouts: 1, failures: 1, calls: 1 });
});

test.each([
  ['init.signal', (url: string, signal: AbortSignal) => [url, { signal }] as const],
  ['a Request signal', (url: string, signal: AbortSignal) => [new Request(url, { signal })] as const],
])("the caller's own abort (%s) rejects with its reason and is ignored", async (_, args) => {
  const guarded = guardFetch({ clock: manualClock(), timeoutMs: 5000 });
  const controller = new AbortController();
  const reason = new Error('caller gave up');
  const [input, init] = args(`${up.url}/hang`, controller.signal) as [string, RequestInit | undefined];
  const result = guarded(input, init).catch((error: unknown) => error);
  await up.arrived();
  controller.abort(reason);
  expect(await result).toBe(reason);
  await up.gone();
  expect(guarded.registry.get(up.url).stats()).toMatchObject({ inFlight: 0, totals: { ignored: 1, failures: 0 } });
});

test('network errors count as failures', async () => {
  const address = up.url;
  await up.close();
  up = await upstream();
  const guarded = guardFetch({ failureThreshold: 1 });
  const error = await guarded(`${address}/ok`).catch((e: unknown) => e);
  expect(error).toMatchObject({ name: 'TypeError', message: 'fetch failed' });
  expect(guarded.registry.get(address).state).toBe('open');
});

test('key chooses the breaker; maxKeys bounds them even under a flood', async () => {
  const byHost = guardFetch({ key: (url) => url.hostname });
  await byHost(`${up.url}/ok`);
  await byHost(`${other.url}/ok`);
  expect([...byHost.registry.keys()]).toEqual(['127.0.0.1']);
  const flooded = guardFetch({ maxKeys: 50, fetch: async () => new Response('stub') });
  for (let i = 0; i < 20_000; i++) await flooded(`http://host-${i}.test/`);
  expect(flooded.registry.size).toBe(50);
});

test('a bad key or URL rejects without making a breaker or counting anything', async () => {
  const bug = new Error('key bug');
  const throwing = guardFetch({
    key: () => {
      throw bug;
    },
  });
  await expect(throwing(`${up.url}/ok`)).rejects.toBe(bug);
  const empty = guardFetch({ key: () => '' });
  await expect(empty(`${up.url}/ok`)).rejects.toThrow('key must return a non-empty string, got ""');
  const plain = guardFetch();
  await expect(plain('/relative')).rejects.toThrow('Invalid URL');
  expect(throwing.registry.size + empty.registry.size + plain.registry.size).toBe(0);
  expect(up.hits).toEqual([]);
});

test('breaker options apply to every origin', async () => {
  const guarded = guardFetch({ failureThreshold: 1, isFailure: () => false });
  const error = await guarded('http://127.0.0.1:1/').catch((e: unknown) => e);
  expect(error).toMatchObject({ name: 'TypeError', message: 'fetch failed' });
  expect(guarded.registry.get('http://127.0.0.1:1').stats().totals.ignored).toBe(1);
  expect(guarded.registry.get('http://127.0.0.1:1').state).toBe('closed');
});

test.each([
  [{ fetch: 'fetch' }, TypeError, 'fetch must be a function, got "fetch"'],
  [{ key: 1 }, TypeError, 'key must be a function, got 1'],
  [{ maxKeys: 0 }, RangeError, 'maxKeys must be an integer >= 1, got 0'],
  [{ isFailureResponse: true }, TypeError, 'isFailureResponse must be a function, got true'],
  [{ isResultFailure: true }, TypeError, 'isResultFailure must be a function, got true'],
  [{ respectRetryAfter: 'yes' }, TypeError, 'respectRetryAfter must be a boolean, got "yes"'],
  [{ maxRetryAfterMs: -1 }, RangeError, 'maxRetryAfterMs must be a finite number >= 0, got -1'],
  [{ maxSize: 5 }, TypeError, 'unknown option "maxSize"'],
  [{ retries: 5 }, TypeError, 'unknown option "retries"'],
  [{ name: 'api' }, TypeError, 'name cannot be given to guardFetch'],
  [{ timeoutMs: 0 }, RangeError, 'timeoutMs must be a finite number > 0, got 0'],
  ['fast', TypeError, 'options must be an object, got "fast"'],
])('bad options throw at creation: %p', (options, type, message) => {
  const make = () => guardFetch(options as never);
  expect(make).toThrow(type);
  expect(make).toThrow(message);
});
