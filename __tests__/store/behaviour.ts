// The fleet's behaviour (store.md 2, 4, 5, 6), written once and run against every store:
// memoryStore here, redisStore through ioredis and node-redis in __tests__/redis.
import {
  type Breaker,
  type BreakerOptions,
  type BreakerStore,
  type Clock,
  createBreaker,
  createRegistry,
} from '../../src/index.js';
import { boom, deferred, recordEvents } from '../helpers.js';

/** A fleet under test: breakers made with `member()` act as processes sharing one store. */
export interface Fleet {
  /** The store a new process uses (the same object for memoryStore, a new one for Redis). */
  member(): BreakerStore;
  /** The breakers' clock. */
  readonly clock: Clock;
  /** The time unit of the tests, in ms: open periods are a few units long. */
  readonly unit: number;
  /** Lets `ms` pass, for the breakers and the store. */
  advance(ms: number): Promise<void>;
  /** Waits until every answer and message sent so far has arrived, or until `done()` holds. */
  settle(done?: () => boolean): Promise<void>;
  close(): Promise<void>;
}

export type FleetFactory = (options: { quorum?: number; counting?: 'fleet' | 'local' }) => Promise<Fleet>;

export function fleetBehaviour(label: string, makeFleet: FleetFactory): void {
  for (const counting of ['local', 'fleet'] as const) behaviour(`${label}, counting '${counting}'`, makeFleet, counting);
}

function behaviour(label: string, makeFleet: FleetFactory, counting: 'fleet' | 'local'): void {
  describe(`the fleet (${label})`, () => {
    let fleet: Fleet;
    const open: Fleet[] = [];
    const start = async (quorum?: number): Promise<Fleet> => {
      fleet = await makeFleet(quorum === undefined ? { counting } : { quorum, counting });
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
          failureThreshold: 1,
          resetTimeoutMs: 4 * fleet.unit,
          ...options,
        }),
      );
    const trip = (b: Breaker): Promise<unknown> => b.execute(() => Promise.reject(boom)).catch(() => undefined);
    const states = (bs: Breaker[]): string[] => bs.map((b) => b.state);

    it('a trip in one process opens every process, with remote events naming the instance', async () => {
      const f = await start();
      const [a, b, c] = breakers(3);
      await f.settle();
      const seen = recordEvents(b);
      await trip(a);
      await f.settle(() => b.state === 'open' && c.state === 'open');
      expect(states([a, b, c])).toEqual(['open', 'open', 'open']);
      const opened = seen.find(([type]) => type === 'open')?.[1] as { remote?: boolean; instance?: string; reason?: string };
      expect(opened).toMatchObject({ name: 'dep', remote: true, reason: 'failures' });
      expect(typeof opened.instance).toBe('string');
      expect(seen.map(([type]) => type)).toEqual(['open', 'stateChange']);
      await expect(b.execute(() => 'runs')).rejects.toMatchObject({ code: 'ERR_CIRCUIT_OPEN', state: 'open' });
      // The one that tripped emitted its own events without `remote`.
      expect(a.stats().totals.failures).toBe(1);
    });

    it('two trips at once make one opening: the second takes the first one’s remaining time', async () => {
      const f = await start();
      const [a] = breakers(1, { resetTimeoutMs: 10 * f.unit });
      const [b] = breakers(1, { resetTimeoutMs: 20 * f.unit });
      await f.settle();
      await Promise.all([trip(a), trip(b)]);
      await f.settle(() => Math.abs(a.stats().retryAfterMs - b.stats().retryAfterMs) < f.unit / 2);
      expect(states([a, b])).toEqual(['open', 'open']);
      expect(Math.abs(a.stats().retryAfterMs - b.stats().retryAfterMs)).toBeLessThan(f.unit / 2);
    });

    it('after the open period, exactly halfOpenMaxCalls probes run fleet-wide', async () => {
      const f = await start();
      const bs = breakers(4, { halfOpenMaxCalls: 1 });
      await f.settle();
      await trip(bs[0]);
      await f.settle(() => bs.every((b) => b.state === 'open'));
      await f.advance(5 * f.unit);
      let upstream = 0;
      const rejected: unknown[] = [];
      const gate = deferred<string>();
      const calls = bs.map((b) =>
        b.execute(() => {
          upstream++;
          return gate.promise;
        }),
      );
      for (const call of calls) call.catch((error) => rejected.push(error));
      await f.settle(() => rejected.length === 3);
      expect(upstream).toBe(1);
      expect(rejected).toHaveLength(3);
      expect(rejected[0]).toMatchObject({ code: 'ERR_CIRCUIT_OPEN', state: 'halfOpen' });
      gate.resolve('ok');
      await Promise.allSettled(calls);
      await f.settle(() => bs.every((b) => b.state === 'closed'));
      expect(states(bs)).toEqual(['closed', 'closed', 'closed', 'closed']);
    });

    it('a probe’s success closes the fleet; a failed probe reopens it everywhere with the next attempt', async () => {
      const f = await start();
      const reset = (attempt: number): number => attempt * 4 * f.unit;
      const [a, b] = breakers(2, { resetTimeoutMs: reset });
      await f.settle();
      await trip(a);
      await f.settle(() => b.state === 'open');
      await f.advance(5 * f.unit);
      await trip(b); // b's probe fails
      await f.settle(() => a.state === 'open');
      expect(states([a, b])).toEqual(['open', 'open']);
      expect(a.stats().retryAfterMs).toBeGreaterThan(5 * f.unit); // attempt 2: twice as long
      await f.advance(9 * f.unit);
      await expect(a.execute(() => 'ok')).resolves.toBe('ok');
      await f.settle(() => b.state === 'closed');
      expect(states([a, b])).toEqual(['closed', 'closed']);
    });

    it('isolate() and close() in one process act everywhere; disable() too', async () => {
      const f = await start();
      const [a, b, c] = breakers(3);
      await f.settle();
      a.isolate();
      await f.settle(() => b.state === 'isolated' && c.state === 'isolated');
      expect(states([a, b, c])).toEqual(['isolated', 'isolated', 'isolated']);
      await expect(c.execute(() => 'x')).rejects.toMatchObject({ state: 'isolated', retryAfterMs: Number.POSITIVE_INFINITY });
      b.close();
      await f.settle(() => a.state === 'closed' && c.state === 'closed');
      expect(states([a, b, c])).toEqual(['closed', 'closed', 'closed']);
      c.disable();
      await f.settle(() => a.state === 'disabled' && b.state === 'disabled');
      expect(states([a, b, c])).toEqual(['disabled', 'disabled', 'disabled']);
    });

    it('quorum 2 holds the fleet closed until a second process trips', async () => {
      const f = await start(2);
      const [a, b, c] = breakers(3);
      await f.settle();
      await trip(a);
      await f.settle();
      expect(states([a, b, c])).toEqual(['open', 'closed', 'closed']);
      await trip(b);
      await f.settle(() => c.state === 'open');
      expect(states([a, b, c])).toEqual(['open', 'open', 'open']);
    });

    it('manual open() is fleet-wide whatever the quorum', async () => {
      const f = await start(3);
      const [a, b] = breakers(2);
      await f.settle();
      a.open(2 * f.unit);
      await f.settle(() => b.state === 'open');
      expect(b.state).toBe('open');
    });

    it('a breaker made later takes up the fleet’s state', async () => {
      const f = await start();
      const [a] = breakers(1);
      a.isolate();
      await f.settle();
      const [late] = breakers(1);
      await f.settle(() => late.state === 'isolated');
      expect(late.state).toBe('isolated');
    });

    it('a breaker or registry key made after isolate() elsewhere rejects its very first call', async () => {
      const f = await start();
      const [a] = breakers(1);
      await f.settle();
      a.isolate();
      await f.settle();
      // No settling between creation and the first call: the store knew the fleet's state.
      const [late] = breakers(1);
      let ran = 0;
      await expect(late.execute(() => ran++)).rejects.toMatchObject({ code: 'ERR_CIRCUIT_OPEN', state: 'isolated' });
      const registry = createRegistry({ store: f.member(), clock: f.clock });
      await expect(registry.get('dep').execute(() => ran++)).rejects.toMatchObject({ state: 'isolated' });
      expect(ran).toBe(0);
      // A name the fleet holds open, too, with the fleet's time left.
      const [b] = breakers(1, { name: 'other' });
      b.open(20 * f.unit);
      await f.settle();
      const [later] = breakers(1, { name: 'other' });
      expect(later.state).toBe('open');
      expect(later.stats().retryAfterMs).toBeGreaterThan(15 * f.unit);
      expect(later.stats().retryAfterMs).toBeLessThanOrEqual(20 * f.unit);
    });

    it('probes of one period spread over processes close the fleet together (halfOpenMaxCalls 2)', async () => {
      const f = await start();
      const [a, b, c] = breakers(3, { halfOpenMaxCalls: 2 });
      await f.settle();
      a.open(2 * f.unit);
      await f.settle(() => b.state === 'open' && c.state === 'open');
      await f.advance(3 * f.unit);
      await expect(a.execute(() => 'a')).resolves.toBe('a');
      await f.settle();
      expect(c.state).toBe('halfOpen');
      await expect(b.execute(() => 'b')).resolves.toBe('b');
      await f.settle(() => c.state === 'closed');
      expect(states([a, b, c])).toEqual(['closed', 'closed', 'closed']);
    });

    it('a registry with a store shares each key fleet-wide', async () => {
      const f = await start();
      const one = createRegistry({ store: f.member(), clock: f.clock, failureThreshold: 1 });
      const two = createRegistry({ store: f.member(), clock: f.clock, failureThreshold: 1 });
      const [x1, y2] = [one.get('x'), two.get('y')];
      const x2 = two.get('x');
      await f.settle();
      await trip(x1);
      await f.settle(() => x2.state === 'open');
      expect([x2.state, y2.state]).toEqual(['open', 'closed']);
      two.delete('x');
      one.get('x').close();
      await f.settle();
      expect(x2.state).toBe('open'); // detached: it follows the fleet no more
    });
  });
}
