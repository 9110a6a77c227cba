import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Breaker, createBreaker } from 'tripswitch';
import { manualClock } from 'tripswitch/testing';

// Code under test: it takes its breaker from outside, so a test can give it a manual clock.
function createPriceClient(fetchPrice: (sku: string) => Promise<number>, breaker: Breaker) {
  const price = breaker.wrap(fetchPrice, { fallback: () => Number.NaN });
  return { price };
}

test('answers NaN while the price service is down, and recovers after the reset timeout', async () => {
  const clock = manualClock();
  const breaker = createBreaker({ clock, failureThreshold: 2, resetTimeoutMs: 30_000 });
  let up = false;
  let calls = 0;
  const client = createPriceClient(async () => {
    calls++;
    if (!up) throw new Error('down');
    return 42;
  }, breaker);

  assert.ok(Number.isNaN(await client.price('sku')));
  assert.ok(Number.isNaN(await client.price('sku')));
  assert.equal(breaker.state, 'open');

  up = true;
  assert.ok(Number.isNaN(await client.price('sku'))); // rejected without calling the service
  assert.equal(calls, 2);

  clock.advance(30_000); // no sleeping: time moves by hand
  assert.equal(await client.price('sku'), 42);
  assert.equal(breaker.state, 'closed');
});
