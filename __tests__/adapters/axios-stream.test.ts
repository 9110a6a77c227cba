import type { Readable } from 'node:stream';
import axios, { type AxiosInstance } from 'axios';
import { guardAxios } from '../../src/adapters/axios.js';
import { type CallTimeoutError, isCallTimeoutError } from '../../src/index.js';
import { manualClock } from '../../src/testing/index.js';
import { nextOutcome } from './helpers.js';
import { type Streamer, streamer, until } from './streamer.js';

let up: Streamer;
let api: AxiosInstance;
beforeEach(async () => {
  up = await streamer();
  api = axios.create({ baseURL: up.url, responseType: 'stream' });
});
afterEach(() => up.close());

/** The next chunk the stream gives, or its error. */
const nextChunk = (stream: Readable): Promise<string> =>
  new Promise((resolve, reject) => {
    stream.once('data', (chunk: Buffer) => {
      stream.pause();
      resolve(chunk.toString());
    });
    stream.once('error', reject);
    stream.resume();
  });
const whole = async (stream: Readable): Promise<string> => {
  let text = '';
  for await (const chunk of stream) text += chunk;
  return text;
};

test("body: 'end' counts a stream as a success when it ends, a cut midway as a failure", async () => {
  const guard = guardAxios(api, { body: 'end', failureThreshold: 1 });
  const breaker = () => guard.registry.get(up.url);
  let pending = api.get<Readable>('/stream');
  let stream = await up.next();
  stream.write('data: 1\n\n');
  let response = await pending;
  expect(await nextChunk(response.data)).toBe('data: 1\n\n');
  expect(breaker().stats()).toMatchObject({ inFlight: 1, totals: { successes: 0 } });
  let outcome = nextOutcome(guard.registry);
  stream.write('data: 2\n\n');
  stream.end();
  expect(await whole(response.data)).toBe('data: 2\n\n');
  expect((await outcome).type).toBe('success');

  pending = api.get<Readable>('/stream');
  stream = await up.next();
  stream.write('data: 1\n\n');
  response = await pending;
  expect(await nextChunk(response.data)).toBe('data: 1\n\n');
  outcome = nextOutcome(guard.registry);
  stream.cut();
  await expect(whole(response.data)).rejects.toThrow('aborted');
  expect((await outcome).type).toBe('failure');
  expect(breaker().stats()).toMatchObject({ state: 'open', inFlight: 0, totals: { failures: 1, successes: 1 } });
});

test("without body: 'end' a stream cut midway is a success (counted at the headers)", async () => {
  const guard = guardAxios(api, { failureThreshold: 1 });
  const pending = api.get<Readable>('/stream');
  const stream = await up.next();
  const response = await pending;
  stream.write('data: 1\n\n');
  expect(await nextChunk(response.data)).toBe('data: 1\n\n');
  stream.cut();
  await expect(whole(response.data)).rejects.toThrow('aborted');
  expect(guard.registry.get(up.url).stats()).toMatchObject({ state: 'closed', totals: { successes: 1, failures: 0 } });
});

test('bodyIdleMs and firstByteTimeoutMs: a stalled stream is destroyed with a CallTimeoutError, counted as a timeout', async () => {
  const clock = manualClock();
  const guard = guardAxios(api, { body: 'end', firstByteTimeoutMs: 5000, bodyIdleMs: 1000, clock });
  const timeouts: number[] = [];
  guard.registry.on('timeout', ({ timeoutMs }) => timeouts.push(timeoutMs));
  for (const [first, limit] of [
    [false, 5000],
    [true, 1000],
  ] as const) {
    const pending = api.get<Readable>('/stream');
    const stream = await up.next();
    const response = await pending;
    if (first) {
      stream.write('data: 1\n\n');
      expect(await nextChunk(response.data)).toBe('data: 1\n\n');
    }
    response.data.resume();
    const failed = new Promise((resolve) => response.data.once('error', resolve));
    await until(() => clock.pending === 1, 'the wait for a chunk');
    clock.advance(limit - 1);
    expect(timeouts).toHaveLength(first ? 1 : 0);
    clock.advance(1);
    const error = await failed;
    expect(isCallTimeoutError(error)).toBe(true);
    expect((error as CallTimeoutError).timeoutMs).toBe(limit);
    await stream.gone;
  }
  expect(timeouts).toEqual([5000, 1000]);
  expect(guard.registry.get(up.url).stats()).toMatchObject({ inFlight: 0, totals: { timeouts: 2, failures: 2 } });
  expect(clock.pending).toBe(0);
});

test("the caller's destroy, or its cancel, is ignored; a stream left unread is released after bodyIdleMs", async () => {
  const clock = manualClock();
  const guard = guardAxios(api, { body: 'end', bodyIdleMs: 1000, clock, failureThreshold: 1 });
  let pending = api.get<Readable>('/stream');
  let stream = await up.next();
  stream.write('data: 1\n\n');
  let response = await pending;
  expect(await nextChunk(response.data)).toBe('data: 1\n\n');
  let outcome = nextOutcome(guard.registry);
  response.data.destroy();
  expect((await outcome).type).toBe('ignore');
  await stream.gone;

  const controller = new AbortController();
  pending = api.get<Readable>('/stream', { signal: controller.signal });
  stream = await up.next();
  stream.write('data: 1\n\n');
  response = await pending;
  expect(await nextChunk(response.data)).toBe('data: 1\n\n');
  outcome = nextOutcome(guard.registry);
  controller.abort();
  expect((await outcome).type).toBe('ignore');

  pending = api.get<Readable>('/stream');
  stream = await up.next();
  stream.write('data: unread\n\n');
  response = await pending;
  await until(() => response.data.readableLength > 0, 'the chunk to wait in the buffer');
  outcome = nextOutcome(guard.registry);
  clock.advance(1000);
  expect((await outcome).type).toBe('ignore');
  stream.end();
  expect(await whole(response.data)).toBe('data: unread\n\n');
  expect(guard.registry.get(up.url).stats()).toMatchObject({ state: 'closed', inFlight: 0, totals: { ignored: 3 } });
  expect(clock.pending).toBe(0);
});

test("body: 'end' with axios's fetch adapter watches the web stream it gives: counted at its end", async () => {
  const clock = manualClock();
  const web = axios.create({ baseURL: up.url, adapter: 'fetch', responseType: 'stream' });
  const guard = guardAxios(web, { body: 'end', clock });
  const pending = web.get<ReadableStream<Uint8Array>>('/stream');
  const stream = await up.next();
  stream.write('data: 1\n\n');
  const response = await pending;
  expect(response.data).toBeInstanceOf(ReadableStream);
  const reader = response.data.getReader();
  const decoder = new TextDecoder();
  expect(decoder.decode((await reader.read()).value)).toBe('data: 1\n\n');
  expect(guard.registry.get(up.url).stats()).toMatchObject({ inFlight: 1, totals: { successes: 0 } });
  const outcome = nextOutcome(guard.registry);
  stream.end();
  expect((await reader.read()).done).toBe(true);
  expect((await outcome).type).toBe('success');
  expect(guard.registry.get(up.url).stats()).toMatchObject({ inFlight: 0, totals: { calls: 1, successes: 1 } });
  expect(clock.pending).toBe(0);
});

test("body: 'end' counts a response that is not a stream (JSON, text) at once", async () => {
  const json = axios.create({ baseURL: up.url });
  const guard = guardAxios(json, { body: 'end', failureThreshold: 1 });
  const response = await json.get<string>('/status/200');
  expect(response.data).toBe('upstream said 200');
  expect(guard.registry.get(up.url).stats()).toMatchObject({ state: 'closed', inFlight: 0, totals: { calls: 1, successes: 1 } });
});
