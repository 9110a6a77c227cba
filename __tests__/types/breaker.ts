// Compiled by `tsc --noEmit`, never run: each `@ts-expect-error` must meet a type error.
import {
  type BreakerEvents,
  type BreakerOptions,
  type BreakerStats,
  type CircuitOpenError,
  createBreaker,
  createRegistry,
  type OpenReason,
  type Permit,
  type State,
} from '../../src/index.js';
import { type ManualClock, manualClock } from '../../src/testing/index.js';

declare function expectType<T>(value: T): void;

const breaker = createBreaker({ name: 'typed' });

// execute infers T, unwrapping promises.
expectType<Promise<number>>(breaker.execute(() => 1));
expectType<Promise<string>>(breaker.execute(async ({ signal }) => (signal.aborted ? 'a' : 'b')));
// @ts-expect-error the result is a number
expectType<Promise<string>>(breaker.execute(() => 1));
breaker.execute(() => 1, { signal: AbortSignal.timeout(5) });
// @ts-expect-error signal must be an AbortSignal
breaker.execute(() => 1, { signal: 'abort' });
// @ts-expect-error ctx has only a signal
breaker.execute((ctx) => ctx.timeout);

// Event payloads are typed.
breaker.on('open', (e) => expectType<OpenReason>(e.reason));
breaker.on('open', (e) => expectType<number>(e.retryAfterMs));
breaker.on('stateChange', (e) => expectType<State>(e.to));
breaker.on('failure', (e) => expectType<unknown>(e.error));
breaker.on('close', (e) => expectType<'probesSucceeded' | 'manual'>(e.reason));
// @ts-expect-error open has no durationMs
breaker.on('open', (e) => e.durationMs);
// @ts-expect-error OpenReason is not a number
breaker.on('open', (e) => expectType<number>(e.reason));
// @ts-expect-error no such event
breaker.on('opened', () => {});
breaker.on('*', (type, event) => expectType<string>(`${type} ${event.name}`));
const off: () => void = breaker.on('success', (e: BreakerEvents['success']) => e.durationMs);
off();
breaker.off('success', (e) => e.durationMs);
// @ts-expect-error no such event
breaker.off('closed', () => {});

// Other members.
expectType<State>(breaker.state);
expectType<BreakerStats>(breaker.stats());
expectType<Permit>(breaker.acquire());
// @ts-expect-error state is readonly
breaker.state = 'open';
// @ts-expect-error open takes a number
breaker.open('10s');
declare const error: CircuitOpenError;
expectType<number>(error.retryAfterMs);

// BreakerOptions rejects wrong types.
const clock: ManualClock = manualClock();
const good: BreakerOptions = {
  name: 'x',
  window: { durationMs: 1000, buckets: 5 },
  resetTimeoutMs: (attempt) => attempt * 1000,
  isFailure: (e) => e instanceof Error,
  clock,
  initialState: breaker.toJSON(),
};
createBreaker(good);
// @ts-expect-error failureThreshold is a number
createBreaker({ failureThreshold: '5' });
// @ts-expect-error resetTimeoutMs is a number or a function of the attempt
createBreaker({ resetTimeoutMs: (attempt: string) => attempt.length });
// @ts-expect-error isFailure returns a boolean
createBreaker({ isFailure: () => 'yes' });
// @ts-expect-error window needs a size or a durationMs
createBreaker({ window: { buckets: 5 } });
// @ts-expect-error clock needs setTimeout and clearTimeout
createBreaker({ clock: { now: () => 0 } });
// @ts-expect-error unknown option
createBreaker({ threshold: 3 });

// Registries: no name, typed events.
const registry = createRegistry({ maxSize: 10 });
registry.on('open', (e) => expectType<OpenReason>(e.reason));
// @ts-expect-error a registry's breakers are named by their keys
createRegistry({ name: 'x' });
for (const [key, b] of registry) expectType<string>(`${key}${b.name}`);
