// The portable suite: tripswitch's core behaviours, `tripswitch/fetch` and `tripswitch/hono`,
// checked with nothing but standard JavaScript and web APIs (fetch, Request, Response,
// AbortSignal, timers), so the same file runs on Node, Bun, Deno and workerd. It imports the
// package by its name, so each runtime resolves the built files through the exports map.
// Tests that talk to the upstream get its base URL as `{ upstream }`; run.mjs runs them.
import { Redis } from '@upstash/redis';
import { Hono } from 'hono';
import {
  CallTimeoutError,
  CircuitOpenError,
  createBreaker,
  createRegistry,
  exponentialBackoff,
  isCallTimeoutError,
  isCircuitOpenError,
  systemClock,
  wrap,
} from 'tripswitch';
import { guardFetch } from 'tripswitch/fetch';
import { circuitBreaker } from 'tripswitch/hono';
import { manualClock } from 'tripswitch/testing';
import { upstashStore } from 'tripswitch/upstash';
import { createApp } from './fixtures/app.mjs';
import { deepEqual, equal, ok, rejects, sleep, throws } from './harness.mjs';

/** The tests, in order: `{ name, fn }`, where `fn` may take `{ upstream }`. */
export const tests = [];
const check = (name, fn) => {
  tests.push({ name, fn });
};

const fail = (message = 'boom') => Promise.reject(new Error(message));
const never = () => new Promise(() => {});
const recordEvents = (breaker) => {
  const seen = [];
  breaker.on('*', (type, event) => seen.push([type, event]));
  return seen;
};

// ---------------------------------------------------------------------------------------
// States

check('consecutive failures open the breaker, which then rejects without running the call', async () => {
  const breaker = createBreaker({ name: 'db', failureThreshold: 3, clock: manualClock() });
  for (let i = 0; i < 2; i++) await rejects(breaker.execute(() => fail()));
  equal(breaker.state, 'closed', 'two failures of three');
  await breaker.execute(() => 'fine');
  for (let i = 0; i < 3; i++) await rejects(breaker.execute(() => fail()));
  equal(breaker.state, 'open', 'a success resets the run; three more open it');
  let ran = false;
  const error = await rejects(
    breaker.execute(() => {
      ran = true;
    }),
  );
  ok(error instanceof CircuitOpenError, 'a CircuitOpenError');
  equal(ran, false, 'the call did not run');
  const { totals, consecutiveFailures } = breaker.stats();
  deepEqual([totals.calls, totals.successes, totals.failures, totals.rejected, consecutiveFailures], [6, 1, 5, 1, 3], 'stats');
});

check('open turns half-open after resetTimeoutMs; a successful probe closes it', async () => {
  const clock = manualClock();
  const breaker = createBreaker({ failureThreshold: 1, resetTimeoutMs: 1000, clock });
  await rejects(breaker.execute(() => fail()));
  clock.advance(999);
  equal(breaker.state, 'open');
  equal(breaker.stats().retryAfterMs, 1);
  clock.advance(1);
  equal(breaker.state, 'halfOpen');
  const seen = recordEvents(breaker);
  equal(await breaker.execute(() => 'probe'), 'probe');
  equal(breaker.state, 'closed');
  deepEqual(
    seen.map(([type]) => type),
    ['success', 'close', 'stateChange'],
    'events of the closing probe',
  );
  equal(seen[1][1].reason, 'probesSucceeded');
});

check('a failed probe reopens the breaker with the next attempt', async () => {
  const clock = manualClock();
  const attempts = [];
  const breaker = createBreaker({
    failureThreshold: 1,
    resetTimeoutMs: (attempt) => {
      attempts.push(attempt);
      return attempt * 100;
    },
    clock,
  });
  await rejects(breaker.execute(() => fail()));
  clock.advance(100);
  const seen = recordEvents(breaker);
  await rejects(breaker.execute(() => fail('still down')));
  equal(breaker.state, 'open');
  const open = seen.find(([type]) => type === 'open')[1];
  equal(open.reason, 'probeFailed');
  equal(open.retryAfterMs, 200);
  ok(attempts.includes(2), `attempt 2 asked for, saw ${attempts}`);
  clock.advance(199);
  equal(breaker.state, 'open');
  clock.advance(1);
  equal(breaker.state, 'halfOpen');
});

check('half-open lets halfOpenMaxCalls probes through and rejects the rest', async () => {
  const clock = manualClock();
  const breaker = createBreaker({ failureThreshold: 1, resetTimeoutMs: 10, halfOpenMaxCalls: 2, clock });
  breaker.open();
  clock.advance(10);
  const releases = [];
  const probe = () =>
    breaker.execute(
      () =>
        new Promise((resolve) => {
          releases.push(resolve);
        }),
    );
  const first = probe();
  const second = probe();
  const third = await rejects(probe());
  ok(isCircuitOpenError(third), 'the third call is rejected');
  equal(third.state, 'halfOpen');
  for (const release of releases) release('ok');
  await Promise.all([first, second]);
  equal(breaker.state, 'closed');
});

check('an unsettled probe counts as failed after resetTimeoutMs', async () => {
  const clock = manualClock();
  const breaker = createBreaker({ failureThreshold: 1, resetTimeoutMs: 50, clock });
  breaker.open();
  clock.advance(50);
  breaker.execute(never);
  equal(breaker.state, 'halfOpen');
  clock.advance(50);
  equal(breaker.state, 'open', 'the stuck probe failed');
});

check('open(), isolate(), disable() and close() drive the states by hand', async () => {
  const clock = manualClock();
  const breaker = createBreaker({ clock });
  breaker.open(500);
  equal(breaker.state, 'open');
  equal(breaker.stats().retryAfterMs, 500);
  breaker.isolate();
  equal(breaker.state, 'isolated');
  const error = await rejects(breaker.execute(() => 1));
  equal(error.retryAfterMs, Number.POSITIVE_INFINITY);
  breaker.disable();
  equal(breaker.state, 'disabled');
  for (let i = 0; i < 10; i++) await rejects(breaker.execute(() => fail()));
  equal(breaker.state, 'disabled', 'a disabled breaker never opens');
  equal(breaker.stats().totals.failures, 10, 'but it counts');
  breaker.close();
  equal(breaker.state, 'closed');
});

// ---------------------------------------------------------------------------------------
// Windows

check('a count window opens on the failure rate over its last calls', async () => {
  const breaker = createBreaker({ window: { size: 4 }, minimumCalls: 4, failureRateThreshold: 0.5, clock: manualClock() });
  const seen = recordEvents(breaker);
  await breaker.execute(() => 1);
  await breaker.execute(() => 2);
  await rejects(breaker.execute(() => fail()));
  equal(breaker.state, 'closed', 'three calls: no decision yet');
  await rejects(breaker.execute(() => fail()));
  equal(breaker.state, 'open');
  equal(seen.find(([type]) => type === 'open')[1].reason, 'failureRate');
});

check('a time window forgets outcomes older than durationMs', async () => {
  const clock = manualClock();
  const breaker = createBreaker({ window: { durationMs: 1000, buckets: 10 }, minimumCalls: 3, clock });
  await rejects(breaker.execute(() => fail()));
  await rejects(breaker.execute(() => fail()));
  equal(breaker.stats().window.failures, 2);
  clock.advance(1000);
  equal(breaker.stats().window.calls, 0, 'an idle gap of durationMs empties the window');
  await rejects(breaker.execute(() => fail()));
  equal(breaker.state, 'closed', 'the forgotten failures do not count');
  await rejects(breaker.execute(() => fail()));
  await rejects(breaker.execute(() => fail()));
  equal(breaker.state, 'open');
});

check('slow calls open the breaker on the slow-call rate', async () => {
  const clock = manualClock();
  const breaker = createBreaker({
    window: { size: 2 },
    minimumCalls: 2,
    slowCallDurationMs: 100,
    slowCallRateThreshold: 1,
    clock,
  });
  const seen = recordEvents(breaker);
  const slow = () =>
    breaker.execute(
      () =>
        new Promise((resolve) => {
          clock.setTimeout(() => resolve('late'), 150);
        }),
    );
  const first = slow();
  clock.advance(150);
  await first;
  const second = slow();
  clock.advance(150);
  await second;
  equal(breaker.state, 'open');
  equal(seen.find(([type]) => type === 'open')[1].reason, 'slowCallRate');
});

// ---------------------------------------------------------------------------------------
// Generations

check('outcomes of calls let through before a state change do not move the state', async () => {
  const clock = manualClock();
  const breaker = createBreaker({ failureThreshold: 1, resetTimeoutMs: 1000, clock });
  let failLate;
  const early = breaker.execute(
    () =>
      new Promise((_, reject) => {
        failLate = reject;
      }),
  );
  let succeedLate;
  const other = breaker.execute(
    () =>
      new Promise((resolve) => {
        succeedLate = resolve;
      }),
  );
  breaker.open();
  clock.advance(400);
  failLate(new Error('late'));
  await rejects(early);
  equal(breaker.stats().retryAfterMs, 600, 'the late failure did not extend the open period');
  succeedLate('late');
  await other;
  equal(breaker.state, 'open', 'the late success did not close it');
  equal(breaker.stats().totals.failures, 1, 'but totals count it');
  equal(breaker.stats().totals.successes, 1);
});

// ---------------------------------------------------------------------------------------
// Timeouts

check('timeoutMs with a manual clock: CallTimeoutError, an aborted signal, a failure', async () => {
  const clock = manualClock();
  const breaker = createBreaker({ name: 'slow', timeoutMs: 100, failureThreshold: 1, clock });
  const seen = recordEvents(breaker);
  let signal;
  const call = breaker.execute((ctx) => {
    signal = ctx.signal;
    return never();
  });
  clock.advance(99);
  equal(signal.aborted, false);
  clock.advance(1);
  const error = await rejects(call);
  ok(error instanceof CallTimeoutError, 'a CallTimeoutError');
  ok(isCallTimeoutError(error), 'recognised by the guard');
  equal(error.timeoutMs, 100);
  equal(error.breaker, 'slow');
  equal(signal.aborted, true);
  equal(signal.reason, error, 'the signal aborts with the error');
  equal(breaker.state, 'open');
  deepEqual(seen.map(([type]) => type).slice(0, 2), ['timeout', 'failure'], 'timeout before failure');
});

check('timeoutMs with the system clock: a 20 ms limit stops a 200 ms call', async () => {
  const breaker = createBreaker({ timeoutMs: 20 });
  let settledLate = false;
  const started = Date.now();
  const error = await rejects(
    breaker.execute(async () => {
      await sleep(200);
      settledLate = true;
      throw new Error('late failure, dropped');
    }),
  );
  const elapsed = Date.now() - started;
  ok(isCallTimeoutError(error), `a CallTimeoutError, got ${error}`);
  ok(elapsed >= 15 && elapsed < 190, `timed out after ${elapsed} ms`);
  equal(settledLate, false);
  await sleep(220);
  equal(settledLate, true, 'the call went on and its late failure was dropped');
  equal(breaker.stats().totals.timeouts, 1);
  equal(breaker.stats().totals.failures, 1);
});

check('systemClock runs timers, cancels them, and reads the time', async () => {
  let fired = 0;
  const handle = systemClock.setTimeout(() => fired++, 5);
  const cancelled = systemClock.setTimeout(() => fired++, 5);
  systemClock.clearTimeout(cancelled);
  ok(handle !== undefined && handle !== null, 'a handle');
  await sleep(40);
  equal(fired, 1, 'one timer fired, the cancelled one did not');
  ok(Math.abs(systemClock.now() - Date.now()) < 1000, 'now() is the wall clock');
});

check('a caller signal aborts the call and its outcome is ignored', async () => {
  const breaker = createBreaker({ failureThreshold: 1, clock: manualClock() });
  const controller = new AbortController();
  const call = breaker.execute(
    ({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
    {
      signal: controller.signal,
    },
  );
  controller.abort(new Error('caller gave up'));
  const error = await rejects(call);
  equal(error.message, 'caller gave up');
  equal(breaker.state, 'closed', 'not a failure');
  equal(breaker.stats().totals.ignored, 1);
});

// ---------------------------------------------------------------------------------------
// Events

check('events: typed payloads, unsubscribe, and a throwing listener reported as callbackError', async () => {
  const breaker = createBreaker({ name: 'events', failureThreshold: 1, clock: manualClock() });
  const opens = [];
  const off = breaker.on('open', (event) => opens.push(event));
  const reported = [];
  breaker.on('callbackError', (event) => reported.push(event));
  breaker.on('failure', () => {
    throw new Error('listener bug');
  });
  const error = await rejects(breaker.execute(() => fail('real')));
  equal(error.message, 'real', 'the listener did not change the result');
  equal(opens.length, 1);
  deepEqual(opens[0], { name: 'events', reason: 'failures', retryAfterMs: 30000 });
  equal(reported.length, 1);
  equal(reported[0].callback, 'listener');
  equal(reported[0].error.message, 'listener bug');
  off();
  breaker.close();
  await rejects(breaker.execute(() => fail()));
  equal(opens.length, 1, 'unsubscribed');
});

// ---------------------------------------------------------------------------------------
// Errors, options, helpers

check('CircuitOpenError carries its context; the guards recognise copies by code and name', async () => {
  const clock = manualClock();
  const breaker = createBreaker({ name: 'payments', resetTimeoutMs: 2000, clock });
  breaker.open();
  const error = await rejects(breaker.execute(() => 1));
  equal(error.name, 'CircuitOpenError');
  equal(error.code, 'ERR_CIRCUIT_OPEN');
  equal(error.breaker, 'payments');
  equal(error.state, 'open');
  equal(error.retryAfterMs, 2000);
  ok(error instanceof Error);
  const copy = Object.assign(new Error('from another copy'), { name: 'CircuitOpenError', code: 'ERR_CIRCUIT_OPEN' });
  ok(isCircuitOpenError(copy), 'a copy is recognised');
  ok(!isCircuitOpenError(new Error('x')), 'a plain error is not');
  ok(!isCallTimeoutError(error), 'an open error is not a timeout');
  const timeoutCopy = Object.assign(new Error('t'), { name: 'CallTimeoutError', code: 'ERR_CALL_TIMEOUT' });
  ok(isCallTimeoutError(timeoutCopy));
  const permitError = throws(() => breaker.acquire());
  ok(isCircuitOpenError(permitError), 'acquire() throws it too');
});

check('bad options throw at creation, naming the option and the value', () => {
  const range = throws(() => createBreaker({ window: { size: 10 }, failureRateThreshold: 1.5 }));
  ok(range instanceof RangeError, `a RangeError, got ${range}`);
  ok(range.message.includes('failureRateThreshold') && range.message.includes('1.5'), range.message);
  const both = throws(() => createBreaker({ failureThreshold: 3, window: { size: 10 } }));
  ok(both instanceof TypeError, `a TypeError, got ${both}`);
});

check('wrap keeps arguments and this, and falls back on rejection', async () => {
  const clock = manualClock();
  const add = wrap((a, b) => a + b, { clock });
  equal(await add(2, 3), 5);
  const counter = {
    base: 10,
    get: wrap(function (n) {
      return this.base + n;
    }),
  };
  equal(await counter.get(1), 11);
  const errors = [];
  const guarded = wrap(() => fail('down'), {
    failureThreshold: 1,
    clock,
    fallback: (error, id) => {
      errors.push(error);
      return `cached ${id}`;
    },
  });
  equal(await guarded('a'), 'cached a');
  equal(guarded.breaker.state, 'open');
  equal(await guarded('b'), 'cached b');
  equal(errors[0].message, 'down');
  ok(isCircuitOpenError(errors[1]), 'the second fallback saw the rejection');
});

check('exponentialBackoff grows by factor and stops at maxMs', () => {
  const backoff = exponentialBackoff({ initialMs: 100, maxMs: 1000, factor: 3 });
  deepEqual([1, 2, 3, 4].map(backoff), [100, 300, 900, 1000]);
  const jittered = exponentialBackoff({ initialMs: 1000, jitter: 0.5, random: () => 0 });
  const value = jittered(1);
  ok(value >= 500 && value <= 1500, `within 1000 +/- 50%, got ${value}`);
});

// ---------------------------------------------------------------------------------------
// Snapshots

check('toJSON is plain JSON and initialState resumes from it', async () => {
  const clock = manualClock(1_000_000);
  const breaker = createBreaker({ name: 'snap', failureThreshold: 2, resetTimeoutMs: 5000, clock });
  await breaker.execute(() => 'ok');
  await rejects(breaker.execute(() => fail()));
  await rejects(breaker.execute(() => fail()));
  clock.advance(1000);
  const snapshot = JSON.parse(JSON.stringify(breaker.toJSON()));
  equal(snapshot.version, 1);
  const resumed = createBreaker({ name: 'snap', failureThreshold: 2, resetTimeoutMs: 5000, clock, initialState: snapshot });
  equal(resumed.state, 'open');
  equal(resumed.stats().retryAfterMs, 4000);
  deepEqual(resumed.stats().totals, breaker.stats().totals, 'totals restored');
  clock.advance(4000);
  equal(resumed.state, 'halfOpen');
  const bad = throws(() => createBreaker({ initialState: { ...snapshot, version: 99 } }));
  ok(bad instanceof TypeError, `a TypeError, got ${bad}`);
});

// ---------------------------------------------------------------------------------------
// Registry

check('a registry keeps one breaker per key, bounded, and relays their events', async () => {
  const clock = manualClock();
  const registry = createRegistry({ failureThreshold: 1, maxSize: 2, clock });
  const opened = [];
  registry.on('open', (event) => opened.push(event.name));
  const a = registry.get('a');
  equal(registry.get('a'), a, 'the same breaker for the same key');
  equal(a.name, 'a');
  registry.get('b');
  await rejects(registry.get('b').execute(() => fail()));
  deepEqual(opened, ['b']);
  registry.get('c');
  equal(registry.size, 2);
  ok(registry.has('b') && registry.has('c') && !registry.has('a'), 'the closed, least recently used one went first');
  deepEqual([...registry].map(([key]) => key).sort(), ['b', 'c']);
  ok(registry.delete('c'));
  equal(registry.size, 1);
});

// ---------------------------------------------------------------------------------------
// guardFetch against a local upstream

const counting = () => {
  const urls = [];
  const fetcher = (input, init) => {
    urls.push(String(input instanceof Request ? input.url : input));
    return fetch(input, init);
  };
  return { urls, fetcher };
};

check('guardFetch: one breaker per origin; failure responses are returned, then the origin is cut off', async ({ upstream }) => {
  const { urls, fetcher } = counting();
  const guarded = guardFetch({ fetch: fetcher, failureThreshold: 2, resetTimeoutMs: 60_000 });
  const okResponse = await guarded(`${upstream}/ok`);
  equal(okResponse.status, 200);
  equal(await okResponse.text(), 'ok');
  const failed = await guarded(`${upstream}/fail`);
  equal(failed.status, 500, 'a failure response still reaches the caller');
  equal(await failed.text(), 'fail', 'with its body');
  await (await guarded(`${upstream}/fail`)).text();
  const origin = new URL(upstream).origin;
  equal(guarded.registry.get(origin).state, 'open');
  const error = await rejects(guarded(`${upstream}/ok`));
  ok(isCircuitOpenError(error), `a CircuitOpenError, got ${error}`);
  equal(urls.length, 3, 'no request was sent while open');
  equal(guarded.registry.size, 1);
});

check('guardFetch: a 503 with Retry-After opens the breaker for that long', async ({ upstream }) => {
  const clock = manualClock();
  const guarded = guardFetch({ clock });
  const response = await guarded(`${upstream}/busy?retryAfter=7`);
  equal(response.status, 503);
  equal(response.headers.get('retry-after'), '7');
  await response.text();
  const breaker = guarded.registry.get(new URL(upstream).origin);
  equal(breaker.state, 'open');
  equal(breaker.stats().retryAfterMs, 7000);
  clock.advance(7000);
  equal(breaker.state, 'halfOpen');
});

check('guardFetch: timeoutMs aborts a slow request with CallTimeoutError', async ({ upstream }) => {
  const guarded = guardFetch({ timeoutMs: 20 });
  const started = Date.now();
  const error = await rejects(guarded(`${upstream}/slow?ms=300`));
  ok(isCallTimeoutError(error), `a CallTimeoutError, got ${error}`);
  ok(Date.now() - started < 280, `took ${Date.now() - started} ms`);
});

check("guardFetch: the caller's abort is ignored, a network error is a failure", async ({ upstream }) => {
  const guarded = guardFetch({ failureThreshold: 1 });
  const controller = new AbortController();
  const pending = guarded(`${upstream}/slow?ms=300`, { signal: controller.signal });
  controller.abort();
  await rejects(pending);
  const origin = new URL(upstream).origin;
  equal(guarded.registry.get(origin).state, 'closed', 'an abort by the caller is not a failure');
  equal(guarded.registry.get(origin).stats().totals.ignored, 1);
  const refused = guardFetch({ failureThreshold: 1, fetch: () => Promise.reject(new TypeError('fetch failed')) });
  await rejects(refused(`${upstream}/ok`));
  equal(refused.registry.get(origin).state, 'open');
});

// guardFetch body: 'end' against streams the upstream sends, cuts midway or stalls

check("guardFetch body: 'end': a stream counts when it ends; one cut midway is a failure", async ({ upstream }) => {
  const guarded = guardFetch({ body: 'end', failureThreshold: 1 });
  const breaker = () => guarded.registry.get(new URL(upstream).origin);
  const response = await guarded(`${upstream}/stream`);
  equal(response.status, 200);
  const reader = response.body.getReader();
  const first = await reader.read();
  equal(new TextDecoder().decode(first.value).startsWith('data: 1'), true, 'the first event');
  equal(breaker().stats().inFlight, 1, 'the call lasts while the body is read');
  while (!(await reader.read()).done);
  deepEqual([breaker().stats().inFlight, breaker().stats().totals.successes], [0, 1], 'counted at the end');
  const cut = await guarded(`${upstream}/stream-cut`);
  await rejects(cut.text(), 'the read fails');
  equal(breaker().state, 'open', 'a stream cut midway is a failure');
});

check("guardFetch body: 'end': bodyIdleMs fails a stalled stream with a CallTimeoutError", async ({ upstream }) => {
  const guarded = guardFetch({ body: 'end', bodyIdleMs: 100 });
  const timeouts = [];
  guarded.registry.on('timeout', ({ timeoutMs }) => timeouts.push(timeoutMs));
  const response = await guarded(`${upstream}/stream-stall`);
  const error = await rejects(response.text());
  ok(isCallTimeoutError(error), `a CallTimeoutError, got ${error}`);
  const { totals, inFlight } = guarded.registry.get(new URL(upstream).origin).stats();
  deepEqual([totals.timeouts, totals.failures, inFlight, timeouts], [1, 1, 0, [100]]);
});

check("guardFetch body: 'end': the caller's cancel is ignored", async ({ upstream }) => {
  const guarded = guardFetch({ body: 'end', failureThreshold: 1 });
  const response = await guarded(`${upstream}/stream-stall`);
  const reader = response.body.getReader();
  await reader.read();
  await reader.cancel();
  const { state, totals, inFlight } = guarded.registry.get(new URL(upstream).origin).stats();
  deepEqual([state, totals.ignored, totals.failures, inFlight], ['closed', 1, 0, 0]);
});

// ---------------------------------------------------------------------------------------
// Hono middleware through app.fetch

check('hono: failures open the breaker; the next request gets a 503 JSON with Retry-After', async () => {
  const app = new Hono();
  const guard = circuitBreaker({ failureThreshold: 2, resetTimeoutMs: 4500 });
  let runs = 0;
  app.use('/api/*', guard);
  app.get('/api/ok', (c) => c.text('fine'));
  app.get('/api/fail', (c) => {
    runs++;
    return c.text('broken', 500);
  });
  app.get('/api/missing', (c) => c.text('no', 404));
  equal((await app.fetch(new Request('http://app.test/api/ok'))).status, 200);
  equal((await app.fetch(new Request('http://app.test/api/missing'))).status, 404);
  equal(guard.breaker.stats().totals.successes, 2, 'a 404 is a success');
  await app.fetch(new Request('http://app.test/api/fail'));
  await app.fetch(new Request('http://app.test/api/fail'));
  equal(guard.breaker.state, 'open');
  const rejected = await app.fetch(new Request('http://app.test/api/fail'));
  equal(runs, 2, 'the handler did not run');
  equal(rejected.status, 503);
  equal(rejected.headers.get('retry-after'), '5');
  ok(rejected.headers.get('content-type').startsWith('application/json'), rejected.headers.get('content-type'));
  deepEqual(await rejected.json(), { error: 'circuit_open', retryAfter: 5 });
});

check('hono: a thrown error counts by its status, and one breaker per key', async () => {
  const app = new Hono();
  const guard = circuitBreaker({ failureThreshold: 1, key: (c) => c.req.header('x-tenant') ?? 'anonymous' });
  app.use('*', guard);
  app.get('/work', (c) => {
    if (c.req.query('fail')) throw Object.assign(new Error('bad'), { status: 502 });
    return c.text('done');
  });
  app.onError((error, c) => c.text(error.message, error.status ?? 500));
  await app.fetch(new Request('http://app.test/work?fail=1', { headers: { 'x-tenant': 'acme' } }));
  equal((await app.fetch(new Request('http://app.test/work', { headers: { 'x-tenant': 'acme' } }))).status, 503);
  equal((await app.fetch(new Request('http://app.test/work', { headers: { 'x-tenant': 'other' } }))).status, 200);
  deepEqual([...guard.registry].map(([key, breaker]) => [key, breaker.state]).sort(), [
    ['acme', 'open'],
    ['other', 'closed'],
  ]);
});

check('hono: onReject writes its own response', async () => {
  const breaker = createBreaker({ name: 'search' });
  breaker.isolate();
  const app = new Hono();
  app.use('/search', circuitBreaker({ breaker, onReject: (error, c) => c.json({ results: [], state: error.state }, 503) }));
  app.get('/search', (c) => c.json({ results: ['a'] }));
  const response = await app.fetch(new Request('http://app.test/search'));
  equal(response.status, 503);
  deepEqual(await response.json(), { results: [], state: 'isolated' });
});

// ---------------------------------------------------------------------------------------
// The example app of the runtime guides (fixtures/app.mjs)

check("the guides' app serves quotes from the upstream", async ({ upstream }) => {
  const app = createApp({ upstreamUrl: upstream });
  const response = await app.fetch(new Request('http://app.test/api/quote'));
  equal(response.status, 200);
  deepEqual(await response.json(), { quote: 'Fail fast, recover by yourself.' });
});

check("the guides' app: a failing upstream turns /api away after three 502s", async ({ upstream }) => {
  const app = createApp({ upstreamUrl: `${upstream}/down` });
  for (let i = 0; i < 3; i++) equal((await app.fetch(new Request('http://app.test/api/quote'))).status, 502);
  const rejected = await app.fetch(new Request('http://app.test/api/quote'));
  equal(rejected.status, 503);
  equal(rejected.headers.get('retry-after'), '5');
  deepEqual(await (await app.fetch(new Request('http://app.test/health'))).json(), { api: 'open' });
});

// ---------------------------------------------------------------------------------------
// tripswitch/upstash, through the REST bridge the runner serves under /upstash

check('tripswitch/upstash: a trip is shared; a called breaker elsewhere follows it; ready() loads it', async ({ upstream }) => {
  const client = () =>
    new Redis({ url: `${upstream}/upstash`, token: 'runtime-token', retry: { retries: 0 }, enableTelemetry: false });
  const prefix = `rt-${crypto.randomUUID()}:`;
  const a = upstashStore({ client: client(), prefix, refreshMs: 20 });
  const b = upstashStore({ client: client(), prefix, refreshMs: 20 });
  const one = createBreaker({ name: 'payments', store: a, failureThreshold: 1 });
  const two = createBreaker({ name: 'payments', store: b });
  await rejects(one.execute(() => fail()));
  await a.flush();
  equal(one.state, 'open', 'the breaker that failed');
  for (let i = 0; i < 100 && two.state !== 'open'; i++) {
    await two.execute(() => 'fine').catch(() => undefined);
    await sleep(25);
  }
  equal(two.state, 'open', 'the other instance, once called');
  const cold = upstashStore({ client: client(), prefix });
  await cold.ready();
  equal(createBreaker({ name: 'payments', store: cold }).state, 'open', 'a cold start after ready()');
  const wrong = upstashStore({
    client: new Redis({ url: `${upstream}/upstash`, token: 'wrong', retry: { retries: 0 }, enableTelemetry: false }),
    prefix,
  });
  const error = await rejects(wrong.ready());
  ok(
    /Unauthorized/.test(String(error.cause?.message)) && !String(error.cause?.message).includes('wrong'),
    `a clean cause: ${error.cause?.message}`,
  );
  for (const store of [a, b, cold, wrong]) await store.close().catch(() => undefined);
});
