import { CircuitOpenError } from '../../src/index.js';
import { fail, recordEvents, setup, succeed, types } from '../helpers.js';

describe('open()', () => {
  test('opens for resetTimeoutMs by default, reason manual, then half-opens as usual', async () => {
    const { clock, breaker } = setup({ resetTimeoutMs: 500 });
    const seen = recordEvents(breaker);
    breaker.open();
    expect(seen).toEqual([
      ['open', { name: 'breaker', reason: 'manual', retryAfterMs: 500 }],
      ['stateChange', { name: 'breaker', from: 'closed', to: 'open' }],
    ]);
    clock.advance(500);
    expect(breaker.state).toBe('halfOpen');
    await succeed(breaker);
    expect(breaker.state).toBe('closed');
  });

  test('opens for durationMs when given', () => {
    const { clock, breaker } = setup({ resetTimeoutMs: 500 });
    breaker.open(5000);
    expect(breaker.stats().retryAfterMs).toBe(5000);
    clock.advance(4999);
    expect(breaker.state).toBe('open');
    clock.advance(1);
    expect(breaker.state).toBe('halfOpen');
  });

  test('open(0) is due at once', () => {
    const { breaker } = setup();
    breaker.open(0);
    expect(breaker.state).toBe('halfOpen');
  });

  test('open() while open re-arms: emits open again, no stateChange', () => {
    const { clock, breaker } = setup({ resetTimeoutMs: 100 });
    breaker.open();
    clock.advance(60);
    const seen = recordEvents(breaker);
    breaker.open();
    expect(types(seen)).toEqual(['open']);
    expect(breaker.stats().retryAfterMs).toBe(100);
  });

  test('rejects a bad duration', () => {
    const { breaker } = setup();
    expect(() => breaker.open(-1)).toThrow(RangeError);
    expect(() => breaker.open(Number.POSITIVE_INFINITY)).toThrow(/durationMs/);
    expect(() => breaker.open('5' as unknown as number)).toThrow(TypeError);
    expect(breaker.state).toBe('closed');
  });
});

describe('isolate()', () => {
  test('rejects everything, retryAfterMs Infinity, until close()', async () => {
    const { clock, breaker } = setup({ name: 'pay' });
    const seen = recordEvents(breaker);
    breaker.isolate();
    clock.advance(10 ** 9);
    const error = await breaker.execute(() => 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(error).toMatchObject({ state: 'isolated', retryAfterMs: Number.POSITIVE_INFINITY });
    expect(breaker.stats().retryAfterMs).toBe(Number.POSITIVE_INFINITY);
    breaker.isolate();
    breaker.close();
    expect(seen.map(([t, e]) => [t, e])).toEqual([
      ['isolate', { name: 'pay' }],
      ['stateChange', { name: 'pay', from: 'closed', to: 'isolated' }],
      ['reject', { name: 'pay', state: 'isolated', retryAfterMs: Number.POSITIVE_INFINITY }],
      ['close', { name: 'pay', reason: 'manual' }],
      ['stateChange', { name: 'pay', from: 'isolated', to: 'closed' }],
    ]);
    await succeed(breaker);
  });
});

describe('disable()', () => {
  test('lets everything through, keeps counting, never changes state until close()', async () => {
    const { breaker } = setup({ failureThreshold: 1 });
    const seen = recordEvents(breaker);
    breaker.disable();
    await fail(breaker, 5);
    expect(breaker.state).toBe('disabled');
    expect(breaker.stats()).toMatchObject({ retryAfterMs: 0, consecutiveFailures: 5 });
    expect(breaker.stats().window).toMatchObject({ calls: 5, failures: 5 });
    breaker.disable();
    breaker.close();
    expect(types(seen)).toEqual(['disable', 'stateChange', ...Array(5).fill('failure'), 'close', 'stateChange']);
    expect(breaker.stats().window.calls).toBe(0);
  });

  test('disable() from open lets calls through at once', async () => {
    const { breaker } = setup({ failureThreshold: 1 });
    await fail(breaker);
    breaker.disable();
    await expect(breaker.execute(() => 'ok')).resolves.toBe('ok');
  });
});

describe('close()', () => {
  test('a halfOpen listener that closes or disables the breaker lets the observing call through', async () => {
    for (const act of ['close', 'disable'] as const) {
      const { clock, breaker } = setup({ failureThreshold: 1, resetTimeoutMs: 10 });
      await fail(breaker);
      breaker.on('halfOpen', () => breaker[act]());
      clock.advance(10);
      await expect(breaker.execute(() => 'ran')).resolves.toBe('ran');
      expect(breaker.state).toBe(act === 'close' ? 'closed' : 'disabled');
    }
  });

  test('closes from open, resetting attempt', async () => {
    const attempts: number[] = [];
    const { clock, breaker } = setup({
      failureThreshold: 1,
      resetTimeoutMs: (a) => {
        attempts.push(a);
        return 10;
      },
    });
    await fail(breaker);
    clock.advance(10);
    await fail(breaker);
    breaker.close();
    expect(breaker.state).toBe('closed');
    await fail(breaker);
    expect(attempts).toEqual([1, 1, 2, 1]);
  });

  test('on a closed breaker resets window and run, emitting nothing', async () => {
    const { breaker } = setup({ failureThreshold: 3 });
    await fail(breaker, 2);
    const seen = recordEvents(breaker);
    breaker.close();
    expect(seen).toEqual([]);
    expect(breaker.stats()).toMatchObject({ consecutiveFailures: 0, window: { calls: 0 } });
    await fail(breaker, 2);
    expect(breaker.state).toBe('closed');
  });

  test('from half-open, with probes running', async () => {
    const { clock, breaker } = setup({ failureThreshold: 1, resetTimeoutMs: 10 });
    await fail(breaker);
    clock.advance(10);
    const permit = breaker.acquire();
    breaker.close();
    permit.failure();
    expect(breaker.state).toBe('closed');
  });
});
