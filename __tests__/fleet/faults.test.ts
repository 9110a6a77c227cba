// Faults of a real fleet: Redis killed, paused and restarted empty, a stranger on the channel,
// a process with a skewed clock, a process killed while it holds the probe lease.
import { execFileSync } from 'node:child_process';
import { type RedisServer, startRedis } from '../redis/server.js';
import { bundleChild, eventually, type Member, sleep, spawnMember, startUpstream, type Upstream, url } from './harness.js';

jest.setTimeout(90_000);

let redis: RedisServer;
let upstream: Upstream;
let bundle: ReturnType<typeof bundleChild>;
let fleet: Member[] = [];

const join = async (env: Record<string, string> = {}, client = 'ioredis'): Promise<Member> => {
  const member = await spawnMember(bundle.path, { REDIS_URL: url(redis), CLIENT: client, ...env });
  fleet.push(member);
  return member;
};

beforeAll(async () => {
  bundle = bundleChild();
  [redis, upstream] = await Promise.all([startRedis(), startUpstream()]);
  await Promise.all(['ioredis', 'ioredis', 'node-redis', 'node-redis'].map((client) => join({}, client)));
});

afterAll(async () => {
  redis?.resume();
  await Promise.all(fleet.map((m) => m.send({ cmd: 'exit' }, 5_000).catch(() => m.kill())));
  // Each process exits by itself once its store is closed: nothing holds it open.
  await Promise.all(fleet.map((m) => m.exited));
  await upstream?.close();
  await redis?.stop();
  bundle?.remove();
});

afterEach(() => {
  for (const m of fleet) {
    expect(m.output).toBe('');
    expect(m.unhandled).toEqual([]);
  }
  upstream.mode = 'up';
});

const make = (members: Member[], name: string, options: object = {}): Promise<unknown> =>
  Promise.all(members.map((m) => m.send({ cmd: 'make', name, options: { failureThreshold: 2, ...options } })));
const allIn = (members: Member[], name: string, state: string) => async () =>
  (await Promise.all(members.map((m) => m.state(name)))).every((s) => s.state === state);
const storeOf = async (m: Member) =>
  await m.send<{ stats: { available: boolean; ignored: number; errors: number }[]; events: string[] }>({ cmd: 'store' });

it('a stranger publishing garbage on the channel is ignored and counted', async () => {
  const [a, b] = fleet;
  await make(fleet, 'garbage');
  // Once a transition has gone round, every process is subscribed.
  await a.send({ cmd: 'manual', name: 'garbage', action: 'disable' });
  expect(await eventually(allIn(fleet, 'garbage', 'disabled'))).toBe(true);
  await a.send({ cmd: 'manual', name: 'garbage', action: 'close' });
  expect(await eventually(allIn(fleet, 'garbage', 'closed'))).toBe(true);
  const garbage = [
    'not json',
    '{"v":1}',
    '{"v":1,"n":"garbage","e":"x","s":"open"}',
    '{"v":2,"n":"garbage","e":1,"s":"isolated","r":0,"a":1,"i":"x"}',
    '[]',
  ];
  for (const message of garbage) {
    execFileSync('redis-cli', ['-p', String(redis.port), 'PUBLISH', 'fleet-q1:events', message]);
  }
  expect(await eventually(async () => (await storeOf(b)).stats[0].ignored >= garbage.length)).toBe(true);
  expect(await allIn([a, b], 'garbage', 'closed')()).toBe(true);
});

it('a process whose clock is 10 minutes off opens and half-opens with the fleet', async () => {
  const skewed = await join({ SKEW_MS: String(10 * 60_000) });
  const members = [fleet[0], skewed];
  await make(members, 'skew', { resetTimeoutMs: 400 });
  upstream.mode = 'down';
  await fleet[0].send({ cmd: 'call', name: 'skew', url: upstream.url });
  await fleet[0].send({ cmd: 'call', name: 'skew', url: upstream.url });
  expect(await eventually(allIn(members, 'skew', 'open'))).toBe(true);
  const { retryAfterMs } = await skewed.state('skew');
  expect(retryAfterMs).toBeGreaterThan(0);
  expect(retryAfterMs).toBeLessThanOrEqual(400);
  upstream.mode = 'up';
  await sleep(450);
  expect(await skewed.send({ cmd: 'call', name: 'skew', url: upstream.url })).toMatchObject({ ok: true });
  expect(await eventually(allIn(members, 'skew', 'closed'))).toBe(true);
});

it('a process killed while it holds the probe lease: another probes after the probe expiry', async () => {
  const doomed = await join();
  const members = [fleet[1], fleet[2], doomed];
  await make(members, 'lease', { resetTimeoutMs: 300 });
  await doomed.send({ cmd: 'manual', name: 'lease', action: 'open' });
  expect(await eventually(allIn(members, 'lease', 'open'))).toBe(true);
  await sleep(350);
  upstream.mode = 'hang';
  const from = upstream.hits.length;
  void doomed.send({ cmd: 'call', name: 'lease', url: upstream.url }).catch(() => undefined);
  expect(await eventually(() => upstream.hits.length > from)).toBe(true);
  doomed.kill();
  await doomed.exited;
  fleet = fleet.filter((m) => m !== doomed);
  upstream.mode = 'up';
  // Within the probe expiry the lease is still held: the others are turned away.
  expect(await fleet[1].send({ cmd: 'call', name: 'lease', url: upstream.url })).toMatchObject({ ok: false, state: 'halfOpen' });
  // After it, the fleet is not stuck.
  expect(
    await eventually(
      async () => (await fleet[1].send<{ ok: boolean }>({ cmd: 'call', name: 'lease', url: upstream.url })).ok,
      5_000,
      50,
    ),
  ).toBe(true);
  expect(await eventually(allIn([fleet[1], fleet[2]], 'lease', 'closed'))).toBe(true);
});

it('Redis paused: no call waits longer than the store timeout', async () => {
  const [a] = fleet;
  await make([a], 'paused', { resetTimeoutMs: 200 });
  await a.send({ cmd: 'manual', name: 'paused', action: 'open' });
  await sleep(250);
  redis.pause();
  try {
    // A would-be probe waits for the lease, at most timeoutMs (250 ms), then decides alone.
    const probe = await a.send<{ ok: boolean; ms: number }>({ cmd: 'call', name: 'paused', url: upstream.url });
    expect(probe).toMatchObject({ ok: true });
    expect(probe.ms).toBeLessThan(1_000);
    const closed = await a.send<{ ran: number; slowest: number }>({
      cmd: 'hammer',
      name: 'paused',
      url: upstream.url,
      forMs: 500,
      everyMs: 5,
    });
    // A stopped Redis never answers: a call that waited on it would never finish. The bound is loose
    // because the machine is shared; what matters is that nothing waits on the store.
    expect(closed.ran).toBeGreaterThanOrEqual(3);
    expect(closed.slowest).toBeLessThan(1_000);
  } finally {
    redis.resume();
  }
  expect(await eventually(async () => (await storeOf(a)).stats[0].available, 10_000)).toBe(true);
});

it('Redis killed and restarted empty: breakers serve throughout, and what changed meanwhile reaches the fleet', async () => {
  const members = fleet.slice(0, 4);
  await make(members, 'outage');
  await redis.kill();
  expect(await eventually(async () => (await storeOf(members[0])).events.includes('unavailable'), 10_000)).toBe(true);
  // During the outage every breaker decides on its own, and quickly.
  const serving = await members[1].send<{ ran: number; rejected: number; slowest: number }>({
    cmd: 'hammer',
    name: 'outage',
    url: upstream.url,
    forMs: 500,
    everyMs: 5,
  });
  expect(serving.ran).toBeGreaterThanOrEqual(3);
  expect(serving.rejected).toBe(0);
  expect(serving.slowest).toBeLessThan(1_000);
  await members[0].send({ cmd: 'manual', name: 'outage', action: 'isolate' });
  expect(await members[2].state('outage')).toMatchObject({ state: 'closed' });
  await redis.start();
  expect(await eventually(allIn(members, 'outage', 'isolated'), 15_000)).toBe(true);
  for (const m of members) {
    expect(await eventually(async () => (await storeOf(m)).events.join(',').endsWith('unavailable,available'), 15_000)).toBe(
      true,
    );
  }
  // Redis came back empty; the fleet's state was restored to it: a process that joins now takes it up.
  const late = await join({}, 'node-redis');
  await make([late], 'outage');
  expect(await eventually(allIn([late], 'outage', 'isolated'))).toBe(true);
});
