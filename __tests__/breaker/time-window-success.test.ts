import { setup, succeed } from '../helpers.js';

describe('a time window', () => {
  // A success counts in the slice of the time it ended, however long the window went unused
  // before: that slice (900-1000 ms here, of 100 ms slices) is forgotten when its start is 1000 ms old.
  test('keeps a plain success until the slice it ended in is durationMs old', async () => {
    const { clock, breaker } = setup({ window: { durationMs: 1000, buckets: 10 } });
    clock.advance(950);
    await succeed(breaker);
    clock.advance(900);
    expect(breaker.stats().window.calls).toBe(1);
    clock.advance(50);
    expect(breaker.stats().window.calls).toBe(0);
  });
});
