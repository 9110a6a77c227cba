import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from '@upstash/redis';
import { createBreaker } from '../../src/index.js';
import { upstashStore } from '../../src/stores/upstash/index.js';
import { type RedisServer, startRedis, until } from '../redis/server.js';
import { type Bridge, startBridge } from './bridge.js';

jest.setTimeout(30_000);

let server: RedisServer;
let bridge: Bridge;
let proxy: Server;
let proxyUrl: string;
/** What the endpoint answers a pipeline request with, given its commands; undefined: the bridge's answer. */
let pipelineReply: ((commands: unknown[]) => unknown) | undefined;
/** While set, pipeline requests wait for it before going on to the bridge. */
let gate: Promise<void> | undefined;

// An endpoint in front of the bridge that answers pipeline requests wrongly.
beforeAll(async () => {
  server = await startRedis();
  bridge = await startBridge(server.port);
  proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString();
      if (pipelineReply !== undefined && req.url === '/pipeline') {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(pipelineReply(JSON.parse(body) as unknown[])));
        return;
      }
      if (req.url === '/pipeline') await gate;
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === 'string' && e[0] !== 'host'),
      );
      const answer = await fetch(`${bridge.url}${req.url}`, { method: req.method, headers, body });
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
      res.end(await answer.text());
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => proxy.close(resolve));
  await bridge.close();
  await server.stop();
});

describe('an endpoint answering a pipeline wrongly', () => {
  it('with fewer replies than commands: the store is unavailable with a clear error; breakers decide alone', async () => {
    pipelineReply = () => [];
    const client = new Redis({ url: proxyUrl, token: bridge.token, retry: { retries: 0 }, enableTelemetry: false });
    const store = upstashStore({ client, prefix: 'wrong:', counting: 'local' });
    const errors: Error[] = [];
    store.on('unavailable', ({ error }) => errors.push(error as Error));
    // A first request alone (the clock), then ten openings in one pipeline.
    await store.ready();
    const breakers = Array.from({ length: 10 }, (_, i) => createBreaker({ name: `dep-${i}`, store }));
    const idle = createBreaker({ name: 'idle', store });
    for (const breaker of breakers) breaker.open();
    // Its reconciliation fails too (the breakers are read in a pipeline): the idle breaker is not named.
    const failed = await store.flush().then(
      () => new Error('flush resolved'),
      (error: Error & { names?: string[] }) => error,
    );
    expect(failed.message).toMatch(/^tripswitch\/upstash: the latest transition of 10 breakers "dep-0", /);
    expect((failed as { names?: string[] }).names).toEqual(breakers.map((breaker) => breaker.name));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(Error);
    expect(errors[0].name).toBe('TypeError');
    expect(errors[0].message).toBe('tripswitch/upstash: unexpected pipeline reply');
    expect(store.stats()).toMatchObject({ available: false, published: 0 });
    for (const breaker of breakers) expect(breaker.state).toBe('open');
    expect(idle.state).toBe('closed');
    // Answered right again: every opening is delivered.
    pipelineReply = undefined;
    await store.flush();
    expect(store.stats()).toMatchObject({ available: true, published: 10 });
    const other = upstashStore({ client: bridge.client(), prefix: 'wrong:' });
    await other.ready();
    expect(createBreaker({ name: 'dep-9', store: other }).state).toBe('open');
    expect(createBreaker({ name: 'idle', store: other }).state).toBe('closed');
    await other.close();
    await store.close();
  });
});

describe('a burst larger than the endpoint can take', () => {
  it('beyond 1024 waiting requests the store refuses at once and reports it; breakers decide alone', async () => {
    let release = () => {};
    gate = new Promise((resolve) => {
      release = resolve;
    });
    const client = new Redis({ url: proxyUrl, token: bridge.token, retry: { retries: 0 }, enableTelemetry: false });
    const store = upstashStore({ client, prefix: 'burst:', timeoutMs: 2000 });
    const errors: Error[] = [];
    store.on('unavailable', ({ error }) => errors.push(error as Error));
    await store.ready();
    // Each breaker's first failure is reported to the fleet at once: 1,500 reports in one turn.
    const breakers = Array.from({ length: 1500 }, (_, i) => createBreaker({ name: `b${i}`, store }));
    await Promise.all(breakers.map((breaker) => breaker.execute(() => Promise.reject(new Error('down'))).catch(() => undefined)));
    await until(() => errors.length > 0, 5000, "'unavailable'");
    expect(errors.map((error) => error.message)).toEqual([
      'tripswitch/upstash: more than 1024 requests waiting for the endpoint',
    ]);
    expect(store.stats().available).toBe(false);
    release();
    gate = undefined;
    await store.flush();
    expect(store.stats()).toMatchObject({ available: true });
    expect(errors).toHaveLength(1);
    for (const breaker of breakers) expect(breaker.state).toBe('closed');
    await store.close();
  });
});
