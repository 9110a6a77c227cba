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

    it('consecutive: failures spread over processes open every one once they reach failureThreshold', async () => {
      const f = await start();
      const bs = breakers(4);
      const [a, b, c, d] = bs;
      await f.settle();
      const seen = recordEvents(b);
      expect(a.stats().fleet).toBeUndefined();
      for (const x of [a, b, c, d]) await fail(x);
      // The last reporter learns the run (the others were told it started).
      await f.settle(() => runOf(d) === 4);
      expect(states(bs)).toEqual(['closed', 'closed', 'closed', 'closed']);
      expect(d.stats().fleet).toEqual({ calls: 4, failures: 4, slowCalls: 0, instances: 4 });
      expect(a.stats().consecutiveFailures).toBe(1);
      await fail(a);
      await f.settle(() => states(bs).every((s) => s === 'open'));
      expect(states(bs)).toEqual(['open', 'open', 'open', 'open']);
      const opened = seen.find(([type]) => type === 'open')?.[1];
      expect(opened).toMatchObject({ name: 'dep', reason: 'failures', remote: true });
      // Counts start again with the open state.
      expect(a.stats().fleet).toBeUndefined();
    });

    it('consecutive: a success anywhere in the fleet ends the run', async () => {
      const f = await start();
      const [a, b, c, d] = breakers(4);
      await f.settle();
      await fail(a);
      await fail(b);
      // The reporter learns the run; the others were told it started.
      await f.settle(() => runOf(b) === 2 && runOf(c) === 1);
      expect([runOf(b), runOf(c)]).toEqual([2, 1]);
      await succeed(c);
      await f.settle(() => runOf(a) === 0);
      expect(runOf(a)).toBe(0);
      for (const x of [a, b, c, d]) await fail(x);
      await f.settle(() => runOf(d) === 4);
      expect(states([a, b, c, d])).toEqual(['closed', 'closed', 'closed', 'closed']);
      await fail(b);
      await f.settle(() => a.state === 'open' && c.state === 'open');
      expect(states([a, b, c, d])).toEqual(['open', 'open', 'open', 'open']);
    });

    it('quorum 2: one sick process failing every call never opens the fleet; a second one does', async () => {
      const f = await start(2);
      const [sick, b, c] = breakers(3, { failureThreshold: 3 });
      // Its own threshold opens the sick process alone (its vote), never the others.
      await f.settle();
      for (let i = 0; i < 3; i++) await fail(sick);
      await f.settle(() => runOf(b) === 2 || sick.state === 'open');
      expect(sick.state).toBe('open');
      expect(states([b, c])).toEqual(['closed', 'closed']);
      await succeed(b);
      await f.settle(() => runOf(c) === 0);
      expect(runOf(c)).toBe(0);
      // Two processes failing: the fleet opens on their run.
      await fail(b);
      await fail(c);
      await fail(b);
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
      expect(runOf(b)).toBe(3);
      expect(states([a, b])).toEqual(['closed', 'closed']);
    });

    const rated = (n: number, minimumCalls = 8): Breaker[] =>
      breakers(n, { window: { durationMs: 10 * fleet.unit, buckets: 10 }, minimumCalls, failureRateThreshold: 0.5 });

    it('rate: the fleet’s window is the sum of the processes’ windows, and opens on it', async () => {
      const f = await start();
      const bs = rated(4);
      await f.settle();
      for (const x of bs) await succeed(x);
      for (const x of bs.slice(0, 3)) await fail(x);
      await f.settle(() => bs[2].stats().fleet?.calls === 6);
      expect(bs[2].stats().fleet).toEqual({ calls: 6, failures: 3, slowCalls: 0, instances: 3 });
      expect(states(bs)).toEqual(['closed', 'closed', 'closed', 'closed']);
      await fail(bs[3]);
      await f.settle(() => bs.every((b) => b.state === 'open'));
      expect(states(bs)).toEqual(['open', 'open', 'open', 'open']);
      // Alone, no process held minimumCalls.
      expect(bs.map((b) => b.stats().totals.calls)).toEqual([2, 2, 2, 2]);
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

    it('a healthy fleet sends nothing and a breaker with no store counts alone', async () => {
      const f = await start();
      const bs = [...breakers(2), ...rated(2)];
      await f.settle();
      const reported = () => bs.map((b) => b.store?.stats().reported);
      const before = reported();
      expect(before.every((n) => typeof n === 'number')).toBe(true);
      for (let i = 0; i < 50; i++) for (const b of bs) await b.execute(() => 'ok');
      await f.settle();
      expect(reported()).toEqual(before);
      expect(bs[0].stats().fleet).toBeUndefined();
      await fail(bs[0]);
      await f.settle(() => reported()[0] !== before[0]);
      expect(reported()).not.toEqual(before);
      expect(createBreaker({ name: 'dep' }).stats().fleet).toBeUndefined();
    });
  });
}
