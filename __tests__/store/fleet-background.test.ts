// A fleet at a background failure rate far from its thresholds (fleet-counts.md, at fleet size):
// 32 breakers of one name on a memoryStore, each an instance of its own, 2 % of calls failing at
// random (a seeded generator: the counts are the same on every run). No fleet opening, and the
// reports stay a small share of the failures, in both modes.
import { type BreakerOptions, createBreaker } from '../../src/index.js';
import { manualClock, memoryStore } from '../../src/testing/index.js';
import { boom, flush } from '../helpers.js';

/** mulberry32: a small seeded generator. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function background(options: BreakerOptions, rounds: number) {
  const clock = manualClock(1_000_000);
  const store = memoryStore({ clock });
  const fleet = Array.from({ length: 32 }, () =>
    createBreaker({ name: 'dep', store, clock, resetTimeoutMs: 30_000, ...options }),
  );
  const next = random(25);
  let failures = 0;
  const opened: unknown[] = [];
  for (const b of fleet) b.on('open', (e) => opened.push(e.reason));
  for (let round = 0; round < rounds; round++) {
    // Five calls a second per breaker.
    clock.advance(200);
    for (const b of fleet) {
      const failed = next() < 0.02;
      if (failed) failures++;
      await b.execute(() => (failed ? Promise.reject(boom) : 'ok')).catch(() => undefined);
    }
    await store.flush();
    await flush();
  }
  return { failures, reported: store.stats().reported as number, opened, states: new Set(fleet.map((b) => b.state)) };
}

it('consecutive mode: no opening, and after each breaker’s first failure, reports for fewer than one failure in ten', async () => {
  const { failures, reported, opened, states } = await background({ failureThreshold: 5 }, 300);
  expect(opened).toEqual([]);
  expect([...states]).toEqual(['closed']);
  expect(failures).toBeGreaterThan(150);
  // Each breaker's first failure is evidence (and the success that ends its run is sent): 2 per breaker at most.
  expect(reported - 2 * 32).toBeLessThan(failures / 10);
});

it('rate mode: no opening and no report at all', async () => {
  const { failures, reported, opened } = await background(
    { window: { durationMs: 10_000, buckets: 10 }, minimumCalls: 20, failureRateThreshold: 0.5 },
    300,
  );
  expect(opened).toEqual([]);
  expect(failures).toBeGreaterThan(150);
  expect(reported).toBe(0);
});
