// Four real processes (two on ioredis, two on node-redis) share one real Redis.

import { type RedisServer, startRedis } from '../redis/server.js';
import { bundleChild, eventually, type Member, sleep, spawnMember, startUpstream, type Upstream, url } from './harness.js';

jest.setTimeout(60_000);

let redis: RedisServer;
let upstream: Upstream;
let bundle: ReturnType<typeof bundleChild>;
let fleet: Member[];

beforeAll(async () => {
  bundle = bundleChild();
  [redis, upstream] = await Promise.all([startRedis(), startUpstream()]);
  fleet = await Promise.all(
    ['ioredis', 'ioredis', 'node-redis', 'node-redis'].map((client) =>
      spawnMember(bundle.path, { REDIS_URL: url(redis), CLIENT: client }),
    ),
  );
});

afterAll(async () => {
  await Promise.all((fleet ?? []).map((m) => m.send({ cmd: 'exit' }).catch(() => m.kill())));
  await Promise.all((fleet ?? []).map((m) => m.exited));
  await upstream?.close();
  await redis?.stop();
  bundle?.remove();
});

afterEach(() => {
  // Library code writes nothing and leaves no rejection unhandled, whatever happened.
  for (const m of fleet ?? []) {
    expect(m.output).toBe('');
    expect(m.unhandled).toEqual([]);
  }
  upstream.mode = 'up';
});

const make = (name: string, options: object = {}, quorum?: number): Promise<unknown> =>
  Promise.all(fleet.map((m) => m.send({ cmd: 'make', name, quorum, options: { failureThreshold: 2, ...options } })));
const statesOf = async (name: string): Promise<string[]> =>
  (await Promise.all(fleet.map((m) => m.state(name)))).map((s) => s.state);
const allIn = (name: string, state: string) => async () => (await statesOf(name)).every((s) => s === state);

it('a trip in one process makes the others reject, without calling the upstream', async () => {
  await make('trip', { resetTimeoutMs: 60_000 });
  upstream.mode = 'down';
  await fleet[0].send({ cmd: 'call', name: 'trip', url: upstream.url });
  await fleet[0].send({ cmd: 'call', name: 'trip', url: upstream.url });
  expect(await eventually(allIn('trip', 'open'))).toBe(true);
  const before = upstream.hits.length;
  for (const m of fleet.slice(1)) {
    expect(await m.send({ cmd: 'call', name: 'trip', url: upstream.url })).toMatchObject({ ok: false, code: 'ERR_CIRCUIT_OPEN' });
  }
  expect(upstream.hits.length).toBe(before);
  expect(fleet[3].events).toContainEqual(expect.objectContaining({ name: 'trip', to: 'open', remote: true }));
});

it('after each open period exactly one probe reaches the upstream, over many periods', async () => {
  const periodMs = 300;
  await make('probes', { resetTimeoutMs: periodMs, halfOpenMaxCalls: 1 });
  upstream.mode = 'down';
  await fleet[0].send({ cmd: 'call', name: 'probes', url: upstream.url });
  await fleet[0].send({ cmd: 'call', name: 'probes', url: upstream.url });
  expect(await eventually(allIn('probes', 'open'))).toBe(true);
  const from = upstream.hits.length;
  const results = await Promise.all(
    fleet.map((m) =>
      m.send<{ ran: number; rejected: number }>({ cmd: 'hammer', name: 'probes', url: upstream.url, forMs: 3_000, everyMs: 5 }),
    ),
  );
  const hits = upstream.hits.slice(from);
  // Every failed probe reopens the fleet for a whole period: probes are at least a period apart.
  const gaps = hits.slice(1).map((t, i) => t - hits[i]);
  expect(hits.length).toBeGreaterThanOrEqual(5);
  expect(hits.length).toBeLessThanOrEqual(11);
  expect(Math.min(...gaps)).toBeGreaterThanOrEqual(periodMs - 50);
  const ran = results.reduce((sum, r) => sum + r.ran, 0);
  expect(ran).toBe(hits.length);
  expect(results.reduce((sum, r) => sum + r.rejected, 0)).toBeGreaterThan(100);
  // The dependency comes back: the next probe closes every process.
  upstream.mode = 'up';
  await sleep(periodMs + 50);
  await fleet[2].send({ cmd: 'call', name: 'probes', url: upstream.url });
  expect(await eventually(allIn('probes', 'closed'))).toBe(true);
});

it('a failed probe backs off fleet-wide', async () => {
  await make('backoff', { resetTimeoutMs: [200, 2_000] });
  upstream.mode = 'down';
  await fleet[1].send({ cmd: 'call', name: 'backoff', url: upstream.url });
  await fleet[1].send({ cmd: 'call', name: 'backoff', url: upstream.url });
  expect(await eventually(allIn('backoff', 'open'))).toBe(true);
  await sleep(250);
  expect(await fleet[2].send({ cmd: 'call', name: 'backoff', url: upstream.url })).toMatchObject({ ok: false });
  expect(await eventually(async () => (await fleet[0].state('backoff')).retryAfterMs > 1_000)).toBe(true);
  const states = await Promise.all(fleet.map((m) => m.state('backoff')));
  for (const s of states) {
    expect(s.state).toBe('open');
    expect(s.retryAfterMs).toBeGreaterThan(1_000);
  }
});

it('isolate() and close() in one process act everywhere', async () => {
  await make('manual');
  await fleet[2].send({ cmd: 'manual', name: 'manual', action: 'isolate' });
  expect(await eventually(allIn('manual', 'isolated'))).toBe(true);
  await fleet[0].send({ cmd: 'manual', name: 'manual', action: 'close' });
  expect(await eventually(allIn('manual', 'closed'))).toBe(true);
});

it('quorum 2 holds the fleet closed until a second process trips', async () => {
  await make('quorum', { resetTimeoutMs: 60_000 }, 2);
  upstream.mode = 'down';
  await fleet[0].send({ cmd: 'call', name: 'quorum', url: upstream.url });
  await fleet[0].send({ cmd: 'call', name: 'quorum', url: upstream.url });
  await sleep(300);
  expect(await statesOf('quorum')).toEqual(['open', 'closed', 'closed', 'closed']);
  await fleet[3].send({ cmd: 'call', name: 'quorum', url: upstream.url });
  await fleet[3].send({ cmd: 'call', name: 'quorum', url: upstream.url });
  expect(await eventually(allIn('quorum', 'open'))).toBe(true);
});
