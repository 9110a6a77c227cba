import { type BreakerOptions, createBreaker, exponentialBackoff, isCircuitOpenError } from 'tripswitch';

// cockatiel: circuitBreaker(handleWhen((e) => !(e instanceof NotFound)), {
//   halfOpenAfter: new ExponentialBackoff({ initialDelay: 1000, maxDelay: 30000 }),
//   breaker: new SamplingBreaker({ threshold: 0.2, duration: 30000, minimumRps: 5 }) })
class NotFound extends Error {}
const options: BreakerOptions = {
  name: 'search',
  isFailure: (error) => !(error instanceof NotFound), // cockatiel counts unhandled errors as successes; here they are ignored
  resetTimeoutMs: exponentialBackoff({ initialMs: 1_000, maxMs: 30_000 }),
  window: { durationMs: 30_000 },
  failureRateThreshold: 0.2,
  minimumCalls: 150, // minimumRps 5 over 30 s
};
export const breaker = createBreaker(options);

// cockatiel: policy.onBreak / onReset / onHalfOpen / onStateChange / onSuccess / onFailure
breaker.on('open', ({ reason }) => console.log(`break: ${reason}`));
breaker.on('close', () => console.log('reset'));
breaker.on('stateChange', ({ to }) => console.log(`state: ${to}`));

// cockatiel: wrap(timeout(2000, TimeoutStrategy.Aggressive), breaker).execute(({ signal }) => ...)
const guarded = createBreaker({ name: 'search-with-timeout', timeoutMs: 2_000 });
export const search = (q: string) =>
  guarded.execute(({ signal }) => fetch(`https://search.example.com/?q=${encodeURIComponent(q)}`, { signal }));

// cockatiel: const handle = policy.isolate(); ... handle.dispose()
breaker.isolate();
await breaker.execute(() => 'never runs').catch((error) => console.log(isCircuitOpenError(error) && error.state)); // 'isolated'
breaker.close();

// cockatiel: policy.toJSON() / circuitBreaker(..., { initialState })
const restored = createBreaker({ ...options, initialState: breaker.toJSON() });
console.log(restored.state); // 'closed'
