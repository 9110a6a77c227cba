// Counting across the fleet and instance identity, on a real Redis with both clients: an
// instance that closes takes its share of the run and its window report with it, and one that
// restarts under the same instanceId (a pod name) replaces its own figures instead of adding to them.
import type { CountReport, StoreLink } from '../../src/index.js';
import type { FleetCounts } from '../../src/stats.js';
import { type RedisStore, redisStore } from '../../src/stores/redis/index.js';
import { KINDS } from './clients.js';
import { TestMember } from './member.js';
import { cli, type RedisServer, startRedis, until } from './server.js';

jest.setTimeout(30_000);

/** A member that records what the fleet tells it of its counts. */
class CountingMember extends TestMember {
  readonly told: { counts: FleetCounts; counting: boolean }[] = [];
  fleetCounts(counts: FleetCounts, counting: boolean): void {
    this.told.push({ counts, counting });
  }
  get counts(): FleetCounts | undefined {
    return this.told.at(-1)?.counts;
  }
}

const run = (lead: number, threshold = 100): CountReport => ({
  kind: 'run',
  lead,
  reset: false,
  tail: 0,
  threshold,
  retryAfterMs: 60_000,
  attempt: 1,
  keepMs: 60_000,
});
const window = (calls: number, failures: number): CountReport => ({
  kind: 'window',
  calls,
  failures,
  slowCalls: 0,
  minimumCalls: 1000,
  failureRate: 0.5,
  slowCallRate: 2,
  retryAfterMs: 60_000,
  attempt: 1,
  keepMs: 60_000,
  periodMs: 1000,
});

describe.each(KINDS)('fleet counting and identity with $name', (kind) => {
  let server: RedisServer;
  const cleanup: (() => Promise<void>)[] = [];
  let n = 0;

  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    for (const close of cleanup.reverse()) await close();
    await server.stop();
  });

  /** A store with this instanceId, and a member of `name` attached to it. */
  async function member(prefix: string, instanceId: string, name: string) {
    const c = await kind.connect(server.port);
    const store: RedisStore = redisStore({ client: c.client, prefix, instanceId, timeoutMs: 2000 });
    cleanup.push(async () => {
      await store.close().catch(() => undefined);
      await c.close();
    });
    const m = new CountingMember(name);
    const link = store.attach(m);
    await until(() => m.adopted.length > 0, 5000, 'first sync');
    const report = async (r: CountReport) => {
      await (link as StoreLink).report?.(r);
      return m.counts;
    };
    return { store, member: m, report };
  }

  test('close() withdraws the instance’s share of the run and its window report', async () => {
    const prefix = `w${++n}:`;
    const a = await member(prefix, 'pod-a', 'run');
    const b = await member(prefix, 'pod-b', 'run');
    await a.report(run(2));
    expect(await b.report(run(2))).toEqual({ calls: 4, failures: 4, slowCalls: 0, instances: 2 });
    const wa = await member(prefix, 'pod-a', 'win');
    const wb = await member(prefix, 'pod-b', 'win');
    await wa.report(window(10, 1));
    expect(await wb.report(window(10, 0))).toEqual({ calls: 20, failures: 1, slowCalls: 0, instances: 2 });
    // pod-a's store closes: what it counted leaves with it (without the withdrawal: 5 from 2, and 30 calls from 2).
    await a.store.close();
    await wa.store.close();
    expect(await b.report(run(1))).toEqual({ calls: 3, failures: 3, slowCalls: 0, instances: 1 });
    expect(await wb.report(window(10, 0))).toEqual({ calls: 10, failures: 0, slowCalls: 0, instances: 1 });
  });

  test('an instance withdrawing the whole of an announced run ends it, and every process is told', async () => {
    const prefix = `w${++n}:`;
    const a = await member(prefix, 'pod-a', 'run');
    const b = await member(prefix, 'pod-b', 'run');
    const c = await member(prefix, 'pod-c', 'run');
    // Four of five, from two processes: announced.
    await a.report(run(2, 5));
    await b.report(run(2, 5));
    await until(() => c.member.counts?.failures === 4, 5000, 'the run announced');
    await a.store.close();
    await b.store.close();
    await until(() => c.member.told.at(-1)?.counting === false, 5000, 'the run ended');
    expect(c.member.told.at(-1)).toEqual({ counts: { calls: 0, failures: 0, slowCalls: 0, instances: 0 }, counting: false });
  });

  test('a process restarted under the same instanceId replaces its figures instead of adding to them', async () => {
    const prefix = `w${++n}:`;
    const first = await member(prefix, 'pod-a', 'svc');
    const other = await member(prefix, 'pod-b', 'svc');
    await first.report(window(10, 8));
    await first.report(run(2));
    // The first incarnation dies without close(); the second starts under the same name.
    const again = await member(prefix, 'pod-a', 'svc');
    expect(await again.report(window(4, 0))).toEqual({ calls: 4, failures: 0, slowCalls: 0, instances: 1 });
    // Its run share goes on from its own (one instance, not two), and its new report joins the other's.
    expect(await again.report(run(2))).toEqual({ calls: 4, failures: 4, slowCalls: 0, instances: 1 });
    expect(await other.report(window(6, 0))).toEqual({ calls: 10, failures: 0, slowCalls: 0, instances: 2 });
    expect(await cli(server.port, 'hlen', `${prefix}{svc}:reports`)).toBe('2');
  });
});
