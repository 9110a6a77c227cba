import { type Clock, createBreaker } from '../src/index.js';
import { manualClock } from '../src/testing/index.js';
import { boom, setup, succeed } from './helpers.js';

/** A manual clock that counts how often it is read. */
function countingClock() {
  const base = manualClock();
  const clock: Clock & { reads: number } = {
    reads: 0,
    now() {
      clock.reads++;
      return base.now();
    },
    setTimeout: base.setTimeout,
    clearTimeout: base.clearTimeout,
  };
  return { clock, base };
}

describe('throwing listeners', () => {
  test('never change the result or state, never stop other listeners, and are reported', async () => {
    const { breaker } = setup({ failureThreshold: 1 });
    const oops = new Error('listener');
    const reported: unknown[] = [];
    const after = jest.fn();
    const wild = jest.fn();
    breaker.on('failure', () => {
      throw oops;
    });
    breaker.on('open', () => {
      throw oops;
    });
    breaker.on('failure', after);
    breaker.on('*', wild);
    breaker.on('callbackError', (e) => reported.push(e));
    await expect(breaker.execute(() => Promise.reject(boom))).rejects.toBe(boom);
    expect(breaker.state).toBe('open');
    expect(after).toHaveBeenCalled();
    expect(wild.mock.calls.map(([type]) => type)).toEqual(['failure', 'open', 'stateChange']);
    expect(reported).toEqual([
      { name: 'breaker', error: oops, callback: 'listener' },
      { name: 'breaker', error: oops, callback: 'listener' },
    ]);
    const ok = setup({ name: 'ok' }).breaker;
    ok.on('success', () => {
      throw oops;
    });
    ok.on('callbackError', () => {});
    await expect(ok.execute(() => 'value')).resolves.toBe('value');
  });

  test('a throwing wildcard listener is reported too', async () => {
    const { breaker } = setup();
    const oops = new Error('wild');
    const reported: unknown[] = [];
    breaker.on('*', (type) => {
      if (type === 'success') throw oops;
    });
    breaker.on('callbackError', (e) => reported.push(e.error));
    await expect(breaker.execute(() => 'value')).resolves.toBe('value');
    expect(reported).toEqual([oops]);
  });

  test('with no callbackError listener the error becomes a process warning, never a crash', async () => {
    const spy = jest.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      const { breaker } = setup();
      breaker.on('success', () => {
        throw new Error('listener');
      });
      await expect(breaker.execute(() => 'value')).resolves.toBe('value');
      expect(spy).toHaveBeenCalledTimes(1);
      expect(String(spy.mock.calls[0]?.[0])).toMatch(/the listener callback of breaker .* threw: Error: listener/);
    } finally {
      spy.mockRestore();
    }
  });

  test('a throwing callbackError listener becomes a process warning, not reported again', async () => {
    const spy = jest.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      const { breaker } = setup();
      const reporter = jest.fn(() => {
        throw new Error('second');
      });
      breaker.on('success', () => {
        throw new Error('first');
      });
      breaker.on('callbackError', reporter);
      await succeed(breaker);
      expect(reporter).toHaveBeenCalledTimes(1);
      expect(spy).toHaveBeenCalledTimes(1);
      expect(String(spy.mock.calls[0]?.[0])).toMatch(/threw: Error: second/);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('the hot path pays only for what is used', () => {
  test('no time is read for a call nobody measures', async () => {
    const { clock } = countingClock();
    const breaker = createBreaker({ clock });
    clock.reads = 0;
    await breaker.execute(() => 'ok');
    await breaker.execute(() => Promise.reject(boom)).catch(() => undefined);
    expect(clock.reads).toBe(0);
    breaker.on('success', () => {});
    await breaker.execute(() => 'ok');
    expect(clock.reads).toBe(2);
  });

  test('listening to other events does not make calls read the time', async () => {
    const { clock } = countingClock();
    const breaker = createBreaker({ clock });
    breaker.on('open', () => {});
    breaker.on('ignore', () => {});
    clock.reads = 0;
    await breaker.execute(() => 'ok');
    expect(clock.reads).toBe(0);
    const unsubscribe = breaker.on('failure', () => {});
    await breaker.execute(() => 'ok');
    expect(clock.reads).toBe(2);
    unsubscribe();
    await breaker.execute(() => 'ok');
    expect(clock.reads).toBe(2);
  });

  test('slowCallDurationMs needs the time even with no listener', async () => {
    const { clock } = countingClock();
    const breaker = createBreaker({ clock, slowCallDurationMs: 100 });
    clock.reads = 0;
    await breaker.execute(() => 'ok');
    expect(clock.reads).toBe(2);
  });
});
