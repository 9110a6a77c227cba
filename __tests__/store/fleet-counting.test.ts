// Counting across the fleet on a memoryStore, on a manual clock: how outcomes are gathered
// while a report is in flight, slow calls, count windows and outages.
import { type Breaker, type BreakerOptions, createBreaker } from '../../src/index.js';
import { manualClock, memoryStore } from '../../src/testing/index.js';
import { boom, flush } from '../helpers.js';

function fleetOf(n: number, options: BreakerOptions, quorum = 1) {
  const clock = manualClock(1_000_000);
  const store = memoryStore({ clock, quorum });
  const breakers = Array.from({ length: n }, () =>
    createBreaker({ name: 'dep', store, clock, resetTimeoutMs: 10_000, ...options }),
  );
  const settle = async () => {
    await store.flush();
    await flush();
    await store.flush();
  };
  return { clock, store, breakers, settle };
}
const fail = (b: Breaker) => b.execute(() => Promise.reject(boom)).catch(() => undefined);

it('outcomes made while a report is in flight go together in the next one, in their order', async () => {
  const { store, breakers, settle } = fleetOf(2, { failureThreshold: 5 });
  const [a] = breakers;
  await settle();
  // A first failure (evidence, sent at once), then a success and a failure wait for the answer.
  await Promise.all([fail(a), a.execute(() => 'ok'), fail(a)]);
  await settle();
  expect(a.stats().fleet).toEqual({ calls: 1, failures: 1, slowCalls: 0, instances: 1 });
  expect(store.stats().reported).toBe(2);
});

it('rate mode: slow calls count across the fleet and open it with reason slowCallRate', async () => {
  const { clock, breakers, settle } = fleetOf(2, {
    window: { size: 10 },
    minimumCalls: 4,
    failureRateThreshold: 1,
    slowCallDurationMs: 100,
    slowCallRateThreshold: 0.5,
  });
  await settle();
  const slow = (b: Breaker) =>
    b.execute(async () => {
      clock.advance(150);
    });
  const reasons: unknown[] = [];
  breakers[1].on('open', (e) => reasons.push(e.reason));
  for (const b of breakers) {
    await slow(b);
    await settle();
    clock.advance(1000);
    await b.execute(() => 'fast');
    await settle();
    clock.advance(1000);
  }
  // Alone, each holds 2 calls of the 4 needed; together 4, half of them slow.
  expect(breakers.map((b) => b.state)).toEqual(['open', 'open']);
  expect(reasons).toEqual(['slowCallRate']);
});

it('consecutive mode: a slow success while the fleet counts no run sends nothing', async () => {
  const { clock, store, breakers, settle } = fleetOf(2, { failureThreshold: 5, slowCallDurationMs: 100 });
  await settle();
  await breakers[0].execute(async () => {
    clock.advance(150);
  });
  await settle();
  expect(store.stats().reported).toBe(0);
});

it('a store outage drops reports: each breaker counts alone, and nothing stale opens the fleet after', async () => {
  const { store, breakers, settle } = fleetOf(2, { failureThreshold: 3 });
  const [a, b] = breakers;
  await settle();
  store.setAvailable(false);
  await fail(a);
  await fail(a);
  await fail(b);
  await settle();
  expect(store.stats().reported).toBe(0);
  store.setAvailable(true);
  await settle();
  await fail(b);
  await settle();
  expect([a.state, b.state]).toEqual(['closed', 'closed']);
  // b's first failure (sent during the outage) was dropped, a's too; the fleet counts from b's next.
  expect(b.stats().fleet).toEqual({ calls: 1, failures: 1, slowCalls: 0, instances: 1 });
  expect(store.stats().reported).toBe(1);
});

it('quorum 2 in rate mode: failures from one process alone never open the fleet', async () => {
  const { clock, breakers, settle } = fleetOf(3, { window: { size: 10 }, minimumCalls: 4, failureRateThreshold: 0.5 }, 2);
  const [sick, b, c] = breakers;
  await settle();
  for (const x of [b, c]) await x.execute(() => 'ok');
  // A count window reports at most once a second.
  for (let i = 0; i < 4; i++) {
    await fail(sick);
    await settle();
    clock.advance(1000);
  }
  // Its own window tripped it alone (a vote of the two needed); the fleet holds its 3 reported failures.
  expect(sick.state).toBe('open');
  expect(b.stats().fleet?.instances).toBe(1);
  expect([b.state, c.state]).toEqual(['closed', 'closed']);
  await fail(b);
  await settle();
  expect([b.state, c.state]).toEqual(['open', 'open']);
});

it('rate mode: at most one report per period, and a window below the thresholds never opens', async () => {
  const { clock, store, breakers, settle } = fleetOf(2, { window: { size: 10 }, minimumCalls: 4, failureRateThreshold: 0.5 });
  const [a, b] = breakers;
  await settle();
  await fail(a);
  await settle();
  await a.execute(() => 'ok');
  await settle();
  // The same period: the success waits for a later outcome.
  expect(store.stats().reported).toBe(1);
  clock.advance(1000);
  for (let i = 0; i < 3; i++) {
    await b.execute(() => 'ok');
    await settle();
    clock.advance(1000);
  }
  await a.execute(() => 'ok');
  await settle();
  // 6 calls, 1 failure: enough calls, too few failures, no slow calls counted.
  expect(a.stats().fleet).toEqual({ calls: 6, failures: 1, slowCalls: 0, instances: 2 });
  expect([a.state, b.state]).toEqual(['closed', 'closed']);
});

it('rate mode, a count window: a report outlives an open period shorter than the report period', async () => {
  // Each process reports at most once a second; with a 200 ms open period its figures must still
  // count until it may report again, or the fleet's window holds one process at a time.
  const { clock, breakers, settle } = fleetOf(3, {
    window: { size: 10 },
    minimumCalls: 3,
    failureRateThreshold: 0.5,
    resetTimeoutMs: 200,
  });
  await settle();
  for (const b of breakers) {
    // The fleet counts from the first report and decides a report period (a second) later.
    if (b !== breakers[0]) clock.advance(500);
    await fail(b);
    await settle();
  }
  // Alone each holds 1 call of the 3 needed; together 3 failures within a second and a half.
  expect(breakers.map((b) => b.state)).toEqual(['open', 'open', 'open']);
});

it('consecutive mode: a failure after 1,000 calls without one counts at once, after fewer it waits for a second', async () => {
  const { store, breakers, settle } = fleetOf(2, { failureThreshold: 5 });
  const [a] = breakers;
  await settle();
  const succeed = async (n: number) => {
    for (let i = 0; i < n; i++) await a.execute(() => 'ok');
    await settle();
  };
  // The first failure ever: sent; the success that follows too (the run is a's alone).
  await fail(a);
  await settle();
  await succeed(1);
  expect(store.stats().reported).toBe(2);
  // A failure after 998 calls without one: no evidence.
  await succeed(997);
  await fail(a);
  await settle();
  expect(store.stats().reported).toBe(2);
  // A failure after 1,000 calls without one: a surprise, sent at once.
  await succeed(1000);
  await fail(a);
  await settle();
  expect(store.stats().reported).toBe(3);
  expect(a.stats().fleet).toEqual({ calls: 1, failures: 1, slowCalls: 0, instances: 1 });
});
