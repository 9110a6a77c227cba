import fc from 'fast-check';
import { type Breaker, createBreaker } from '../../src/index.js';
import { manualClock, memoryStore } from '../../src/testing/index.js';
import { flush } from '../helpers.js';

/**
 * Consecutive failures counted across a fleet on one memoryStore (`counting: 'fleet'`), driven
 * by random interleavings of outcomes over the processes, time passing, processes leaving and
 * store outages (reports lost). A reference that sees every outcome the store receives, in
 * order, says when the fleet must open: when its run of failures (no success counted in
 * between, reports older than an open period expired) reaches `failureThreshold` from at
 * least `quorum` processes, or when one process's own run trips it (its vote). Until the first
 * opening every breaker stays closed, and the last reporter knows the fleet's run exactly.
 */

type Action =
  | { kind: 'call'; who: number; failed: boolean }
  | { kind: 'advance'; ms: number }
  | { kind: 'leave'; who: number }
  | { kind: 'outage'; up: boolean };

const N = 4;
const who = fc.integer({ min: 0, max: N - 1 });
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ kind: fc.constant('call' as const), who, failed: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 60 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('leave' as const), who }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('outage' as const), up: fc.boolean() }) },
);
const configArb = fc.record({
  failureThreshold: fc.integer({ min: 2, max: 8 }),
  resetTimeoutMs: fc.integer({ min: 20, max: 100 }),
  quorum: fc.integer({ min: 1, max: 3 }),
});

/** The fleet as one breaker seeing every outcome the store receives. */
class Reference {
  run = 0;
  readonly contributors = new Set<number>();
  expires = 0;
  readonly local = new Array<number>(N).fill(0);

  constructor(
    private readonly threshold: number,
    private readonly keepMs: number,
    private readonly quorum: number,
  ) {}

  /** The outcome of a call by `i` at `now`: 'fleet' when the fleet opens, 'local' when `i` trips alone. */
  call(i: number, failed: boolean, now: number, up: boolean): 'fleet' | 'local' | undefined {
    this.local[i] = failed ? this.local[i] + 1 : 0;
    // Its own run trips a process at once; that failure is its vote, not a report.
    if (failed && this.local[i] >= this.threshold) return this.quorum === 1 ? 'fleet' : 'local';
    if (!up) return undefined;
    if (now >= this.expires) {
      this.run = 0;
      this.contributors.clear();
    }
    if (!failed) {
      this.run = 0;
      this.contributors.clear();
      return undefined;
    }
    this.run++;
    this.contributors.add(i);
    this.expires = now + this.keepMs;
    return this.run >= this.threshold && this.contributors.size >= this.quorum ? 'fleet' : undefined;
  }
}

test('a fleet counting failures together opens as one breaker seeing every outcome would', async () => {
  await fc.assert(
    fc.asyncProperty(configArb, fc.array(actionArb, { minLength: 1, maxLength: 60 }), async (config, actions) => {
      const { quorum, ...options } = config;
      const clock = manualClock(10_000);
      const store = memoryStore({ clock, quorum, counting: 'fleet' });
      const fleet: Breaker[] = Array.from({ length: N }, () => createBreaker({ ...options, name: 'dep', store, clock }));
      const ref = new Reference(options.failureThreshold, options.resetTimeoutMs, quorum);
      const gone = new Set<number>();
      let up = true;
      const settle = async () => {
        await store.flush();
        await flush();
        await store.flush();
      };
      await settle();
      for (const action of actions) {
        if (action.kind === 'advance') clock.advance(action.ms);
        else if (action.kind === 'leave') gone.add(action.who);
        else if (action.kind === 'outage') {
          up = action.up;
          store.setAvailable(up);
        } else if (!gone.has(action.who)) {
          const b = fleet[action.who];
          await b.execute(() => (action.failed ? Promise.reject(new Error('down')) : 'up')).catch(() => undefined);
          await settle();
          const expected = ref.call(action.who, action.failed, clock.now(), up);
          const states = fleet.map((x) => x.state);
          if (expected === 'fleet') {
            // With the store down, only the process that tripped knows.
            if (up) expect(states).toEqual(fleet.map(() => 'open'));
            else expect(b.state).toBe('open');
            return;
          }
          if (expected === 'local') {
            expect(b.state).toBe('open');
            expect(states.filter((s) => s === 'open')).toHaveLength(1);
            return;
          }
          expect(states).toEqual(fleet.map(() => 'closed'));
          if (up && action.failed) {
            expect(b.stats().fleet).toEqual({
              calls: ref.run,
              failures: ref.run,
              slowCalls: 0,
              instances: ref.contributors.size,
            });
          }
        }
      }
    }),
    { numRuns: 300 },
  );
});
