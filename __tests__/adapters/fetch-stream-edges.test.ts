import { createServer } from 'node:http';
import { guardFetch } from '../../src/adapters/fetch.js';
import { isCallTimeoutError } from '../../src/index.js';
import { manualClock } from '../../src/testing/index.js';
import { listen, nextOutcome, stop } from './helpers.js';
import { type Streamer, streamer, until } from './streamer.js';

let up: Streamer;
beforeEach(async () => {
  up = await streamer();
});
afterEach(async () => {
  await up.close();
});

const decoder = new TextDecoder();

test("body: 'end' with a signal aborted beforehand rejects with its reason and takes no permit", async () => {
  const guarded = guardFetch({ body: 'end' });
  const controller = new AbortController();
  const reason = new Error('the caller gave up first');
  controller.abort(reason);
  await expect(guarded(`${up.url}/stream`, { signal: controller.signal })).rejects.toBe(reason);
  expect(guarded.registry.get(up.url).stats()).toMatchObject({ inFlight: 0, totals: { calls: 0 } });
});

test("body: 'end' ignores the caller's abort midway through the body: the body fails with its reason", async () => {
  const guarded = guardFetch({ body: 'end', failureThreshold: 1 });
  const controller = new AbortController();
  const pending = guarded(`${up.url}/stream`, { signal: controller.signal });
  const stream = await up.next();
  stream.write('data: 1\n\n');
  const response = await pending;
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const first = await reader.read();
  expect(decoder.decode(first.value)).toBe('data: 1\n\n');
  const outcome = nextOutcome(guarded.registry);
  const reason = new Error('the caller left');
  controller.abort(reason);
  await expect(reader.read()).rejects.toBe(reason);
  expect((await outcome).type).toBe('ignore');
  await stream.gone;
  expect(guarded.registry.get(up.url).stats()).toMatchObject({
    state: 'closed',
    inFlight: 0,
    totals: { failures: 0, ignored: 1 },
  });
});

test("body: 'end' counts a refused connection as a failure and rejects with fetch's error", async () => {
  const server = createServer();
  const url = await listen(server);
  await stop(server); // nothing listens on that port any more
  const guarded = guardFetch({ body: 'end', failureThreshold: 1 });
  const outcome = nextOutcome(guarded.registry);
  const error = await guarded(`${url}/stream`).catch((e: unknown) => e);
  expect(error).toMatchObject({ name: 'TypeError', message: 'fetch failed' });
  expect((await outcome).type).toBe('failure');
  expect(guarded.registry.get(url).stats()).toMatchObject({ state: 'open', inFlight: 0, totals: { failures: 1 } });
});

test("body: 'end' with timeoutMs: headers that never come time out, and fetch's own rejection later changes nothing", async () => {
  const requests: { destroyed: boolean }[] = [];
  const server = createServer((req) => {
    requests.push(req); // never answered
  });
  const url = await listen(server);
  try {
    const clock = manualClock();
    const guarded = guardFetch({ body: 'end', timeoutMs: 500, clock });
    const pending = guarded(`${url}/slow`).catch((e: unknown) => e);
    await until(() => requests.length === 1, 'the request to reach the upstream');
    clock.advance(500);
    const error = await pending;
    expect(isCallTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ timeoutMs: 500 });
    // The request is aborted: the upstream sees its client go away.
    await until(() => requests[0].destroyed, 'the upstream request to be aborted');
    expect(guarded.registry.get(url).stats()).toMatchObject({ inFlight: 0, totals: { calls: 1, timeouts: 1, failures: 1 } });
    expect(clock.pending).toBe(0);
  } finally {
    await stop(server);
  }
});

test('a body left unread past bodyIdleMs is released; cancelling it afterwards changes no count', async () => {
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
  stream.write('data: unread\n\n');
  const response = await pending;
  const outcome = nextOutcome(guarded.registry);
  // The watched body reads one chunk ahead: then the wait is the caller's.
  await until(() => delays.includes(1000), 'the first chunk to wait for the caller');
  manual.advance(1000);
  expect((await outcome).type).toBe('ignore');
  await (response.body as ReadableStream<Uint8Array>).cancel();
  await stream.gone;
  expect(guarded.registry.get(up.url).stats()).toMatchObject({
    inFlight: 0,
    totals: { calls: 1, ignored: 1, failures: 0, successes: 0 },
  });
  expect(manual.pending).toBe(0);
});

test("body: 'end' ignores the caller's abort before the headers: it rejects with the reason", async () => {
  const requests: { destroyed: boolean }[] = [];
  const server = createServer((req) => {
    requests.push(req); // never answered
  });
  const url = await listen(server);
  try {
    const guarded = guardFetch({ body: 'end', failureThreshold: 1 });
    const controller = new AbortController();
    const pending = guarded(`${url}/slow`, { signal: controller.signal }).catch((e: unknown) => e);
    await until(() => requests.length === 1, 'the request to reach the upstream');
    const outcome = nextOutcome(guarded.registry);
    const reason = new Error('the caller gave up');
    controller.abort(reason);
    expect(await pending).toBe(reason);
    expect((await outcome).type).toBe('ignore');
    await until(() => requests[0].destroyed, 'the upstream request to be aborted');
    expect(guarded.registry.get(url).stats()).toMatchObject({
      state: 'closed',
      inFlight: 0,
      totals: { calls: 1, ignored: 1, failures: 0 },
    });
  } finally {
    await stop(server);
  }
});

test("body: 'end' with a fetch that drops the signal: a response after the timeout has its body cancelled", async () => {
  const clock = manualClock();
  // A wrapper of fetch that forwards the URL only: the guard's abort does not reach the request.
  const guarded = guardFetch({ body: 'end', timeoutMs: 500, clock, fetch: (input) => fetch(input) });
  const pending = guarded(`${up.url}/stream`).catch((e: unknown) => e);
  const stream = await up.next(); // the upstream has sent its headers: they are on their way
  clock.advance(500);
  expect(isCallTimeoutError(await pending)).toBe(true);
  stream.write('data: too late\n\n');
  // The late response's body is cancelled: the upstream sees the connection go.
  await stream.gone;
  expect(guarded.registry.get(up.url).stats()).toMatchObject({ inFlight: 0, totals: { calls: 1, timeouts: 1, successes: 0 } });
  expect(clock.pending).toBe(0);
});
