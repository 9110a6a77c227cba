import fc from 'fast-check';
import { type Breaker, createBreaker } from '../../src/index.js';
import { manualClock, memoryStore } from '../../src/testing/index.js';
import { flush } from '../helpers.js';

/**
 * Consecutive failures counted across a fleet on one memoryStore (`counting: 'fleet'`), driven
 * by random interleavings of outcomes over the processes, time passing, processes leaving and
 * store outages (reports lost). A reference holds what each process knows and sends (its own
 * run, whether the fleet told it that it counts) and the fleet's run, and says when the fleet
 * must open:
 *
 * - a process reports a failure only with local evidence (two in a row here, its run's
 *   failures sent together; one when `failureThreshold` is 2; or its first failure in 1,000
 *   calls) or while it counts (told by the fleet, or its own last report joined the run); a
 *   success only while it counts; and told that the fleet counts, if it called since it was
 *   last told anything, it answers at once with its last outcome (a success, or its run's
 *   failures not sent yet);
 * - the fleet's run: failures counted with no success counted in between, expiring an open
 *   period after its last report; announced (every process told it counts) once it is one
 *   short of `failureThreshold` with failures from two processes, ended (every process told)
 *   by a success;
 * - the fleet opens when a report reaches `failureThreshold` in a run announced before it,
 *   whose failures since come from at least two processes (`quorum`, if more); or when one
 *   process's own run trips it (its vote).
 *
 * Until the first opening every breaker stays closed, and every process's `stats().fleet` is
 * what it was last told.
 */

type Action =
  | { kind: 'call'; who: number; failed: boolean }
  | { kind: 'advance'; ms: number }
  | { kind: 'leave'; who: number }
  | { kind: 'outage'; up: boolean };

const N = 4;
const who = fc.integer({ min: 0, max: N - 1 });
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 30,
    arbitrary: fc.record({ kind: fc.constant('call' as const), who, failed: fc.integer({ min: 0, max: 9 }).map((x) => x < 7) }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 60 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('leave' as const), who }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('outage' as const), up: fc.boolean() }) },
);
const configArb = fc.record({
  failureThreshold: fc.integer({ min: 2, max: 8 }),
  resetTimeoutMs: fc.integer({ min: 20, max: 100 }),
  quorum: fc.integer({ min: 1, max: 3 }),
});

type Counts = { calls: number; failures: number; slowCalls: number; instances: number };

/** The fleet's run and what each process knows and sends. */
class Reference {
  run = 0;
  readonly contributors = new Set<number>();
  /** The processes whose failures the run counted since it was announced. */
  readonly after = new Set<number>();
  expires = 0;
  announced = false;
  readonly local = new Array<number>(N).fill(0);
  readonly gathered = new Array<number>(N).fill(0);
  /** Whether each process counts: it sends every outcome. */
  readonly counting = new Array<boolean>(N).fill(false);
  /** What each process was last told of the fleet's counts. */
  readonly known = new Array<Counts | undefined>(N).fill(undefined);
  /** Each process's calls, and its calls when it was last told anything. */
  readonly calls = new Array<number>(N).fill(0);
  readonly toldAt = new Array<number>(N).fill(0);
  /** Each process's calls at its last failure. */
  readonly failedAt = new Array<number>(N).fill(Number.NEGATIVE_INFINITY);
  reports = 0;

  constructor(
    private readonly threshold: number,
    private readonly keepMs: number,
    private readonly quorum: number,
  ) {}

  /** The outcome of a call by `i` at `now`: 'counts' when the fleet opens by its counts, 'fleet' by `i`'s vote, 'local' when `i` trips alone. */
  call(i: number, failed: boolean, now: number, up: boolean): 'counts' | 'fleet' | 'local' | undefined {
    this.calls[i]++;
    this.local[i] = failed ? this.local[i] + 1 : 0;
    // Its own run trips a process at once; that failure is its vote, not a report.
    if (failed && this.local[i] >= this.threshold) return this.quorum === 1 && up ? 'fleet' : 'local';
    let add = 0;
    if (failed) {
      // A failure after 1,000 calls without one (or the first ever) is evidence on its own.
      const surprise = this.calls[i] - this.failedAt[i] > 1000;
      this.failedAt[i] = this.calls[i];
      if (this.local[i] <= this.gathered[i]) this.gathered[i] = 0;
      if (!this.counting[i] && !surprise && this.local[i] < Math.min(2, this.threshold - 1)) return undefined;
      add = this.local[i] - this.gathered[i];
      this.gathered[i] = this.local[i];
    } else if (!this.counting[i]) return undefined;
    if (!up) return undefined;
    this.reports++;
    return this.receive(i, add, now);
  }

  /** The store receives `add` failures from `i` (0: a success). */
  private receive(i: number, add: number, now: number): 'counts' | undefined {
    if (now >= this.expires) {
      this.run = 0;
      this.contributors.clear();
      this.after.clear();
      this.announced = false;
    }
    const before = this.announced;
    if (add > 0) {
      this.run += add;
      this.contributors.add(i);
      this.expires = now + this.keepMs;
      if (before) {
        this.after.add(i);
        if (this.run >= this.threshold && this.after.size >= Math.max(this.quorum, 2)) return 'counts';
      }
    } else {
      this.run = 0;
      this.contributors.clear();
    }
    if (this.run === 0) this.after.clear();
    this.announced = this.run > 0 && (before || (this.contributors.size >= 2 && this.run >= this.threshold - 1));
    const counts = { calls: this.run, failures: this.run, slowCalls: 0, instances: this.contributors.size };
    // Told that the fleet counts, a process that called since it was last told answers with its last
    // outcome: a success, or the failures of its run not sent yet.
    const answers: [number, number][] = [];
    for (let j = 0; j < N; j++) {
      if (j !== i && this.announced === before) continue;
      const counting = this.run > 0;
      if (counting && !this.counting[j] && this.calls[j] > this.toldAt[j]) {
        if (this.local[j] === 0) answers.push([j, 0]);
        else if (this.local[j] > this.gathered[j]) {
          answers.push([j, this.local[j] - this.gathered[j]]);
          this.gathered[j] = this.local[j];
        }
      }
      this.known[j] = counts;
      this.counting[j] = counting;
      this.toldAt[j] = this.calls[j];
    }
    for (const [j, k] of answers) {
      this.reports++;
      if (this.receive(j, k, now) === 'counts') return 'counts';
    }
    return undefined;
  }
}

/** How runs ended, so that the property is seen not to be vacuous. */
const ended = { counts: 0, fleet: 0, local: 0, closed: 0, announced: 0 };

test('a fleet counting failures together opens as one breaker seeing every outcome would', async () => {
  await fc.assert(
    fc.asyncProperty(configArb, fc.array(actionArb, { minLength: 1, maxLength: 100 }), async (config, actions) => {
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
          expect(store.stats().reported).toBe(ref.reports);
          if (expected === 'fleet' || expected === 'counts') {
            ended[expected]++;
            expect(states).toEqual(fleet.map(() => 'open'));
            return;
          }
          if (expected === 'local') {
            ended.local++;
            expect(b.state).toBe('open');
            expect(states.filter((s) => s === 'open')).toHaveLength(1);
            return;
          }
          expect(states).toEqual(fleet.map(() => 'closed'));
          expect(fleet.map((x) => x.stats().fleet)).toEqual(ref.known);
          if (ref.announced) ended.announced++;
        }
      }
      ended.closed++;
    }),
    { numRuns: 800 },
  );
  // Not vacuous: many runs open the fleet by its counts, and many count an announced run.
  expect(ended.counts).toBeGreaterThan(10);
  expect(ended.announced).toBeGreaterThan(20);
});
