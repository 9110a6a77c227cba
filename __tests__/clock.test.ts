import { systemClock } from '../src/index.js';

describe('systemClock', () => {
  test('reads Date.now', () => {
    const spy = jest.spyOn(Date, 'now').mockReturnValue(123);
    try {
      expect(systemClock.now()).toBe(123);
    } finally {
      spy.mockRestore();
    }
  });

  test('its timers are unref’d and can be cleared', () => {
    const fn = jest.fn();
    const handle = systemClock.setTimeout(fn, 60_000) as NodeJS.Timeout;
    expect(handle.hasRef()).toBe(false);
    systemClock.clearTimeout(handle);
    expect(fn).not.toHaveBeenCalled();
  });

  test('tolerates a platform whose timer handle has no unref', () => {
    const spy = jest.spyOn(globalThis, 'setTimeout').mockReturnValue(7 as never);
    const clear = jest.spyOn(globalThis, 'clearTimeout').mockImplementation(() => {});
    try {
      expect(systemClock.setTimeout(() => {}, 5)).toBe(7);
      systemClock.clearTimeout(7);
      expect(clear).toHaveBeenCalledWith(7);
    } finally {
      spy.mockRestore();
      clear.mockRestore();
    }
  });

  test('is frozen', () => {
    expect(Object.isFrozen(systemClock)).toBe(true);
  });
});
