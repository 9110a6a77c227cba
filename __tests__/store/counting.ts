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

    it('consecutive: runs of two from two processes start a run every process counts, which opens at failureThreshold', async () => {
      const f = await start();
      const bs = breakers(4);
      const [a, b, c, d] = bs;
      await f.settle();
      const seen = recordEvents(d);
      expect(a.stats().fleet).toBeUndefined();
      // One failure here and there is no evidence: nothing is sent.
      await fail(d);
      await f.settle();
      expect(reports(d)).toBe(0);
      // Two in a row are: sent together; the run is the reporter's alone, and no one else is told.
      await fail(a);
      await fail(a);
      await f.settle(() => runOf(a) === 2);
      expect(a.stats().fleet).toEqual({ calls: 2, failures: 2, slowCalls: 0, instances: 1 });
      expect(runOf(c)).toBeUndefined();
      // A second process's run: the fleet counts it, and tells every process.
      await fail(b);
      await fail(b);
      await f.settle(() => runOf(c) === 4);
      expect(c.stats().fleet).toEqual({ calls: 4, failures: 4, slowCalls: 0, instances: 2 });
      expect(states(bs)).toEqual(['closed', 'closed', 'closed', 'closed']);
      // Now every failure counts: one more anywhere opens every process.
      await fail(c);
      await f.settle(() => states(bs).every((s) => s === 'open'));
      expect(states(bs)).toEqual(['open', 'open', 'open', 'open']);
      const opened = seen.find(([type]) => type === 'open')?.[1];
      expect(opened).toMatchObject({ name: 'dep', reason: 'failures', remote: true });
      // Counts start again with the open state.
      expect(a.stats().fleet).toBeUndefined();
    });

    it('consecutive: a success anywhere in the fleet ends a counted run', async () => {
      const f = await start();
      const [a, b, c, d] = breakers(4);
      await f.settle();
      for (const x of [a, a, b, b]) await fail(x);
      await f.settle(() => runOf(d) === 4);
      expect(runOf(d)).toBe(4);
      await succeed(c);
      await f.settle(() => runOf(a) === 0 && runOf(d) === 0);
      expect([runOf(a), runOf(b), runOf(d)]).toEqual([0, 0, 0]);
      // The run ended: a single failure is no evidence again, but a's own run goes on.
      await fail(d);
      await f.settle();
      expect(runOf(d)).toBe(0);
      await fail(a);
      await f.settle(() => runOf(a) === 1);
      expect(runOf(a)).toBe(1);
      await fail(d);
      await f.settle(() => runOf(d) === 3);
      expect(runOf(d)).toBe(3);
      expect(states([a, b, c, d])).toEqual(['closed', 'closed', 'closed', 'closed']);
    });

    it('quorum 2: one sick process failing every call never opens the fleet; a second one does', async () => {
      const f = await start(2);
      const [sick] = breakers(1, { failureThreshold: 3 });
      const [b, c] = breakers(2, { failureThreshold: 6 });
      await f.settle();
      // Its own threshold opens the sick process alone (its vote), never the others.
      for (let i = 0; i < 3; i++) await fail(sick);
      await f.settle(() => sick.state === 'open' && runOf(sick) === undefined);
      expect(sick.state).toBe('open');
      expect(states([b, c])).toEqual(['closed', 'closed']);
      // Its run (two failures) waits for a second process; then the fleet counts, and a success ends it.
      await fail(b);
      await fail(b);
      await f.settle(() => runOf(c) === 4);
      expect(c.stats().fleet).toEqual({ calls: 4, failures: 4, slowCalls: 0, instances: 2 });
      await succeed(c);
      await f.settle(() => runOf(b) === 0);
      expect(runOf(b)).toBe(0);
      // Two processes failing: the fleet opens on their run.
      for (const x of [b, c, c, b, c, b]) await fail(x);
      await f.settle(() => b.state === 'open' && c.state === 'open');
      expect(states([b, c])).toEqual(['open', 'open']);
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
      // One failure in 51 calls: no process has evidence, no window is near its threshold.
      for (const b of bs) await fail(b);
      for (const b of bs) await b.execute(() => 'ok');
      await f.settle();
      expect(reported()).toEqual(before);
      expect(bs[0].stats().fleet).toBeUndefined();
      await fail(bs[0]);
      await fail(bs[0]);
      await f.settle(() => reported()[0] !== before[0]);
      expect(reported()).not.toEqual(before);
      expect(createBreaker({ name: 'dep' }).stats().fleet).toBeUndefined();
    });
  });
}
