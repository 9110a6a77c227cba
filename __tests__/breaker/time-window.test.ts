import { fail, setup, succeed } from '../helpers.js';

describe('time window', () => {
  test('counts the outcomes of the last durationMs', async () => {
    const { clock, breaker } = setup({ window: { durationMs: 1000, buckets: 10 }, minimumCalls: 6 });
    await fail(breaker, 3);
    clock.advance(500);
    await succeed(breaker, 2);
    expect(breaker.stats().window).toMatchObject({ calls: 5, failures: 3 });
    expect(breaker.state).toBe('closed');
    await succeed(breaker);
    expect(breaker.state).toBe('open');
  });

  test('forgets a slice once its start is durationMs old', async () => {
    const { clock, breaker } = setup({ window: { durationMs: 1000, buckets: 10 }, minimumCalls: 100 });
    clock.advance(50);
    await fail(breaker); // slice [0, 100)
    clock.advance(100); // 150
    await fail(breaker, 2); // slice [100, 200)
    clock.advance(849); // 999
    expect(breaker.stats().window.calls).toBe(3);
    clock.advance(1); // 1000: the first slice is 1000 ms old
    expect(breaker.stats().window).toMatchObject({ calls: 2, failures: 2 });
    clock.advance(99);
    expect(breaker.stats().window.calls).toBe(2);
    clock.advance(1);
    expect(breaker.stats().window.calls).toBe(0);
  });

  test('is empty after an idle gap of durationMs', async () => {
    const { clock, breaker } = setup({ window: { durationMs: 1000, buckets: 4 }, minimumCalls: 3 });
    await fail(breaker, 2);
    clock.advance(1000);
    await fail(breaker);
    expect(breaker.stats().window).toMatchObject({ calls: 1, failures: 1 });
    expect(breaker.state).toBe('closed');
  });

  test('a long idle gap then new outcomes count from zero', async () => {
    const { clock, breaker } = setup({ window: { durationMs: 1000 }, minimumCalls: 2 });
    await succeed(breaker);
    clock.advance(123_456);
    expect(breaker.stats().window.calls).toBe(0);
    await fail(breaker);
    expect(breaker.stats().window).toMatchObject({ calls: 1, failures: 1 });
    await fail(breaker);
    expect(breaker.state).toBe('open');
  });

  test('old failures that age out no longer open it', async () => {
    const { clock, breaker } = setup({ window: { durationMs: 100, buckets: 2 }, minimumCalls: 4, failureRateThreshold: 0.75 });
    await fail(breaker, 2);
    clock.advance(100);
    await fail(breaker);
    await succeed(breaker, 1);
    await fail(breaker);
    expect(breaker.stats().window).toMatchObject({ calls: 3, failures: 2 });
    expect(breaker.state).toBe('closed');
  });

  test('counts slow calls and forgets them with their slice', async () => {
    const { clock, breaker } = setup({ window: { durationMs: 1000 }, slowCallDurationMs: 10, minimumCalls: 100 });
    const permit = breaker.acquire();
    clock.advance(10);
    permit.success();
    expect(breaker.stats().window).toMatchObject({ calls: 1, slowCalls: 1, slowCallRate: 1 });
    clock.advance(1000);
    expect(breaker.stats().window).toMatchObject({ calls: 0, slowCalls: 0, slowCallRate: 0 });
  });

  test('defaults to 10 buckets', async () => {
    const { clock, breaker } = setup({ window: { durationMs: 1000 }, minimumCalls: 100 });
    await fail(breaker);
    clock.advance(950);
    await fail(breaker);
    clock.advance(50); // the first slice [0, 100) ages out; the one at 950 stays
    expect(breaker.stats().window.calls).toBe(1);
  });

  test('the slices rotate with time, reused slots start empty', async () => {
    const { clock, breaker } = setup({ window: { durationMs: 30, buckets: 3 }, minimumCalls: 100 });
    for (let t = 0; t < 9; t++) {
      await fail(breaker);
      clock.advance(10);
    }
    // at 90, slices [60,70) [70,80) [80,90) hold one call each; [90, 100) is empty
    expect(breaker.stats().window.calls).toBe(2);
    await succeed(breaker);
    expect(breaker.stats().window).toMatchObject({ calls: 3, failures: 2 });
  });
});
