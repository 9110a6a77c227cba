import { boom, deferred, fail, recordEvents, setup, succeed } from './helpers.js';

describe('event payloads and order', () => {
  test('a failing call that trips the breaker: failure, open, stateChange', async () => {
    const { clock, breaker } = setup({ name: 'db', failureThreshold: 1, resetTimeoutMs: 500 });
    const seen = recordEvents(breaker);
    const gate = deferred<never>();
    const call = breaker.execute(() => gate.promise);
    clock.advance(30);
    gate.reject(boom);
    await call.catch(() => undefined);
    expect(seen).toEqual([
      ['failure', { name: 'db', error: boom, durationMs: 30 }],
      ['open', { name: 'db', reason: 'failures', retryAfterMs: 500 }],
      ['stateChange', { name: 'db', from: 'closed', to: 'open' }],
    ]);
  });

  test('reject, halfOpen, success, close', async () => {
    const { clock, breaker } = setup({ name: 'db', failureThreshold: 1, resetTimeoutMs: 500 });
    await fail(breaker);
    const seen = recordEvents(breaker);
    clock.advance(200);
    await breaker.execute(() => 1).catch(() => undefined);
    clock.advance(300);
    await succeed(breaker);
    expect(seen).toEqual([
      ['reject', { name: 'db', state: 'open', retryAfterMs: 300 }],
      ['halfOpen', { name: 'db' }],
      ['stateChange', { name: 'db', from: 'open', to: 'halfOpen' }],
      ['success', { name: 'db', durationMs: 0 }],
      ['close', { name: 'db', reason: 'probesSucceeded' }],
      ['stateChange', { name: 'db', from: 'halfOpen', to: 'closed' }],
    ]);
  });

  test('timeout comes before its failure', async () => {
    const { clock, breaker } = setup({ timeoutMs: 20 });
    const seen = recordEvents(breaker);
    const call = breaker.execute(() => new Promise(() => {}));
    clock.advance(20);
    const error = await call.catch((e: unknown) => e);
    expect(seen).toEqual([
      ['timeout', { name: 'breaker', timeoutMs: 20 }],
      ['failure', { name: 'breaker', error, durationMs: 20 }],
    ]);
  });

  test('ignore, isolate, disable', async () => {
    const { breaker } = setup({ isFailure: () => false });
    const seen = recordEvents(breaker);
    await breaker.execute(() => Promise.reject(boom)).catch(() => undefined);
    breaker.isolate();
    breaker.disable();
    expect(seen).toEqual([
      ['ignore', { name: 'breaker', error: boom }],
      ['isolate', { name: 'breaker' }],
      ['stateChange', { name: 'breaker', from: 'closed', to: 'isolated' }],
      ['disable', { name: 'breaker' }],
      ['stateChange', { name: 'breaker', from: 'isolated', to: 'disabled' }],
    ]);
  });

  test('reject from acquire and from a half-open breaker', async () => {
    const { clock, breaker } = setup({ failureThreshold: 1, resetTimeoutMs: 100 });
    await fail(breaker);
    clock.advance(100);
    breaker.acquire();
    const rejects: unknown[] = [];
    breaker.on('reject', (e) => rejects.push(e));
    expect(() => breaker.acquire()).toThrow();
    expect(rejects).toEqual([{ name: 'breaker', state: 'halfOpen', retryAfterMs: 100 }]);
  });
});

describe('subscribing', () => {
  test('on returns its unsubscribe function; off removes a handler', async () => {
    const { breaker } = setup();
    const a = jest.fn();
    const b = jest.fn();
    const unsubscribe = breaker.on('success', a);
    breaker.on('success', b);
    await succeed(breaker);
    unsubscribe();
    breaker.off('success', b);
    await succeed(breaker);
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).toHaveBeenCalledTimes(1);
    const wild = jest.fn();
    breaker.on('*', wild);
    breaker.off('*', wild);
    await succeed(breaker);
    expect(wild).not.toHaveBeenCalled();
  });

  test("'*' receives every event with its type, after the typed listeners", async () => {
    const { breaker } = setup({ failureThreshold: 1 });
    const order: string[] = [];
    breaker.on('*', (type) => order.push(`*:${type}`));
    breaker.on('failure', () => order.push('failure'));
    await fail(breaker);
    expect(order).toEqual(['failure', '*:failure', '*:open', '*:stateChange']);
  });

  test('bad event types and handlers are a TypeError', () => {
    const { breaker } = setup();
    expect(() => breaker.on('opened' as never, () => {})).toThrow(/event type must be one of .*got "opened"/);
    expect(() => breaker.on('open', 'handler' as never)).toThrow(/listener for 'open' must be a function/);
    expect(() => breaker.off('nope' as never, () => {})).toThrow(TypeError);
  });

  test('a listener that subscribes or unsubscribes while an event is dispatched', async () => {
    const { breaker } = setup();
    const late = jest.fn();
    const once = jest.fn(() => {
      unsubscribe();
      breaker.on('success', late);
    });
    const unsubscribe = breaker.on('success', once);
    await succeed(breaker, 2);
    expect(once).toHaveBeenCalledTimes(1);
    expect(late).toHaveBeenCalledTimes(1);
  });
});
