import { guardFetch } from '../../src/adapters/fetch.js';
import { type CallTimeoutError, isCallTimeoutError, isCircuitOpenError } from '../../src/index.js';
import { manualClock } from '../../src/testing/index.js';
import { nextOutcome } from './helpers.js';
import { type Streamer, streamer, until } from './streamer.js';

let up: Streamer;
beforeEach(async () => {
  up = await streamer();
});
afterEach(async () => {
  await up.close();
});

const decoder = new TextDecoder();
const text = (chunk: ReadableStreamReadResult<Uint8Array>): string => (chunk.done ? '' : decoder.decode(chunk.value));
const totals = (guarded: ReturnType<typeof guardFetch>) => guarded.registry.get(up.url).stats();

test("body: 'end' counts a clean stream as a success only when the body ends", async () => {
  const clock = manualClock();
  const guarded = guardFetch({ body: 'end', clock });
  const pending = guarded(`${up.url}/stream`);
  const stream = await up.next();
  stream.write('data: 1\n\n');
  const response = await pending;
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/event-stream');
  expect(response.url).toBe(`${up.url}/stream`);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  expect(text(await reader.read())).toBe('data: 1\n\n');
  expect(totals(guarded)).toMatchObject({ inFlight: 1, totals: { calls: 1, successes: 0 } });
  const outcome = nextOutcome(guarded.registry);
  stream.write('data: 2\n\n');
  expect(text(await reader.read())).toBe('data: 2\n\n');
  stream.end();
  expect((await reader.read()).done).toBe(true);
  expect((await outcome).type).toBe('success');
  expect(totals(guarded)).toMatchObject({ inFlight: 0, totals: { successes: 1, failures: 0 } });
  expect(clock.pending).toBe(0);
});

test("body: 'end' counts a stream cut midway as a failure; 'headers' counts it as a success", async () => {
  const strict = guardFetch({ body: 'end', failureThreshold: 1 });
  const loose = guardFetch({ failureThreshold: 1 });
  for (const guarded of [strict, loose]) {
    const pending = guarded(`${up.url}/stream`);
    const stream = await up.next();
    stream.write('data: partial\n\n');
    const response = await pending;
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    expect(text(await reader.read())).toBe('data: partial\n\n');
    stream.cut();
    const error = await reader.read().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TypeError', message: 'terminated' });
  }
  expect(strict.registry.get(up.url).stats()).toMatchObject({ state: 'open', inFlight: 0, totals: { failures: 1 } });
  expect(loose.registry.get(up.url).stats()).toMatchObject({ state: 'closed', totals: { successes: 1, failures: 0 } });
  expect(isCircuitOpenError(await strict(`${up.url}/stream`).catch((e: unknown) => e))).toBe(true);
});

test('bodyIdleMs: a stream that stalls between chunks times out, aborts and counts as a timeout', async () => {
  const clock = manualClock();
  const guarded = guardFetch({ body: 'end', bodyIdleMs: 1000, clock });
  const timeouts: number[] = [];
  guarded.registry.on('timeout', ({ timeoutMs }) => timeouts.push(timeoutMs));
  const pending = guarded(`${up.url}/stream`);
  const stream = await up.next();
  stream.write('data: 1\n\n');
  const reader = ((await pending).body as ReadableStream<Uint8Array>).getReader();
  expect(text(await reader.read())).toBe('data: 1\n\n');
  await until(() => clock.pending === 1, 'the wait for the next chunk');
  clock.advance(999);
  expect(totals(guarded).totals.timeouts).toBe(0);
  stream.write('data: 2\n\n');
  expect(text(await reader.read())).toBe('data: 2\n\n');
  await until(() => clock.pending === 1, 'the wait for the next chunk');
  clock.advance(999); // 999 ms after the second chunk: the deadline moved with it
  expect(totals(guarded).totals.timeouts).toBe(0);
  clock.advance(1);
  const error = await reader.read().catch((e: unknown) => e);
  expect(isCallTimeoutError(error)).toBe(true);
  expect((error as CallTimeoutError).timeoutMs).toBe(1000);
  expect(timeouts).toEqual([1000]);
  expect(totals(guarded)).toMatchObject({ inFlight: 0, totals: { timeouts: 1, failures: 1, successes: 0 } });
  await stream.gone; // the request was aborted
  expect(clock.pending).toBe(0);
});

test('firstByteTimeoutMs bounds the wait for the first chunk, bodyIdleMs the later ones', async () => {
  const clock = manualClock();
  const guarded = guardFetch({ body: 'end', firstByteTimeoutMs: 5000, bodyIdleMs: 1000, clock });
  const timeouts: number[] = [];
  guarded.registry.on('timeout', ({ timeoutMs }) => timeouts.push(timeoutMs));
  // A first chunk within firstByteTimeoutMs, though later than bodyIdleMs, is in time.
  let pending = guarded(`${up.url}/stream`);
  let stream = await up.next();
  let response = await pending;
  await until(() => clock.pending === 1, 'the wait for the first chunk');
  clock.advance(4999);
  stream.write('data: slow first token\n\n');
  stream.end();
  expect(await response.text()).toBe('data: slow first token\n\n');
  // No first chunk within firstByteTimeoutMs: a timeout.
  pending = guarded(`${up.url}/stream`);
  stream = await up.next();
  response = await pending;
  await until(() => clock.pending === 1, 'the wait for the first chunk');
  clock.advance(5000);
  const error = await response.text().catch((e: unknown) => e);
  expect(isCallTimeoutError(error)).toBe(true);
  expect((error as CallTimeoutError).timeoutMs).toBe(5000);
  await stream.gone;
  expect(timeouts).toEqual([5000]);
  expect(totals(guarded)).toMatchObject({ inFlight: 0, totals: { successes: 1, timeouts: 1, failures: 1 } });
  expect(clock.pending).toBe(0);
});

test("the caller's cancel, or its abort midway, is ignored", async () => {
  const guarded = guardFetch({ body: 'end', failureThreshold: 1 });
  let pending = guarded(`${up.url}/stream`);
  let stream = await up.next();
  stream.write('data: 1\n\n');
  let response = await pending;
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  await reader.read();
  let outcome = nextOutcome(guarded.registry);
  await reader.cancel();
  expect((await outcome).type).toBe('ignore');
  await stream.gone;

  const controller = new AbortController();
  const reason = new Error('user closed the chat');
  pending = guarded(`${up.url}/stream`, { signal: controller.signal });
  stream = await up.next();
  stream.write('data: 1\n\n');
  response = await pending;
  outcome = nextOutcome(guarded.registry);
  const read = response.text().catch((e: unknown) => e);
  controller.abort(reason);
  expect(await read).toBe(reason);
  expect((await outcome).type).toBe('ignore');
  expect(totals(guarded)).toMatchObject({ state: 'closed', inFlight: 0, totals: { ignored: 2, failures: 0 } });
});

test('a body left unread is released (ignored) after bodyIdleMs, and stays readable', async () => {
  const manual = manualClock();
  // The delays asked of the clock: the guard's timer for bodyIdleMs tells when the chunk waits for the caller.
  const delays: number[] = [];
  const clock = {
    ...manual,
    setTimeout: (callback: () => void, ms: number) => {
      delays.push(ms);
      return manual.setTimeout(callback, ms);
    },
  };
  const guarded = guardFetch({ body: 'end', firstByteTimeoutMs: 60_000, bodyIdleMs: 1000, clock });
  const pending = guarded(`${up.url}/stream`);
  const stream = await up.next();
  stream.write('data: 1\n\n');
  const response = await pending;
  // The guard reads one chunk ahead; then the wait is the caller's.
  await until(() => delays.includes(1000), 'the first chunk to wait for the caller');
  const outcome = nextOutcome(guarded.registry);
  manual.advance(1000);
  expect((await outcome).type).toBe('ignore');
  expect(manual.pending).toBe(0);
  stream.write('data: 2\n\n');
  stream.end();
  expect(await response.text()).toBe('data: 1\n\ndata: 2\n\n');
  expect(totals(guarded)).toMatchObject({ inFlight: 0, totals: { ignored: 1, successes: 0, timeouts: 0 } });
  expect(manual.pending).toBe(0);
});

test("body: 'end' settles a failure response at once (its body readable) and obeys its Retry-After", async () => {
  const clock = manualClock();
  const guarded = guardFetch({ body: 'end', failureThreshold: 100, clock });
  const response = await guarded(`${up.url}/status/503`);
  expect(totals(guarded)).toMatchObject({ state: 'open', retryAfterMs: 30_000, inFlight: 0, totals: { failures: 1 } });
  expect(await response.text()).toBe('upstream said 503');
  expect(clock.pending).toBe(0);
});

test("body: 'end' holds a half-open probe until its body ends", async () => {
  const clock = manualClock();
  const guarded = guardFetch({ body: 'end', failureThreshold: 1, resetTimeoutMs: 1000, clock });
  const breaker = guarded.registry.get(up.url);
  breaker.open();
  clock.advance(1000);
  const pending = guarded(`${up.url}/stream`);
  const stream = await up.next();
  const response = await pending;
  expect(isCircuitOpenError(await guarded(`${up.url}/stream`).catch((e: unknown) => e))).toBe(true);
  expect(breaker.state).toBe('halfOpen');
  stream.write('data: done\n\n');
  stream.end();
  await response.text();
  expect(breaker.state).toBe('closed');
});

test("timeoutMs still covers only the headers with body: 'end'", async () => {
  const clock = manualClock();
  const guarded = guardFetch({ body: 'end', timeoutMs: 1000, clock });
  const pending = guarded(`${up.url}/stream`);
  const stream = await up.next();
  const response = await pending;
  await until(() => clock.pending === 0, 'the headers timer to stop');
  clock.advance(60_000);
  stream.write('data: late\n\n');
  stream.end();
  expect(await response.text()).toBe('data: late\n\n');
  expect(totals(guarded).totals).toMatchObject({ successes: 1, timeouts: 0 });
});

test("timeoutMs with body: 'end' aborts a request whose headers do not come, as a timeout", async () => {
  const clock = manualClock();
  const aborted: unknown[] = [];
  const silent = guardFetch({
    body: 'end',
    timeoutMs: 1000,
    clock,
    fetch: (_input, init) => {
      init?.signal?.addEventListener('abort', () => aborted.push(init.signal?.reason));
      return new Promise<Response>(() => {});
    },
  });
  const result = silent('http://silent.test/').catch((e: unknown) => e);
  clock.advance(1000);
  const error = await result;
  expect(isCallTimeoutError(error)).toBe(true);
  expect(aborted).toEqual([error]);
  expect(silent.registry.get('http://silent.test').stats()).toMatchObject({ inFlight: 0, totals: { timeouts: 1, failures: 1 } });
  expect(clock.pending).toBe(0);
});

test.each([
  [{ body: 'stream' }, TypeError, `body must be 'headers' or 'end', got "stream"`],
  [{ body: 'end', bodyIdleMs: 0 }, RangeError, 'bodyIdleMs must be a finite number > 0, got 0'],
  [{ body: 'end', firstByteTimeoutMs: '5s' }, TypeError, 'firstByteTimeoutMs must be a number, got "5s"'],
  [{ body: 'end', bodyIdleMs: 2 ** 31 }, RangeError, 'bodyIdleMs must be at most 2147483647'],
  [{ bodyIdleMs: 1000 }, TypeError, "bodyIdleMs needs body: 'end', got 1000 with body: 'headers'"],
  [{ body: 'headers', firstByteTimeoutMs: 1000 }, TypeError, "firstByteTimeoutMs needs body: 'end'"],
])('bad stream options throw at creation: %p', (options, type, message) => {
  const make = () => guardFetch(options as never);
  expect(make).toThrow(type);
  expect(make).toThrow(message);
});
