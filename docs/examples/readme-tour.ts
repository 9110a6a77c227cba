import { createBreaker, isCircuitOpenError, wrap } from 'tripswitch';
import { manualClock } from 'tripswitch/testing';

// wrap(): the same function, guarded. Arguments, result type and `this` are kept.
const getUser = wrap(async (id: string) => ({ id, name: 'Ada' }), { failureThreshold: 3 });
const user = await getUser('42'); // { id: string; name: string }

// createBreaker() + execute(): one breaker for many calls, with an AbortSignal for each that
// aborts on timeout, so the work really stops. (A wrapped function gets no signal: with
// timeoutMs it rejects on time, but its work runs on. Use execute where work must be cancelled.)
const api = createBreaker({ name: 'api', window: { size: 50 }, resetTimeoutMs: 10_000, timeoutMs: 1_000 });
const health = await api.execute(({ signal }) => fetch('https://api.example.com/health', { signal }), {
  signal: AbortSignal.timeout(5_000), // the caller's own deadline; its abort is not a failure
});

// Typed events, and stats to export as metrics.
api.on('open', ({ name, reason, retryAfterMs }) => console.log(`${name} open (${reason}) for ${retryAfterMs} ms`));
const { state, window, totals } = api.stats();

// Rejections are recognisable, across package copies too.
await api.execute(() => 'work').catch((error) => isCircuitOpenError(error) && console.log(error.retryAfterMs));

// Tests move time by hand: no sleeping, no fake timers.
const clock = manualClock();
const tested = createBreaker({ clock, failureThreshold: 1, resetTimeoutMs: 30_000 });
tested.open();
clock.advance(30_000);
console.log(tested.state, user.name, health.status, state, window.failureRate, totals.calls); // 'halfOpen' ...
