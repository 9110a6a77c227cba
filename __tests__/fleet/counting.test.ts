// Counting failures across a fleet of real processes on one real Redis (fleet-counts.md 3-6):
// the two detection scenarios, with their figures printed beside `counting: 'local'`, quorum 2
// against one sick process, a process killed mid-run, and Redis paused, and killed, while counting.

import { type RedisServer, startRedis } from '../redis/server.js';
import { bundleChild, eventually, type Member, sleep, spawnMember, startUpstream, type Upstream, url } from './harness.js';

jest.setTimeout(120_000);

let redis: RedisServer;
let upstream: Upstream;
let sick: Upstream;
let bundle: ReturnType<typeof bundleChild>;
let fleet: Member[];

beforeAll(async () => {
  bundle = bundleChild();
  [redis, upstream, sick] = await Promise.all([startRedis(), startUpstream(), startUpstream()]);
  fleet = await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      spawnMember(bundle.path, { REDIS_URL: url(redis), CLIENT: i % 2 === 0 ? 'ioredis' : 'node-redis' }),
    ),
  );
});

afterAll(async () => {
  await Promise.all((fleet ?? []).map((m) => m.send({ cmd: 'exit' }).catch(() => m.kill())));
  await Promise.all((fleet ?? []).map((m) => m.exited));
  await upstream?.close();
  await sick?.close();
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

type Counting = 'fleet' | 'local';
const make = (members: Member[], name: string, counting: Counting, options: object, quorum?: number): Promise<unknown> =>
  Promise.all(members.map((m) => m.send({ cmd: 'make', name, quorum, counting, options })));
const statesOf = async (members: Member[], name: string): Promise<string[]> =>
  (await Promise.all(members.map((m) => m.state(name)))).map((s) => s.state);
const allOpen = (members: Member[], name: string) => async () => (await statesOf(members, name)).every((s) => s === 'open');
interface Stats {
  state: string;
  window: { calls: number };
  fleet?: { calls: number; failures: number; instances: number };
}
const statsOf = async (m: Member, name: string): Promise<Stats> => (await m.send<{ stats: Stats }>({ cmd: 'stats', name })).stats;

/** Consecutive: 8 processes calling every 20 ms, threshold 5; the upstream dies for all. Calls that reach it. */
async function consecutive(counting: Counting): Promise<number> {
  const members = fleet.slice(0, 8);
  const name = `consecutive-${counting}`;
  await make(members, name, counting, { failureThreshold: 5, resetTimeoutMs: 60_000 });
  await sleep(200);
  upstream.mode = 'down';
  const from = upstream.hits.length;
  await Promise.all(members.map((m) => m.send({ cmd: 'hammer', name, url: upstream.url, forMs: 1500, everyMs: 20 })));
  expect(await statesOf(members, name)).toEqual(members.map(() => 'open'));
  return upstream.hits.length - from;
}

it('consecutive: a dead upstream gets far fewer calls when the fleet counts together', async () => {
  const local = await consecutive('local');
  const together = await consecutive('fleet');
  console.log(
    `consecutive, 8 processes 20 ms apart, threshold 5: ${together} calls reached the dead upstream counting across the fleet, ${local} counting locally`,
  );
  expect(together).toBeLessThanOrEqual(local);
  // As one breaker seeing every call: the threshold, plus what was in flight when it opened.
  expect(together).toBeLessThanOrEqual(5 + 2 * 8);
});

it('rate: 12 processes that each hold too few calls to decide open together on the sum of their windows', async () => {
  const name = 'rate';
  const window = { durationMs: 2000, buckets: 10 };
  await make(fleet, name, 'fleet', { window, minimumCalls: 20, failureRateThreshold: 0.5, resetTimeoutMs: 60_000 });
  const hammer = (forMs: number) =>
    Promise.all(fleet.map((m) => m.send({ cmd: 'hammer', name, url: upstream.url, forMs, everyMs: 200 })));
  await hammer(2500);
  const windows = await Promise.all(fleet.map((m) => statsOf(m, name)));
  // Alone, none ever holds minimumCalls.
  expect(Math.max(...windows.map((s) => s.window.calls))).toBeLessThan(20);
  upstream.mode = 'down';
  const died = Date.now();
  const running = hammer(4000);
  const opened = await eventually(allOpen(fleet, name), 4000, 20);
  const tookMs = Date.now() - died;
  await running;
  console.log(
    `rate, 12 processes at one call per 200 ms, a 2 s window, minimumCalls 20, 50 %: opened ${tookMs} ms after the death`,
  );
  expect(opened).toBe(true);
  expect(tookMs).toBeLessThan(4000);
});

it('quorum 2: one sick process failing every call never opens the fleet', async () => {
  const members = fleet.slice(0, 4);
  const name = 'sick';
  sick.mode = 'down';
  await make(members, name, 'fleet', { failureThreshold: 3, resetTimeoutMs: 500 }, 2);
  await sleep(200);
  const results = await Promise.all(
    members.map((m, i) => m.send({ cmd: 'hammer', name, url: i === 0 ? sick.url : upstream.url, forMs: 2000, everyMs: 10 })),
  );
  expect(await statesOf(members.slice(1), name)).toEqual(['closed', 'closed', 'closed']);
  for (const m of members.slice(1)) {
    expect(m.events.filter((e) => e.name === name)).toEqual([]);
  }
  expect((results[0] as { rejected: number }).rejected).toBeGreaterThan(0);
});

it('a process killed mid-run: its failures expire with the run and never open the fleet', async () => {
  const spare = await spawnMember(bundle.path, { REDIS_URL: url(redis) });
  const members = [spare, ...fleet.slice(0, 2)];
  const name = 'killed';
  upstream.mode = 'down';
  await make(members, name, 'fleet', { failureThreshold: 5, resetTimeoutMs: 1000 });
  await sleep(200);
  for (let i = 0; i < 4; i++) await spare.send({ cmd: 'call', name, url: upstream.url });
  expect(await eventually(async () => (await statsOf(spare, name)).fleet?.failures === 4)).toBe(true);
  spare.kill();
  await spare.exited;
  await sleep(1200);
  // Two in a row: fleet[0]'s evidence, counted in a run of 2, not 6.
  await fleet[0].send({ cmd: 'call', name, url: upstream.url });
  await fleet[0].send({ cmd: 'call', name, url: upstream.url });
  expect(await eventually(async () => (await statsOf(fleet[0], name)).fleet?.failures === 2)).toBe(true);
  expect(await statesOf(members.slice(1), name)).toEqual(['closed', 'closed']);
});

it('Redis paused while counting: each process counts alone, no call waits, and no stale count opens the fleet after', async () => {
  const members = fleet.slice(0, 4);
  const name = 'paused-counting';
  await make(members, name, 'fleet', { failureThreshold: 4, resetTimeoutMs: 60_000 });
  await sleep(200);
  upstream.mode = 'down';
  await members[0].send({ cmd: 'call', name, url: upstream.url });
  await members[1].send({ cmd: 'call', name, url: upstream.url });
  redis.pause();
  try {
    const results = await Promise.all(
      members.map((m) => m.send<{ slowest: number }>({ cmd: 'hammer', name, url: upstream.url, forMs: 800, everyMs: 10 })),
    );
    // Alone, each opened on its own threshold; no call waited for Redis.
    expect(await statesOf(members, name)).toEqual(['open', 'open', 'open', 'open']);
    expect(Math.max(...results.map((r) => r.slowest))).toBeLessThan(200);
  } finally {
    redis.resume();
  }
  for (const m of members) await m.send({ cmd: 'manual', name, action: 'close' });
  upstream.mode = 'up';
  await sleep(1000);
  for (let i = 0; i < 5; i++) {
    await Promise.all(members.map((m) => m.send({ cmd: 'call', name, url: upstream.url })));
  }
  expect(await statesOf(members, name)).toEqual(['closed', 'closed', 'closed', 'closed']);
});

it('Redis killed while counting: each process counts alone, and after a restart empty no stale count opens the fleet', async () => {
  // fleet[0..3]: ioredis, node-redis, ioredis, node-redis.
  const members = fleet.slice(0, 4);
  const [a, b, c, d] = members;
  const name = 'killed-counting';
  const storesOf = async (m: Member) => (await m.send<{ stats: { available: boolean }[] }>({ cmd: 'store' })).stats;
  const everyStore = (available: boolean) => async () =>
    (await Promise.all(members.map(storesOf))).every((stats) => stats.every((s) => s.available === available));
  const fail = async (m: Member) => {
    const result = await m.send<{ ok: boolean; ms: number }>({ cmd: 'call', name, url: upstream.url });
    expect(result.ok).toBe(false);
    // No call waits for the store, up or down (the bound is loose: the machine is shared).
    expect(result.ms).toBeLessThan(1_000);
  };
  await make(members, name, 'fleet', { failureThreshold: 4, resetTimeoutMs: 60_000 });
  await sleep(200);
  upstream.mode = 'down';
  await fail(a);
  await fail(a);
  expect(await eventually(async () => (await statsOf(a, name)).fleet?.failures === 2)).toBe(true);

  await redis.kill();
  try {
    expect(await eventually(everyStore(false), 15_000, 50)).toBe(true);
    // Alone, as with counting: 'local': with the fleet's run at 2, c's three failures would open
    // the fleet; they do not, and its own fourth opens only c.
    for (let i = 0; i < 3; i++) await fail(c);
    expect(await statesOf(members, name)).toEqual(['closed', 'closed', 'closed', 'closed']);
    await fail(c);
    expect(await statesOf(members, name)).toEqual(['closed', 'closed', 'open', 'closed']);
    await sleep(300);
    expect(await statesOf(members, name)).toEqual(['closed', 'closed', 'open', 'closed']);
    // Reset by hand while Redis is away, so that its trip does not reach the fleet on resync.
    await c.send({ cmd: 'manual', name, action: 'close' });
  } finally {
    await redis.start();
  }
  expect(await eventually(everyStore(true), 20_000, 50)).toBe(true);
  await sleep(300);

  // Redis came back empty: the run of 2 from before the kill, and the failures counted alone
  // meanwhile, are gone. Two fresh failures in a row make a run of 2, not 4 or more.
  await fail(b);
  await fail(b);
  expect(await eventually(async () => (await statsOf(b, name)).fleet?.failures === 2, 5_000)).toBe(true);
  await sleep(300);
  expect(await statesOf(members, name)).toEqual(['closed', 'closed', 'closed', 'closed']);
  // Fresh failures open it again, everywhere (by the fleet's count, or a process's own run and its vote).
  for (let i = 0; i < 3 && !(await allOpen(members, name)()); i++) {
    await fail(d);
    await fail(b);
  }
  expect(await eventually(allOpen(members, name), 10_000, 20)).toBe(true);
  const opened = members.flatMap((m) => m.events.filter((e) => e.name === name && e.to === 'open'));
  expect(opened.filter((e) => e.remote === true).length).toBeGreaterThanOrEqual(3);
});
