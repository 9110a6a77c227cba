import { createBreaker } from '../../src/index.js';
import { manualClock, memoryStore } from '../../src/testing/index.js';
import { flush } from '../helpers.js';

// The store answers each transition shared from here; by then this breaker may have moved on.
test('two transitions made in a row here: the answer to the first does not undo the second, nor is it shared again', async () => {
  const clock = manualClock(1_000_000);
  const store = memoryStore({ clock });
  const make = () => createBreaker({ name: 'dep', store, clock, failureThreshold: 1, resetTimeoutMs: 4000 });
  const [a, b] = [make(), make()];
  await store.flush();
  a.open();
  a.close();
  // A bounded wait: were the two answers to undo each other, the store would never be idle.
  for (let i = 0; i < 20; i++) await flush();
  const states = [a.state, b.state];
  const published = store.stats().published;
  if (published > 2) for (const breaker of [a, b]) breaker.dispose(); // ends the echoes, so that the test ends
  expect(states).toEqual(['closed', 'closed']);
  expect(published).toBe(2);
  a.isolate();
  a.open(1);
  for (let i = 0; i < 20; i++) await flush();
  expect([a.state, b.state]).toEqual(['open', 'open']);
  expect(store.stats().published).toBe(4);
  await store.flush();
});
