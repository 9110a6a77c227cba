// Resynchronization at fleet size, on a real Redis with real processes: after Redis restarts
// empty, each instance costs a few scripts plus what differs (breakers not closed), not one
// script per breaker; and a process that crash-loops under a stable instanceId never meets
// quorum on its own.
import { cli, type RedisServer, startRedis } from '../redis/server.js';
import { bundleChild, eventually, type Member, sleep, spawnMember, startUpstream, type Upstream, url } from './harness.js';

jest.setTimeout(120_000);

let redis: RedisServer;
let upstream: Upstream;
let bundle: ReturnType<typeof bundleChild>;
const fleet: Member[] = [];

const join = async (env: Record<string, string> = {}, client = 'ioredis'): Promise<Member> => {
  const member = await spawnMember(bundle.path, { REDIS_URL: url(redis), CLIENT: client, ...env });
  fleet.push(member);
  return member;
};
const leave = async (member: Member) => {
  await member.send({ cmd: 'exit' }, 5_000).catch(() => member.kill());
  await member.exited;
  fleet.splice(fleet.indexOf(member), 1);
};

beforeAll(async () => {
  bundle = bundleChild();
  [redis, upstream] = await Promise.all([startRedis(), startUpstream()]);
});

afterAll(async () => {
  await Promise.all([...fleet].map(leave));
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

/** Scripts Redis ran since it started (EVALSHA and EVAL, a NOSCRIPT refusal included). */
const scripts = async (): Promise<number> => {
  const info = await cli(redis.port, 'info', 'commandstats');
  let total = 0;
  for (const match of info.matchAll(/^cmdstat_(?:evalsha|eval):calls=(\d+),.*?failed_calls=(\d+)/gm)) {
    total += Number(match[1]) + Number(match[2]);
  }
  return total;
};

type ManyStats = { stores: { available: boolean; events: string[]; notClosed: number }[] };

test('Redis restarted empty: P = 32 instances x K = 100 breakers resynchronize for a few scripts each, plus the breakers not closed', async () => {
  const P_PER_CHILD = 8;
  const K = 100;
  const OPEN = 5;
  const names = Array.from({ length: K }, (_, i) => `key-${i}`);
  const children = await Promise.all(['ioredis', 'node-redis', 'ioredis', 'node-redis'].map((client) => join({}, client)));
  const P = children.length * P_PER_CHILD;
  await Promise.all(children.map((m) => m.send({ cmd: 'many', prefix: 'scale:', stores: P_PER_CHILD, names })));
  const stats = async () =>
    (await Promise.all(children.map((m) => m.send<ManyStats>({ cmd: 'manyStats' })))).flatMap((r) => r.stores);
  expect(await eventually(async () => (await stats()).every((s) => s.available), 15_000)).toBe(true);
  /** Restarts Redis empty; returns the scripts it ran until every instance was available again (and a second more). */
  const restart = async (label: string) => {
    await redis.kill();
    expect(await eventually(async () => (await stats()).every((s) => !s.available), 15_000)).toBe(true);
    await redis.start();
    const started = Date.now();
    const perTenth: number[] = [];
    let last = 0;
    let allAvailableMs = -1;
    while (Date.now() - started < 15_000) {
      const now = await scripts();
      perTenth.push(now - last);
      last = now;
      if (allAvailableMs < 0 && (await stats()).every((s) => s.available)) allAvailableMs = Date.now() - started;
      // Index writes may follow `available`: a second more.
      if (allAvailableMs >= 0 && Date.now() - started > allAvailableMs + 1000) break;
      await sleep(100);
    }
    const total = await scripts();
    const notClosed = (await stats()).reduce((sum, s) => sum + s.notClosed, 0);
    const bound = 5 * P + 2 * notClosed;
    const peak = Math.max(...perTenth) * 10;
    process.stdout.write(
      `empty restart (${label}), P = ${P}, K = ${K}, ${notClosed} breakers not closed: ${total} scripts (bound ${bound}), ` +
        `peak about ${peak}/s (over 100 ms), every instance available after ${allAvailableMs} ms\n`,
    );
    expect(allAvailableMs).toBeGreaterThanOrEqual(0);
    expect(total).toBeLessThanOrEqual(bound);
    return notClosed;
  };

  // Every breaker closed: a few scripts per instance, none per breaker.
  expect(await restart('all closed')).toBe(0);
  expect(await cli(redis.port, 'exists', 'scale:{~}:index')).toBe('0');

  // A few names opened by hand in one instance: every instance follows, so each holds OPEN breakers not closed.
  await children[0].send({ cmd: 'manyOpen', names: names.slice(0, OPEN) });
  expect(await eventually(async () => (await stats()).every((s) => s.notClosed === OPEN), 15_000)).toBe(true);
  expect(Number(await cli(redis.port, 'hlen', 'scale:{~}:index'))).toBe(OPEN);
  expect(await restart(`${OPEN} names open`)).toBe(P * OPEN);
  // The fleet's open states came back to Redis, and to its index.
  expect(Number(await cli(redis.port, 'hlen', 'scale:{~}:index'))).toBe(OPEN);
  expect(await cli(redis.port, 'hget', 'scale:{key-0}:s', 'state')).toBe('open');
  await Promise.all(children.map(leave));
});

describe.each(['local', 'fleet'] as const)('a process crash-looping within one open period (counting %s)', (counting) => {
  const crashLoop = async (name: string, env: Record<string, string>) => {
    const options = { failureThreshold: 1, resetTimeoutMs: 30_000 };
    const observer = await join();
    await observer.send({ cmd: 'make', name, quorum: 2, counting, options });
    upstream.mode = 'down';
    for (let run = 0; run < 3; run++) {
      const sick = await join(env);
      await sick.send({ cmd: 'make', name, quorum: 2, counting, options });
      await sick.send({ cmd: 'call', name, url: upstream.url });
      expect(await sick.state(name)).toMatchObject({ state: 'open' });
      // Its trip reached Redis (a vote, or the fleet's opening) before it dies without close().
      const keys = `fleet-q2-${counting}:{${name}}`;
      const reached = async () =>
        Number(await cli(redis.port, 'zcard', `${keys}:votes`)) >= 1 ||
        (await cli(redis.port, 'hget', `${keys}:s`, 'state')) === 'open';
      expect(await eventually(reached)).toBe(true);
      sick.kill();
      await sick.exited;
      fleet.splice(fleet.indexOf(sick), 1);
    }
    // Time for a fleet opening to reach the observer.
    await sleep(300);
    const state = (await observer.state(name)).state;
    await leave(observer);
    return state;
  };

  test('with a random instanceId each run votes anew: three runs meet quorum 2 alone', async () => {
    expect(await crashLoop(`random-${counting}`, {})).toBe('open');
  });

  test('with a stable instanceId each run replaces its vote: quorum 2 is never met alone', async () => {
    expect(await crashLoop(`stable-${counting}`, { INSTANCE_ID: 'pod-7' })).toBe('closed');
    expect(Number(await cli(redis.port, 'zcard', `fleet-q2-${counting}:{stable-${counting}}:votes`))).toBe(1);
  });
});
