import { type BreakerSnapshot, createBreaker } from '../../src/index.js';
import { manualClock } from '../../src/testing/index.js';
import { fail, setup } from '../helpers.js';

async function validSnapshot(window?: { size: number } | { durationMs: number }): Promise<Record<string, unknown>> {
  const { breaker } = setup(window === undefined ? { failureThreshold: 3 } : { window, minimumCalls: 100 });
  await fail(breaker, 2);
  return JSON.parse(JSON.stringify(breaker.toJSON()));
}

const restore = (snapshot: unknown, window?: { size: number } | { durationMs: number }) => () =>
  createBreaker({ window, initialState: snapshot as BreakerSnapshot });

describe('malformed snapshots are a TypeError', () => {
  test.each([null, 'snapshot', 42, [], () => 1])('not an object: %p', (value) => {
    expect(restore(value)).toThrow(TypeError);
  });

  test.each([
    ['version', 2, /initialState\.version must be 1, got 2/],
    ['version', undefined, /version/],
    ['name', 1, /initialState\.name must be a string/],
    ['state', 'ajar', /initialState\.state must be one of/],
    ['savedAt', 'now', /savedAt/],
    ['savedAt', Number.NaN, /savedAt/],
    ['retryAfterMs', 100, /retryAfterMs must be null unless open/],
    ['attempt', 0, /attempt must be an integer >= 1/],
    ['attempt', 1.5, /attempt/],
    ['consecutiveFailures', -1, /consecutiveFailures/],
    ['totals', null, /totals must be an object/],
    ['window', undefined, /window must be an object/],
  ])('%s = %p', async (field, value, message) => {
    const snapshot = { ...(await validSnapshot()), [field]: value };
    expect(restore(snapshot)).toThrow(message);
    expect(restore(snapshot)).toThrow(TypeError);
  });

  test('open needs retryAfterMs >= 0', async () => {
    const open: Record<string, unknown> = { ...(await validSnapshot()), state: 'open' };
    expect(restore({ ...open, retryAfterMs: null })).toThrow(/a number >= 0 when open/);
    expect(restore({ ...open, retryAfterMs: -1 })).toThrow(TypeError);
    const clock = manualClock(open.savedAt as number);
    expect(createBreaker({ clock, initialState: { ...open, retryAfterMs: 5 } as BreakerSnapshot }).state).toBe('open');
  });

  test('a missing total', async () => {
    const snapshot = await validSnapshot();
    const totals = { ...(snapshot.totals as object), timeouts: undefined };
    expect(restore({ ...snapshot, totals })).toThrow(/initialState\.totals\.timeouts must be an integer >= 0/);
  });

  test('window shapes', async () => {
    const consecutive = await validSnapshot();
    const count = await validSnapshot({ size: 4 });
    const time = await validSnapshot({ durationMs: 1000 });
    const w = (s: Record<string, unknown>, patch: object) => ({ ...s, window: { ...(s.window as object), ...patch } });
    expect(restore(w(consecutive, { kind: 'ring' }))).toThrow(/window\.kind/);
    expect(restore(w(consecutive, { calls: -1 }))).toThrow(/window\.calls/);
    expect(restore(w(count, { outcomes: 'x' }), { size: 4 })).toThrow(/window\.outcomes must be an array/);
    expect(restore(w(count, { outcomes: [0, 1.5] }), { size: 4 })).toThrow(/window\.outcomes\[1\]/);
    expect(restore(w(count, { size: -4 }), { size: 4 })).toThrow(/window\.size/);
    expect(restore(w(time, { durationMs: 0 }), { durationMs: 1000 })).toThrow(/window\.durationMs must be a number > 0/);
    expect(restore(w(time, { slices: {} }), { durationMs: 1000 })).toThrow(/window\.slices must be an array/);
    expect(restore(w(time, { slices: [[0, 1, 1]] }), { durationMs: 1000 })).toThrow(/window\.slices\[0\] must be an array of 4/);
    expect(restore(w(time, { buckets: 'ten' }), { durationMs: 1000 })).toThrow(/window\.buckets/);
  });

  test('inconsistent window contents are dropped, the rest is restored', async () => {
    const count = await validSnapshot({ size: 4 });
    const time = await validSnapshot({ durationMs: 1000 });
    const consecutive = await validSnapshot();
    const w = (s: Record<string, unknown>, patch: object) => ({ ...s, window: { ...(s.window as object), ...patch } });
    const cases: [unknown, { size: number } | { durationMs: number } | undefined][] = [
      [w(count, { outcomes: [0, 7] }), { size: 4 }],
      [w(count, { outcomes: [0, 0, 0, 0, 0], size: 4 }), { size: 4 }],
      [w(time, { slices: [[10, 1, 0, 0]] }), { durationMs: 1000 }],
      [w(time, { slices: [[0, 1, 2, 0]] }), { durationMs: 1000 }],
      [w(time, { slices: [[0, 1, 0, 2]] }), { durationMs: 1000 }],
      [w(consecutive, { calls: 1, failures: 2 }), undefined],
      [w(consecutive, { calls: 1, slowCalls: 2 }), undefined],
    ];
    for (const [snapshot, window] of cases) {
      const breaker = restore(snapshot, window)();
      expect(breaker.stats()).toMatchObject({ window: { calls: 0 }, consecutiveFailures: 0, totals: { failures: 2 } });
    }
  });
});
