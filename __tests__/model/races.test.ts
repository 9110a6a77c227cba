import fc from 'fast-check';
import { type Breaker, type BreakerOptions, createBreaker, isCircuitOpenError } from '../../src/index.js';
import { manualClock } from '../../src/testing/index.js';

/**
 * Concurrent calls across state changes, in every order of settlement fast-check's scheduler
 * picks. Each action is itself a scheduled task, so calls start, settle, time out, abort,
 * and the clock and the manual operations interleave in every order.
 */

type Ending = 'success' | 'failure' | 'ignored';
type Action =
  | { kind: 'call'; end: Ending; abort: boolean }
  | { kind: 'permit'; end: Ending | 'never' }
  | { kind: 'advance'; ms: number }
  | { kind: 'open'; ms: number }
  | { kind: 'close' }
  | { kind: 'disable' };

const endArb = fc.constantFrom<Ending>('success', 'success', 'failure', 'ignored');
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('call' as const), end: endArb, abort: fc.boolean() }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('permit' as const),
      end: fc.oneof({ weight: 6, arbitrary: endArb }, fc.constant('never' as const)),
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 12 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('open' as const), ms: fc.integer({ min: 0, max: 8 }) }) },
  { weight: 1, arbitrary: fc.constantFrom({ kind: 'close' as const }, { kind: 'disable' as const }) },
);
const configArb = fc.record({
  halfOpenMaxCalls: fc.integer({ min: 1, max: 3 }),
  resetTimeoutMs: fc.integer({ min: 1, max: 10 }),
  timeoutMs: fc.option(fc.integer({ min: 1, max: 15 }), { nil: undefined }),
  rate: fc.boolean(),
});
const STATE_EVENTS = new Set(['open', 'halfOpen', 'close', 'isolate', 'disable']);

const tagged = (tag: string) => Object.assign(new Error(tag), { tag });

test('concurrent calls keep every permit, probe limit and generation, in any order of settlement', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.scheduler(),
      configArb,
      fc.array(actionArb, { minLength: 1, maxLength: 30 }),
      async (s, config, actions) => {
        const clock = manualClock();
        const { rate, ...rest } = config;
        const options: BreakerOptions = {
          ...rest,
          clock,
          isFailure: (e) => (e as { tag?: string }).tag !== 'ignored',
          ...(rate ? { window: { size: 4 }, minimumCalls: 2 } : { failureThreshold: 2 }),
        };
        const breaker: Breaker = createBreaker(options);
        const violations: string[] = [];
        let period = 0;
        let stamp = 0; // moves with every state change (at least as often as the breaker's generation)
        breaker.on('*', (type) => {
          if (STATE_EVENTS.has(type)) stamp++;
          if (type === 'halfOpen') period++;
        });
        const running = new Map<number, number>();
        const probeStarted = (p: number) => {
          const n = (running.get(p) ?? 0) + 1;
          running.set(p, n);
          if (n > config.halfOpenMaxCalls) violations.push(`${n} probes running in half-open period ${p}`);
        };
        const probeEnded = (p: number) => running.set(p, (running.get(p) ?? 0) - 1);
        let neverSettled = 0;
        const work: Promise<unknown>[] = [];

        const call = (end: Ending, abort: boolean) => {
          const probe = breaker.state === 'halfOpen' ? period : undefined;
          const controller = abort ? new AbortController() : undefined;
          let ran = false;
          const result = breaker.execute(
            () => {
              ran = true;
              if (probe !== undefined) probeStarted(probe);
              return s.schedule(end === 'success' ? Promise.resolve('ok') : Promise.reject(tagged(end)), `settle ${end}`);
            },
            { signal: controller?.signal },
          );
          if (controller) work.push(s.schedule(Promise.resolve(), 'abort').then(() => controller.abort(tagged('ignored'))));
          work.push(
            result
              .then(
                () => undefined,
                (error) => {
                  if (!ran && !isCircuitOpenError(error)) violations.push(`rejected without running: ${String(error)}`);
                },
              )
              .finally(() => {
                if (ran && probe !== undefined) probeEnded(probe);
              }),
          );
        };

        const permit = (end: Ending | 'never') => {
          const probe = breaker.state === 'halfOpen' ? period : undefined;
          let p: ReturnType<Breaker['acquire']>;
          try {
            p = breaker.acquire();
          } catch (error) {
            if (!isCircuitOpenError(error)) violations.push(`acquire threw ${String(error)}`);
            return;
          }
          if (probe !== undefined) probeStarted(probe);
          const at = stamp;
          if (end === 'never') {
            neverSettled++;
            return;
          }
          work.push(
            s.schedule(Promise.resolve(), `permit ${end}`).then(() => {
              const before = breaker.stats();
              const late = stamp !== at;
              if (end === 'success') p.success();
              else if (end === 'failure') p.failure(tagged('failure'));
              else p.ignore();
              p.success(); // a second report counts for nothing
              if (probe !== undefined) probeEnded(probe);
              const after = breaker.stats();
              if (late && (after.state !== before.state || JSON.stringify(after.window) !== JSON.stringify(before.window))) {
                violations.push(`late ${end} moved ${before.state} -> ${after.state}`);
              }
            }),
          );
        };

        for (const a of actions) {
          work.push(
            s.schedule(Promise.resolve(), a.kind).then(() => {
              if (a.kind === 'call') call(a.end, a.abort);
              else if (a.kind === 'permit') permit(a.end);
              else if (a.kind === 'advance') clock.advance(a.ms);
              else if (a.kind === 'open') breaker.open(a.ms);
              else if (a.kind === 'disable') breaker.disable();
              else {
                stamp++; // close() on a closed breaker starts a new generation silently
                breaker.close();
              }
            }),
          );
        }
        while (s.count() > 0) await s.waitAll();
        await Promise.all(work);

        expect(violations).toEqual([]);
        const { inFlight, totals } = breaker.stats();
        expect(inFlight).toBe(neverSettled);
        expect(totals.calls).toBe(totals.successes + totals.failures + totals.ignored + neverSettled);
        const stats = breaker.stats();
        if (stats.state === 'halfOpen' && neverSettled === 0) expect(stats.retryAfterMs).toBe(0);
        // Never stuck: with time, a call is let through (a hanging probe expires, then the breaker half-opens).
        let passed = false;
        for (let i = 0; i < 2 && !passed; i++) {
          clock.advance(1_000);
          passed = await breaker
            .execute(() => 'ok')
            .then(
              () => true,
              () => false,
            );
        }
        expect(passed).toBe(true);
        expect(clock.pending).toBe(0);
      },
    ),
    { numRuns: 1000 },
  );
}, 60_000);
