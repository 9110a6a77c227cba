// Counting failures across the fleet (fleet-counts.md 1, 4, 5, 8), written once and run
// against every store with `counting: 'fleet'`: memoryStore here, redisStore in __tests__/redis.
import { type Breaker, type BreakerOptions, createBreaker } from '../../src/index.js';
import { boom, recordEvents } from '../helpers.js';
import type { Fleet, FleetFactory } from './behaviour.js';

export function fleetCounting(label: string, makeFleet: FleetFactory): void {
  describe(`counting across the fleet (${label})`, () => {
    let fleet: Fleet;
    const open: Fleet[] = [];
    const start = async (quorum?: number): Promise<Fleet> => {
      fleet = await makeFleet({ counting: 'fleet', ...(quorum === undefined ? {} : { quorum }) });
      open.push(fleet);
      return fleet;
    };
    afterEach(async () => {
      for (const f of open.splice(0)) await f.close();
    });
    const breakers = (n: number, options: BreakerOptions = {}): Breaker[] =>
      Array.from({ length: n }, () =>
        createBreaker({
          name: 'dep',
          store: fleet.member(),
          clock: fleet.clock,
          ...(options.window === undefined ? { failureThreshold: 5 } : {}),
          resetTimeoutMs: 4 * fleet.unit,
          ...options,
        }),
      );
    const fail = async (b: Breaker): Promise<void> => {
      await b.execute(() => Promise.reject(boom)).catch(() => undefined);
      await fleet.settle();
    };
    const succeed = async (b: Breaker): Promise<void> => {
      await b.execute(() => 'ok');
      await fleet.settle();
    };
    const states = (bs: Breaker[]): string[] => bs.map((b) => b.state);
    const runOf = (b: Breaker): number | undefined => b.stats().fleet?.failures;

    const reports = (b: Breaker): number => b.store?.stats().reported as number;

    it('consecutive: a first failure counts at once, a scattered one after it does not, two in a row do', async () => {
      const f = await start();
      const [a, b] = breakers(2);
      await f.settle();
      // The first failure in 1,000 calls (here: the first ever) is evidence on its own; while the run lasts a's success is sent too.
      await fail(a);
      await f.settle(() => runOf(a) === 1);
      expect(a.stats().fleet).toEqual({ calls: 1, failures: 1, slowCalls: 0, instances: 1 });
      await succeed(a);
      await f.settle(() => runOf(a) === 0);
      const sent = reports(a);
      // A failure one call after another is no evidence: nothing is sent; the next one makes two in a row.
      await fail(a);
      await f.settle();
      expect([reports(a), runOf(a)]).toEqual([sent, 0]);
      await fail(a);
      await f.settle(() => runOf(a) === 2);
      expect(a.stats().fleet).toEqual({ calls: 2, failures: 2, slowCalls: 0, instances: 1 });
      // No other process is told of a run that only one holds.
      expect(runOf(b)).toBeUndefined();
    });

    it('consecutive: a run one short of the threshold, from two processes, is announced; it opens with failures since from two', async () => {
      const f = await start();
      const bs = breakers(4);
      const [a, b, c, d] = bs;
      await f.settle();
      const seen = recordEvents(d);
      expect(a.stats().fleet).toBeUndefined();
      for (const x of [a, b, c]) await fail(x);
      await f.settle(() => runOf(c) === 3);
      expect(c.stats().fleet).toEqual({ calls: 3, failures: 3, slowCalls: 0, instances: 3 });
      expect(runOf(d)).toBeUndefined();
      // Four of five: every process is told.
      await fail(a);
      await f.settle(() => runOf(d) === 4);
      expect(d.stats().fleet).toEqual({ calls: 4, failures: 4, slowCalls: 0, instances: 3 });
      // The threshold reached with failures since from one process: not yet; from two: every process opens.
      await fail(b);
      await f.settle(() => runOf(b) === 5);
      expect(runOf(b)).toBe(5);
      expect(states(bs)).toEqual(['closed', 'closed', 'closed', 'closed']);
      await fail(c);
      await f.settle(() => states(bs).every((s) => s === 'open'));
      expect(states(bs)).toEqual(['open', 'open', 'open', 'open']);
      const opened = seen.find(([type]) => type === 'open')?.[1];
      expect(opened).toMatchObject({ name: 'dep', reason: 'failures', remote: true });
      // Counts start again with the open state.
      expect(a.stats().fleet).toBeUndefined();
    });

    it('consecutive: told of a run, a process whose last call succeeded ends it; a success anywhere ends it', async () => {
      const f = await start();
      const [a, b, c, d] = breakers(4);
      await f.settle();
      // d called, and succeeded, before the run: when the run is announced it answers with that success.
      await succeed(d);
      for (const x of [a, b, c, a]) await fail(x);
      await f.settle(() => runOf(a) === 0 && runOf(b) === 0);
      expect([runOf(a), runOf(b), runOf(c), runOf(d)]).toEqual([0, 0, 0, 0]);
      // A run announced again (d has not called since): a success anywhere ends it.
      for (const x of [b, c, a, b]) await fail(x);
      await f.settle(() => runOf(d) === 4);
      expect(runOf(d)).toBe(4);
      await succeed(a);
      await f.settle(() => runOf(d) === 0);
      expect([runOf(a), runOf(b), runOf(c), runOf(d)]).toEqual([0, 0, 0, 0]);
      expect(states([a, b, c, d])).toEqual(['closed', 'closed', 'closed', 'closed']);
    });

    it('quorum 2: one sick process failing every call never opens the fleet; two processes do', async () => {
      const f = await start(2);
      const [sick] = breakers(1, { failureThreshold: 3 });
      const [b, c] = breakers(2, { failureThreshold: 8 });
      await f.settle();
      // Its own threshold opens the sick process alone (its vote), never the others.
      for (let i = 0; i < 3; i++) await fail(sick);
      await f.settle(() => sick.state === 'open' && runOf(sick) === undefined);
      expect(sick.state).toBe('open');
      expect(states([b, c])).toEqual(['closed', 'closed']);
      expect(runOf(b)).toBeUndefined();
      // Two processes failing: the fleet opens on their run, before either opens alone.
      for (let i = 0; i < 6 && !(b.state === 'open' && c.state === 'open'); i++) {
        await fail(b);
        await fail(c);
        await f.settle();
      }
      await f.settle(() => b.state === 'open' && c.state === 'open');
      expect(states([b, c])).toEqual(['open', 'open']);
      expect(Math.max(b.stats().consecutiveFailures, c.stats().consecutiveFailures)).toBeLessThan(8);
    });

    it('consecutive: a run with no report for an open period expires', async () => {
      const f = await start();
      const [a, b] = breakers(2);
      await f.settle();
      await fail(a);
      await fail(a);
      await f.settle(() => runOf(a) === 2);
      await f.advance(5 * f.unit);
      for (let i = 0; i < 3; i++) await fail(b);
      await f.settle(() => runOf(b) === 3);
      expect(b.stats().fleet).toEqual({ calls: 3, failures: 3, slowCalls: 0, instances: 1 });
      expect(states([a, b])).toEqual(['closed', 'closed']);
    });

    const rated = (n: number, minimumCalls = 8): Breaker[] =>
      breakers(n, { window: { durationMs: 10 * fleet.unit, buckets: 10 }, minimumCalls, failureRateThreshold: 0.5 });

    it('rate: a window near a threshold starts the count; the fleet sums every window and decides a period later', async () => {
      const f = await start();
      const bs = rated(4);
      await f.settle();
      for (const x of bs) await succeed(x);
      // Successes alone send nothing; a window at half a failure and more is near the threshold (50 %).
      expect(bs.map(reports)).toEqual([0, 0, 0, 0]);
      for (const x of bs.slice(0, 3)) await fail(x);
      await f.settle(() => bs[2].stats().fleet?.calls === 6);
      expect(bs[2].stats().fleet).toEqual({ calls: 6, failures: 3, slowCalls: 0, instances: 3 });
      // The fleet is counting: every process was told (the window of the fourth joins it).
      await f.settle(() => bs[3].stats().fleet !== undefined);
      expect(bs[3].stats().fleet?.calls).toBeGreaterThanOrEqual(2);
      expect(states(bs)).toEqual(['closed', 'closed', 'closed', 'closed']);
      await f.advance(1.5 * f.unit);
      await fail(bs[3]);
      await f.settle(() => bs.every((b) => b.state === 'open'));
      expect(states(bs)).toEqual(['open', 'open', 'open', 'open']);
      // Alone, no process held minimumCalls.
      expect(bs.map((b) => b.stats().totals.calls)).toEqual([2, 2, 2, 2]);
    });

    it('rate: a sum that reaches the thresholds opens only once the fleet has counted for a report period', async () => {
      const f = await start();
      // A report period of 10 units.
      const bs = breakers(2, { window: { durationMs: 20 * f.unit, buckets: 2 }, minimumCalls: 2, failureRateThreshold: 0.5 });
      await f.settle();
      await fail(bs[0]);
      await fail(bs[1]);
      await f.settle(() => bs[1].stats().fleet?.calls === 2);
      // 2 calls, 2 failures: the thresholds are met, but the fleet started counting just now.
      expect(states(bs)).toEqual(['closed', 'closed']);
      await f.advance(11 * f.unit);
      await fail(bs[0]);
      await f.settle(() => bs.every((b) => b.state === 'open'));
      expect(states(bs)).toEqual(['open', 'open']);
    });

    it('rate: reports older than the window do not count', async () => {
      const f = await start();
      // Without the wait, 4 calls and 4 failures: it would open.
      const bs = rated(4, 4);
      await f.settle();
      await fail(bs[0]);
      await fail(bs[1]);
      await f.settle(() => bs[1].stats().fleet?.calls === 2);
      expect(states(bs)).toEqual(['closed', 'closed', 'closed', 'closed']);
      await f.advance(11 * f.unit);
      await fail(bs[2]);
      await fail(bs[3]);
      await f.settle(() => bs[3].stats().fleet?.instances === 2);
      expect(bs[3].stats().fleet).toEqual({ calls: 2, failures: 2, slowCalls: 0, instances: 2 });
      expect(states(bs)).toEqual(['closed', 'closed', 'closed', 'closed']);
    });

    it('a healthy fleet, and one with scattered failures, sends nothing; a breaker with no store counts alone', async () => {
      const f = await start();
      const bs = [...breakers(2), ...rated(2)];
      await f.settle();
      const reported = () => bs.map(reports);
      const before = reported();
      expect(before.every((n) => typeof n === 'number')).toBe(true);
      for (let i = 0; i < 50; i++) for (const b of bs) await b.execute(() => 'ok');
      await f.settle();
      expect(reported()).toEqual(before);
      // Rate mode: one failure in 51 calls is far from the threshold.
      for (const b of bs.slice(2)) await fail(b);
      await f.settle();
      expect(reported()).toEqual(before);
      expect(bs[0].stats().fleet).toBeUndefined();
      // Consecutive mode: a first failure (the first ever) counts at once.
      await fail(bs[0]);
      await f.settle(() => reported()[0] !== before[0]);
      expect(reported()).not.toEqual(before);
      expect(createBreaker({ name: 'dep' }).stats().fleet).toBeUndefined();
    });
  });
}
