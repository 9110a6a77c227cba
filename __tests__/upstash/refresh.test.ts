import { calledHook, dueAfter, type Paced, reportSlot, stopAll, type Timers } from '../../src/stores/upstash/refresh.js';

const paced = (): Paced => ({ due: true, nextAt: 0, calls: 0, reportAt: 0 });

describe('the refresh pacing', () => {
  it('a call starts a read when due, then none until the period is over', () => {
    let now = 1000;
    let reads = 0;
    const entry = paced();
    const called = calledHook(
      entry,
      500,
      () => reads++,
      () => now,
    );
    called();
    expect(reads).toBe(1);
    for (let i = 0; i < 200; i++) called();
    expect(reads).toBe(1);
    // The timer marks it due: the next call reads.
    entry.due = true;
    called();
    expect(reads).toBe(2);
    expect(entry.nextAt).toBe(1500);
    now = 1200;
    for (let i = 0; i < 200; i++) called();
    expect(reads).toBe(2);
  });

  it('without its timer (a platform that dropped it), every 64th call checks the clock', () => {
    let now = 0;
    let reads = 0;
    const entry = paced();
    const called = calledHook(
      entry,
      100,
      () => reads++,
      () => now,
    );
    called();
    now = 1000; // the period is long over, but no timer marked the breaker due
    for (let i = 0; i < 63; i++) called();
    expect(reads).toBe(1);
    called();
    expect(reads).toBe(2);
  });

  it('dueAfter marks the breaker due; stopAll ends every timer and resolves its promise', async () => {
    const timers: Timers = new Map();
    const entry = { ...paced(), due: false };
    await dueAfter(entry, 1, timers);
    expect(entry.due).toBe(true);
    entry.due = false;
    const waiting = dueAfter(entry, 60_000, timers);
    const slot = reportSlot({ ...paced(), reportAt: 1e9 }, 60_000, timers);
    expect(timers.size).toBe(2);
    stopAll(timers);
    await Promise.all([waiting, slot]);
    expect(timers.size).toBe(0);
    expect(entry.due).toBe(false);
  });

  it('reports go out at once, then at most one per period', async () => {
    const timers: Timers = new Map();
    const entry = paced();
    let now = 0;
    await reportSlot(entry, 1000, timers, () => now);
    expect(entry.reportAt).toBe(1000);
    now = 10;
    const next = reportSlot(entry, 1000, timers, () => now);
    expect(entry.reportAt).toBe(2000);
    expect(timers.size).toBe(1);
    stopAll(timers);
    await next;
  });
});
