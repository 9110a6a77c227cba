// The store passes through the adapters: per-origin and per-key breakers shared by a fleet.
import { createServer, type Server } from 'node:http';
import express from 'express';
import { circuitBreaker } from '../../src/adapters/express.js';
import { guardFetch } from '../../src/adapters/fetch.js';
import { memoryStore } from '../../src/testing/index.js';
import { listen, stop } from '../adapters/helpers.js';

let servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.map(stop));
  servers = [];
});

it('a Retry-After that opens an origin in one process opens it for the whole fleet', async () => {
  let hits = 0;
  const upstream = createServer((_req, res) => {
    hits++;
    res.writeHead(503, { 'Retry-After': '120' }).end('busy');
  });
  servers.push(upstream);
  const url = await listen(upstream);
  const store = memoryStore();
  const one = guardFetch({ store });
  const two = guardFetch({ store });
  const origin = new URL(url).origin;
  two.registry.get(origin); // the second process has a breaker for the origin, still closed
  await store.flush();
  expect((await one(`${url}/a`)).status).toBe(503);
  await store.flush();
  expect(one.registry.get(origin).state).toBe('open');
  await expect(two(`${url}/b`)).rejects.toMatchObject({ code: 'ERR_CIRCUIT_OPEN', state: 'open' });
  const retryAfterMs = two.registry.get(origin).stats().retryAfterMs;
  expect(retryAfterMs).toBeGreaterThan(110_000);
  expect(hits).toBe(1);
});

it('Express: one shared breaker per key, across processes', async () => {
  const store = memoryStore();
  const app = (name: string) => {
    const a = express();
    a.get('/t/:tenant', circuitBreaker({ store, failureThreshold: 1, key: (req) => String(req.params.tenant) }), (_req, res) => {
      res.status(name === 'one' ? 500 : 200).end(name);
    });
    const server = createServer(a);
    servers.push(server);
    return listen(server);
  };
  const [one, two] = await Promise.all([app('one'), app('two')]);
  expect((await fetch(`${two}/t/acme`)).status).toBe(200); // the key exists in both processes
  expect((await fetch(`${one}/t/acme`)).status).toBe(500); // one trips it
  await store.flush();
  const rejected = await fetch(`${two}/t/acme`);
  expect(rejected.status).toBe(503);
  expect(await rejected.json()).toMatchObject({ error: 'circuit_open' });
  expect((await fetch(`${two}/t/other`)).status).toBe(200);
});
