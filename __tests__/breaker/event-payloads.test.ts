import { boom, deferred, fail, recordEvents, setup, succeed } from '../helpers.js';

// Each event carries exactly the keys of its type: no key set to undefined (a listener that
// spreads or serialises a payload sees every key).
describe('event payloads hold exactly their own keys', () => {
  test('open, halfOpen, close and stateChange', async () => {
    const { clock, breaker } = setup({ name: 'db', failureThreshold: 1, resetTimeoutMs: 100 });
    const seen = recordEvents(breaker);
    await fail(breaker);
    clock.advance(100);
    expect(breaker.state).toBe('halfOpen');
    await succeed(breaker);
    expect(seen.filter(([type]) => type !== 'failure' && type !== 'success')).toStrictEqual([
      ['open', { name: 'db', reason: 'failures', retryAfterMs: 100 }],
      ['stateChange', { name: 'db', from: 'closed', to: 'open' }],
      ['halfOpen', { name: 'db' }],
      ['stateChange', { name: 'db', from: 'open', to: 'halfOpen' }],
      ['close', { name: 'db', reason: 'probesSucceeded' }],
      ['stateChange', { name: 'db', from: 'halfOpen', to: 'closed' }],
    ]);
  });

  test('isolate, disable and a manual close', () => {
    const { breaker } = setup({ name: 'db' });
    const seen = recordEvents(breaker);
    breaker.isolate();
    breaker.disable();
    breaker.close();
    expect(seen).toStrictEqual([
      ['isolate', { name: 'db' }],
      ['stateChange', { name: 'db', from: 'closed', to: 'isolated' }],
      ['disable', { name: 'db' }],
      ['stateChange', { name: 'db', from: 'isolated', to: 'disabled' }],
      ['close', { name: 'db', reason: 'manual' }],
      ['stateChange', { name: 'db', from: 'disabled', to: 'closed' }],
    ]);
  });

  test('success, failure, ignore, timeout and reject', async () => {
    const { clock, breaker } = setup({
      name: 'db',
      failureThreshold: 3,
      timeoutMs: 50,
      isFailure: (error) => error !== 'ignored',
    });
    const seen = recordEvents(breaker);
    await breaker.execute(() => 'ok');
    await breaker.execute(() => Promise.reject(boom)).catch(() => undefined);
    await breaker.execute(() => Promise.reject('ignored')).catch(() => undefined);
    const hanging = breaker.execute(() => new Promise(() => {}));
    clock.advance(50);
    const timeout = await hanging.catch((error: unknown) => error);
    await breaker.execute(() => Promise.reject(boom)).catch(() => undefined);
    await breaker.execute(() => 'never').catch(() => undefined);
    expect(seen).toStrictEqual([
      ['success', { name: 'db', durationMs: 0 }],
      ['failure', { name: 'db', error: boom, durationMs: 0 }],
      ['ignore', { name: 'db', error: 'ignored' }],
      ['timeout', { name: 'db', timeoutMs: 50 }],
      ['failure', { name: 'db', error: timeout, durationMs: 50 }],
      ['failure', { name: 'db', error: boom, durationMs: 0 }],
      ['open', { name: 'db', reason: 'failures', retryAfterMs: 30_000 }],
      ['stateChange', { name: 'db', from: 'closed', to: 'open' }],
      ['reject', { name: 'db', state: 'open', retryAfterMs: 30_000 }],
    ]);
  });
});

describe('a listener added while a call is in flight', () => {
  // The call started with no one listening, so its start time was not read: its duration is 0.
  test('receives that call’s success, with durationMs 0', async () => {
    const { clock, breaker } = setup();
    const gate = deferred<string>();
    const call = breaker.execute(() => gate.promise);
    const successes: unknown[] = [];
    breaker.on('success', (event) => successes.push(event));
    clock.advance(40);
    gate.resolve('ok');
    await call;
    expect(successes).toStrictEqual([{ name: 'breaker', durationMs: 0 }]);
    expect(breaker.stats().totals).toMatchObject({ calls: 1, successes: 1 });
  });

  test('receives that call’s failure, with durationMs 0', async () => {
    const { clock, breaker } = setup();
    const gate = deferred<string>();
    const call = breaker.execute(() => gate.promise);
    const failures: unknown[] = [];
    breaker.on('failure', (event) => failures.push(event));
    clock.advance(40);
    gate.reject(boom);
    await call.catch(() => undefined);
    expect(failures).toStrictEqual([{ name: 'breaker', error: boom, durationMs: 0 }]);
  });

  test('a permit acquired before the listener reports durationMs 0', () => {
    const { clock, breaker } = setup();
    const permit = breaker.acquire();
    const successes: unknown[] = [];
    breaker.on('success', (event) => successes.push(event));
    clock.advance(40);
    permit.success();
    expect(successes).toStrictEqual([{ name: 'breaker', durationMs: 0 }]);
  });
});
