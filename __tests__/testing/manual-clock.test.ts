import { manualClock } from '../../src/testing/index.js';

describe('manualClock', () => {
  test('starts at startMs (default 0) and moves only when told', () => {
    expect(manualClock().now()).toBe(0);
    const clock = manualClock(1_000);
    expect(clock.now()).toBe(1_000);
    clock.advance(250);
    expect(clock.now()).toBe(1_250);
    clock.set(5_000);
    expect(clock.now()).toBe(5_000);
  });

  test('advance runs due timers in order, each seeing its own time', () => {
    const clock = manualClock();
    const ran: [string, number][] = [];
    clock.setTimeout(() => ran.push(['b', clock.now()]), 20);
    clock.setTimeout(() => ran.push(['a', clock.now()]), 10);
    clock.setTimeout(() => ran.push(['c', clock.now()]), 20);
    clock.setTimeout(() => ran.push(['late', clock.now()]), 31);
    expect(clock.pending).toBe(4);
    clock.advance(30);
    expect(ran).toEqual([
      ['a', 10],
      ['b', 20],
      ['c', 20],
    ]);
    expect(clock.now()).toBe(30);
    expect(clock.pending).toBe(1);
    clock.advance(1);
    expect(ran.at(-1)).toEqual(['late', 31]);
    expect(clock.pending).toBe(0);
  });

  test('timers scheduled inside callbacks run in the same advance when due', () => {
    const clock = manualClock();
    const ran: number[] = [];
    clock.setTimeout(() => {
      ran.push(clock.now());
      clock.setTimeout(() => ran.push(clock.now()), 5);
      clock.setTimeout(() => ran.push(clock.now()), 50);
    }, 10);
    clock.advance(20);
    expect(ran).toEqual([10, 15]);
    clock.advance(40);
    expect(ran).toEqual([10, 15, 60]);
  });

  test('a timer of 0, negative or NaN ms runs at the next advance, even advance(0)', () => {
    const clock = manualClock(100);
    const ran: string[] = [];
    clock.setTimeout(() => ran.push('zero'), 0);
    clock.setTimeout(() => ran.push('negative'), -5);
    clock.setTimeout(() => ran.push('nan'), Number.NaN);
    expect(ran).toEqual([]);
    clock.advance(0);
    expect(ran).toEqual(['zero', 'negative', 'nan']);
    expect(clock.now()).toBe(100);
  });

  test('set runs due timers and may go backwards without running any', () => {
    const clock = manualClock(1000);
    const ran: number[] = [];
    clock.setTimeout(() => ran.push(clock.now()), 100);
    clock.set(500);
    expect(clock.now()).toBe(500);
    expect(ran).toEqual([]);
    clock.set(1100);
    expect(ran).toEqual([1100]);
  });

  test('clearTimeout cancels; unknown handles are ignored', () => {
    const clock = manualClock();
    const fn = jest.fn();
    const handle = clock.setTimeout(fn, 10);
    clock.clearTimeout(handle);
    clock.clearTimeout(handle);
    clock.clearTimeout('nope');
    clock.clearTimeout(undefined);
    expect(clock.pending).toBe(0);
    clock.advance(100);
    expect(fn).not.toHaveBeenCalled();
  });

  test('a callback may clear a timer due at the same time', () => {
    const clock = manualClock();
    const second = jest.fn();
    let handle: unknown;
    clock.setTimeout(() => clock.clearTimeout(handle), 10);
    handle = clock.setTimeout(second, 10);
    clock.advance(10);
    expect(second).not.toHaveBeenCalled();
  });

  test('bad input', () => {
    expect(() => manualClock(Number.NaN)).toThrow(TypeError);
    expect(() => manualClock('0' as never)).toThrow(/startMs must be a finite number, got 0/);
    const clock = manualClock();
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(() => clock.advance(Number.NaN)).toThrow(TypeError);
    expect(() => clock.advance(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => clock.set(Number.POSITIVE_INFINITY)).toThrow(/ms must be a finite number/);
    expect(() => clock.set('5' as never)).toThrow(TypeError);
    expect(() => clock.setTimeout('code' as never, 5)).toThrow(/callback must be a function/);
    expect(clock.now()).toBe(0);
  });
});
