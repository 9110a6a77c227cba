import { boom, fail, flush, setup } from '../helpers.js';

describe('ignored outcomes', () => {
  test('an error for which isFailure returns false is rethrown and counted as neither', async () => {
    const ignored = new Error('not found');
    const { breaker } = setup({ failureThreshold: 1, isFailure: (e) => e !== ignored });
    await expect(breaker.execute(() => Promise.reject(ignored))).rejects.toBe(ignored);
    expect(breaker.state).toBe('closed');
    expect(breaker.stats().totals).toMatchObject({ calls: 1, ignored: 1, failures: 0, successes: 0 });
    expect(breaker.stats().window.calls).toBe(0);
  });

  test('an ignored error does not break a run of failures', async () => {
    const { breaker } = setup({ failureThreshold: 2, isFailure: (e) => e === boom });
    await fail(breaker);
    await breaker.execute(() => Promise.reject(new Error('other'))).catch(() => undefined);
    expect(breaker.stats().consecutiveFailures).toBe(1);
    await fail(breaker);
    expect(breaker.state).toBe('open');
  });

  test('isFailure receives the error, including a synchronous throw', async () => {
    const isFailure = jest.fn(() => true);
    const { breaker } = setup({ isFailure });
    await breaker
      .execute(() => {
        throw boom;
      })
      .catch(() => undefined);
    expect(isFailure).toHaveBeenCalledWith(boom);
  });

  test('a throwing isFailure counts the call as a failure and reports callbackError', async () => {
    const oops = new Error('predicate');
    const { breaker } = setup({
      failureThreshold: 1,
      isFailure: () => {
        throw oops;
      },
    });
    const reported: unknown[] = [];
    breaker.on('callbackError', (e) => reported.push(e));
    await expect(breaker.execute(() => Promise.reject(boom))).rejects.toBe(boom);
    expect(breaker.state).toBe('open');
    expect(reported).toEqual([{ name: 'breaker', error: oops, callback: 'isFailure' }]);
  });
});

describe('result failures', () => {
  test('a value for which isResultFailure returns true is a failure; the caller still gets it', async () => {
    const { breaker } = setup({ failureThreshold: 2, isResultFailure: (r) => (r as { status: number }).status >= 500 });
    const failures: unknown[] = [];
    breaker.on('failure', (e) => failures.push(e.error));
    const bad = { status: 503 };
    await expect(breaker.execute(() => bad)).resolves.toBe(bad);
    await expect(breaker.execute(() => ({ status: 200 }))).resolves.toEqual({ status: 200 });
    await breaker.execute(() => bad);
    expect(breaker.state).toBe('closed');
    await breaker.execute(() => bad);
    expect(breaker.state).toBe('open');
    expect(failures).toEqual([bad, bad, bad]);
    expect(breaker.stats().totals).toMatchObject({ failures: 3, successes: 1 });
  });

  test('a throwing isResultFailure counts the call as a success and reports callbackError', async () => {
    const oops = new Error('predicate');
    const { breaker } = setup({
      failureThreshold: 1,
      isResultFailure: () => {
        throw oops;
      },
    });
    const reported: unknown[] = [];
    breaker.on('callbackError', (e) => reported.push(e));
    await expect(breaker.execute(() => 'value')).resolves.toBe('value');
    expect(breaker.stats().totals.successes).toBe(1);
    expect(reported).toEqual([{ name: 'breaker', error: oops, callback: 'isResultFailure' }]);
  });
});

describe('permits', () => {
  test('acquire counts the call; success, failure and ignore each count once', () => {
    const { breaker } = setup({ failureThreshold: 3 });
    const p1 = breaker.acquire();
    const p2 = breaker.acquire();
    const p3 = breaker.acquire();
    expect(breaker.stats().inFlight).toBe(3);
    p1.success();
    p1.failure();
    p2.failure(boom);
    p2.ignore();
    p3.ignore();
    p3.success();
    expect(breaker.stats()).toMatchObject({ inFlight: 0, consecutiveFailures: 1 });
    expect(breaker.stats().totals).toMatchObject({ calls: 3, successes: 1, failures: 1, ignored: 1 });
  });

  test('failure() with no argument skips isFailure; with one, isFailure decides', () => {
    const isFailure = jest.fn(() => false);
    const { breaker } = setup({ failureThreshold: 1, isFailure });
    breaker.acquire().failure(boom);
    expect(isFailure).toHaveBeenCalledWith(boom);
    expect(breaker.state).toBe('closed');
    expect(breaker.stats().totals.ignored).toBe(1);
    breaker.acquire().failure();
    expect(isFailure).toHaveBeenCalledTimes(1);
    expect(breaker.state).toBe('open');
  });

  test('failure(undefined) still consults isFailure', () => {
    const isFailure = jest.fn(() => false);
    const { breaker } = setup({ isFailure });
    breaker.acquire().failure(undefined);
    expect(isFailure).toHaveBeenCalledWith(undefined);
  });

  test('acquire throws CircuitOpenError when open and counts the rejection', async () => {
    const { breaker } = setup({ failureThreshold: 1 });
    await fail(breaker);
    expect(() => breaker.acquire()).toThrow(expect.objectContaining({ code: 'ERR_CIRCUIT_OPEN', state: 'open' }));
    expect(breaker.stats().totals.rejected).toBe(1);
  });

  test('permits measure their duration for slow calls', () => {
    const { clock, breaker } = setup({ window: { size: 2 }, slowCallDurationMs: 10, minimumCalls: 5 });
    const permit = breaker.acquire();
    clock.advance(10);
    permit.success();
    expect(breaker.stats().window.slowCalls).toBe(1);
  });
});

describe('sync and thenable results', () => {
  test('a synchronous value or a thenable counts as a success', async () => {
    const { breaker } = setup();
    await expect(breaker.execute(() => 42)).resolves.toBe(42);
    // biome-ignore lint/suspicious/noThenProperty: a thenable that is not a Promise, on purpose
    const thenable = { then: (resolve: (v: string) => void) => resolve('then') } as PromiseLike<string>;
    await expect(breaker.execute(() => thenable)).resolves.toBe('then');
    await flush();
    expect(breaker.stats().totals.successes).toBe(2);
  });

  test('the state is up to date by the time the caller sees the result', async () => {
    const { breaker } = setup({ failureThreshold: 1 });
    await breaker.execute(() => Promise.reject(boom)).catch(() => expect(breaker.state).toBe('open'));
    expect.assertions(1);
  });
});
