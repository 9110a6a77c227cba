import fc from 'fast-check';
import { commandArb } from './commands.js';
import type { ModelOptions, ResetSpec, WindowSpec } from './reference.js';
import { setup } from './system.js';

/** Small values, so that opening, probing and closing happen within a few commands. */
const resetArb: fc.Arbitrary<ResetSpec> = fc.oneof(
  fc.integer({ min: 0, max: 20 }).map((ms) => ({ kind: 'fixed' as const, ms })),
  fc.record({
    kind: fc.constant('linear' as const),
    base: fc.integer({ min: 0, max: 10 }),
    step: fc.integer({ min: 0, max: 10 }),
  }),
);
const rateArb = fc.constantFrom(0.01, 0.25, 0.5, 2 / 3, 1);

function optionsArb(
  window: fc.Arbitrary<WindowSpec>,
  slow: fc.Arbitrary<number | undefined>,
  policy: fc.Arbitrary<'all' | 'rate'> = fc.constantFrom('all', 'rate'),
): fc.Arbitrary<ModelOptions> {
  return fc.record({
    window,
    failureThreshold: fc.integer({ min: 1, max: 4 }),
    failureRateThreshold: rateArb,
    minimumCalls: fc.integer({ min: 1, max: 8 }),
    slowCallDurationMs: slow,
    slowCallRateThreshold: rateArb,
    reset: resetArb,
    halfOpenMaxCalls: fc.integer({ min: 1, max: 3 }),
    halfOpenPolicy: policy,
    rampUpMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 40 })),
    timeoutMs: fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined }),
    listen: fc.constantFrom('none', 'state', 'all'),
    startMs: fc.constantFrom(0, 1_000_000_007, 1.7e12),
  });
}

const maybeSlow = fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined });

export const consecutiveMode = optionsArb(fc.constant({ kind: 'consecutive' }), maybeSlow, fc.constant('all'));
export const countMode = optionsArb(
  fc.integer({ min: 1, max: 6 }).map((size) => ({ kind: 'count' as const, size })),
  maybeSlow,
);
export const timeMode = optionsArb(
  fc.record({
    kind: fc.constant('time' as const),
    width: fc.integer({ min: 1, max: 5 }),
    buckets: fc.integer({ min: 1, max: 4 }),
  }),
  fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined, freq: 4 }),
);

/** Runs random command sequences against the breaker and the model; fast-check prints seed and path on failure. */
export function runModel(options: fc.Arbitrary<ModelOptions>, numRuns: number, maxCommands = 50): Promise<void> {
  return fc.assert(
    fc.asyncProperty(options, fc.commands([commandArb], { maxCommands, size: 'max' }), (o, commands) =>
      fc.asyncModelRun(setup(o), commands),
    ),
    { numRuns },
  );
}
