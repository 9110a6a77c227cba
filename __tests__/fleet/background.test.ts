// A fleet at a background failure rate far from its thresholds, on one real Redis (issue 25,
// fleet.md "Counting across the fleet" and "Sizing"): 4 child processes x 4 stores, each store
// an instance of its own on a client of its own, counting across the fleet; 20 breakers per
// instance, each called 5 times a second, 2 % of calls failing (a seeded generator per breaker:
// the outcomes are the same on every run). In both modes no breaker opens, and what Redis runs
// in the measured period (INFO commandstats) stays a small share of the failures.
import { cli, type RedisServer, startRedis } from '../redis/server.js';
import type { BackgroundReply } from './background-child.js';
import { bundleChild, type Member, sleep, spawnMember, url } from './harness.js';

jest.setTimeout(120_000);

const PROCESSES = 4;
const STORES = 4;
const INSTANCES = PROCESSES * STORES;
const BREAKERS = 20;
const CALLS_PER_SECOND = 5;
const FAILURE_RATE = 0.02;
const MEASURED_MS = 10_000;
/** Every command gets this long beyond what it is asked to run for (a loaded machine is slow). */
const SLACK_MS = 30_000;

let redis: RedisServer;
let bundle: ReturnType<typeof bundleChild>;
let fleet: Member[];

beforeAll(async () => {
  bundle = bundleChild();
  redis = await startRedis();
  fleet = await Promise.all(Array.from({ length: PROCESSES }, () => spawnMember(bundle.path, { REDIS_URL: url(redis) })));
});

afterAll(async () => {
  await Promise.all((fleet ?? []).map((m) => m.send({ cmd: 'exit' }).catch(() => m.kill())));
  await Promise.all((fleet ?? []).map((m) => m.exited));
  await redis?.stop();
  bundle?.remove();
});

afterEach(() => {
  // Library code writes nothing and leaves no rejection unhandled.
  for (const m of fleet) {
    expect(m.output).toBe('');
    expect(m.unhandled).toEqual([]);
  }
});

/** Scripts (EVALSHA and EVAL) and publishes (PUBLISH and SPUBLISH, from scripts too) Redis has run. */
async function redisCounts(): Promise<{ scripts: number; publishes: number }> {
  const text = await cli(redis.port, 'INFO', 'commandstats');
  const calls = (command: string): number => {
    const line = text.split(/\r?\n/).find((l) => l.startsWith(`cmdstat_${command}:`));
    return line === undefined ? 0 : Number(/(?:^|[:,])calls=(\d+)/.exec(line)?.[1] ?? Number.NaN);
  };
  return { scripts: calls('evalsha') + calls('eval'), publishes: calls('publish') + calls('spublish') };
}

type Sum = Omit<BackgroundReply, 'stores'> & { reported: number; storeErrors: number; available: number };

/** Every process calls its breakers for `forMs`; what they did, summed. */
async function run(forMs: number): Promise<Sum> {
  const replies = await Promise.all(
    fleet.map((m) =>
      m.send<BackgroundReply & Record<string, unknown>>(
        { cmd: 'background', callsPerSecond: CALLS_PER_SECOND, failureRate: FAILURE_RATE, forMs },
        forMs + SLACK_MS,
      ),
    ),
  );
  const sum = (f: (r: BackgroundReply) => number) => replies.reduce((total, r) => total + f(r), 0);
  const stores = replies.flatMap((r) => r.stores);
  return {
    calls: sum((r) => r.calls),
    failures: sum((r) => r.failures),
    rejected: sum((r) => r.rejected),
    trips: sum((r) => r.trips),
    adopted: sum((r) => r.adopted),
    notClosed: sum((r) => r.notClosed),
    reported: stores.reduce((total, s) => total + s.reported, 0),
    storeErrors: stores.reduce((total, s) => total + s.errors, 0),
    available: stores.filter((s) => s.available).length,
  };
}

interface Scenario {
  mode: string;
  options: object;
  /** Consecutive mode: each breaker meets one failure first, as in a fleet that has run a while. */
  prime: boolean;
  /** Calls before the measured period. */
  warmupMs: number;
}

/** Starts the instances, warms them up, measures MEASURED_MS of background; Redis's counts for each part. */
async function background({ mode, options, prime, warmupMs }: Scenario) {
  await Promise.all(
    fleet.map((m, i) =>
      m.send(
        {
          cmd: 'backgroundStart',
          prefix: `bg-${mode}:`,
          stores: STORES,
          breakers: BREAKERS,
          options,
          seed: 2500 + i,
          instance: `${mode}-${i}`,
        },
        SLACK_MS,
      ),
    ),
  );
  try {
    const r0 = await redisCounts();
    // One instance after another, 100 ms apart: no two instances' primed failures meet in a run.
    if (prime) for (const m of fleet) await m.send({ cmd: 'backgroundPrime', gapMs: 100 }, SLACK_MS);
    const warm = warmupMs > 0 ? await run(warmupMs) : undefined;
    // The last reports of the warm-up land before the measured period starts, and after it ends.
    await sleep(500);
    const r1 = await redisCounts();
    const measured = await run(MEASURED_MS);
    await sleep(500);
    const r2 = await redisCounts();
    const result = {
      warm,
      measured,
      warmScripts: r1.scripts - r0.scripts,
      warmPublishes: r1.publishes - r0.publishes,
      scripts: r2.scripts - r1.scripts,
      publishes: r2.publishes - r1.publishes,
    };
    console.log(
      `background, ${mode}, ${INSTANCES} instances x ${BREAKERS} breakers, ${CALLS_PER_SECOND} calls/s, ${FAILURE_RATE * 100} %: ` +
        `warm-up ${result.warmScripts} scripts, ${result.warmPublishes} publishes; measured ${MEASURED_MS / 1000} s: ` +
        `${measured.calls} calls, ${measured.failures} failures, ${result.scripts} scripts ` +
        `(${(result.scripts / measured.failures).toFixed(3)} per failure), ${result.publishes} publishes, ` +
        `${measured.trips} trips, ${measured.adopted} adopted, ${measured.storeErrors} store errors`,
    );
    return result;
  } finally {
    await Promise.all(fleet.map((m) => m.send({ cmd: 'backgroundClose' }, SLACK_MS)));
  }
}

/** Each breaker's calls in the measured period, all made (none refused): the same count on every run. */
const CALLS = INSTANCES * BREAKERS * CALLS_PER_SECOND * (MEASURED_MS / 1000);

it('consecutive mode (threshold 5): no breaker opens, scripts stay under a quarter per failure, next to no publishes', async () => {
  const { warm, measured, warmScripts, scripts, publishes } = await background({
    mode: 'consecutive',
    options: { failureThreshold: 5 },
    prime: true,
    warmupMs: 0,
  });
  expect(warm).toBeUndefined();
  // Priming: each breaker's first failure is evidence (the first in 1,000 calls), sent with the success that ends it.
  // They reach Redis: the stores count across the fleet (a store that is down would send nothing at all).
  expect(warmScripts).toBeGreaterThanOrEqual(INSTANCES * BREAKERS);
  expect(warmScripts).toBeLessThanOrEqual(2 * INSTANCES * BREAKERS);
  expect(measured).toMatchObject({ calls: CALLS, rejected: 0, trips: 0, adopted: 0, notClosed: 0, available: INSTANCES });
  expect(measured.failures).toBeGreaterThan(0.01 * CALLS);
  // Only two failures in a row are sent (and the success after them): about 2f = 0.04 scripts per failure
  // (fleet.md, Sizing), plus about P scripts per announced run; a quarter allows a few announcements.
  expect(scripts).toBeLessThanOrEqual(0.25 * measured.failures);
  // A run is announced (2 publishes) only when runs of two instances meet on one name.
  expect(publishes).toBeLessThanOrEqual(0.02 * measured.failures);
});

it('rate mode (10 s window, 50 %, minimumCalls 10): no breaker opens, next to no scripts or publishes', async () => {
  const { warm, measured, scripts, publishes } = await background({
    mode: 'rate',
    options: { window: { durationMs: 10_000, buckets: 10 }, failureRateThreshold: 0.5, minimumCalls: 10 },
    prime: false,
    // Half a window: a window of a few calls with one failure is near the threshold.
    warmupMs: 5_000,
  });
  expect(warm).toMatchObject({ rejected: 0, trips: 0, adopted: 0, notClosed: 0 });
  expect(measured).toMatchObject({ calls: CALLS, rejected: 0, trips: 0, adopted: 0, notClosed: 0, available: INSTANCES });
  expect(measured.failures).toBeGreaterThan(0.01 * CALLS);
  // A window far from its threshold sends nothing (fleet.md, Sizing: about 10^-11 per window).
  expect(scripts).toBeLessThanOrEqual(0.02 * measured.failures);
  expect(publishes).toBeLessThanOrEqual(0.02 * measured.failures);
});
