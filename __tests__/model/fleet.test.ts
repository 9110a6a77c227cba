import fc from 'fast-check';
import { type Breaker, createBreaker } from '../../src/index.js';
import { manualClock, memoryStore } from '../../src/testing/index.js';
import { deferred, flush } from '../helpers.js';

/**
 * A fleet of breakers sharing a memoryStore, driven by random sequences of calls, manual
 * operations and time. Whatever the sequence, once every message is delivered the fleet agrees
 * on one state, and no half-open period lets more than `halfOpenMaxCalls` probes through.
 */

type Action =
  | { kind: 'fail' | 'succeed'; who: number }
  | { kind: 'manual'; who: number; op: 'open' | 'isolate' | 'close' | 'disable' }
  | { kind: 'advance'; ms: number }
  | { kind: 'burst'; end: 'success' | 'failure' };

const N = 4;
const who = fc.integer({ min: 0, max: N - 1 });
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constantFrom('fail' as const, 'succeed' as const), who }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('manual' as const),
      who,
      op: fc.constantFrom('open', 'isolate', 'close', 'disable'),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 40 }) }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('burst' as const), end: fc.constantFrom('success' as const, 'failure' as const) }),
  },
);
const configArb = fc.record({
  halfOpenMaxCalls: fc.integer({ min: 1, max: 3 }),
  resetTimeoutMs: fc.integer({ min: 1, max: 30 }),
  failureThreshold: fc.integer({ min: 1, max: 3 }),
});

test('a fleet on one store agrees on its state and never probes more than halfOpenMaxCalls per period', async () => {
  await fc.assert(
    fc.asyncProperty(configArb, fc.array(actionArb, { minLength: 1, maxLength: 40 }), async (config, actions) => {
      const clock = manualClock(10_000);
      const store = memoryStore({ clock });
      const fleet: Breaker[] = Array.from({ length: N }, () => createBreaker({ ...config, name: 'dep', store, clock }));
      const settle = async () => {
        await store.flush();
        await flush();
        await store.flush();
      };
      await settle();
      for (const action of actions) {
        if (action.kind === 'advance') clock.advance(action.ms);
        else if (action.kind === 'manual') fleet[action.who][action.op]();
        else if (action.kind === 'fail' || action.kind === 'succeed') {
          const fn = action.kind === 'fail' ? () => Promise.reject(new Error('down')) : () => 'up';
          await fleet[action.who].execute(fn).catch(() => undefined);
        } else if (action.kind === 'burst') {
          // Every process calls at once; the calls that run are held until all have been let in or turned away.
          const end = action.end;
          await settle();
          const halfOpen = fleet.every((b) => b.state === 'halfOpen');
          const gate = deferred<void>();
          let ran = 0;
          const calls = fleet.map((b) =>
            b
              .execute(async () => {
                ran++;
                await gate.promise;
                if (end === 'failure') throw new Error('down');
              })
              .catch(() => undefined),
          );
          await settle();
          if (halfOpen) expect(ran).toBeLessThanOrEqual(config.halfOpenMaxCalls);
          gate.resolve();
          await Promise.all(calls);
        }
        await settle();
        const states = new Set(fleet.map((b) => b.state));
        expect([...states]).toHaveLength(1);
      }
    }),
    { numRuns: 150 },
  );
});
