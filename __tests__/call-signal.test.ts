import { CallTimeoutError, createBreaker } from '../src/index.js';
import { manualClock } from '../src/testing/index.js';
import { boom, flush, setup } from './helpers.js';

describe('misbehaving platforms', () => {
  test('a clock whose clearTimeout does nothing: the timer firing after the call settled changes nothing', async () => {
    const base = manualClock();
    const breaker = createBreaker({ clock: { ...base, now: base.now, clearTimeout: () => {} }, timeoutMs: 10 });
    await expect(breaker.execute(() => 'ok')).resolves.toBe('ok');
    base.advance(10);
    expect(breaker.stats().totals).toMatchObject({ successes: 1, failures: 0, timeouts: 0 });
  });

  test('a signal whose removeEventListener does nothing: an abort after the call settled changes nothing', async () => {
    const { breaker } = setup();
    const controller = new AbortController();
    controller.signal.removeEventListener = () => {};
    await expect(breaker.execute(() => 'ok', { signal: controller.signal })).resolves.toBe('ok');
    controller.abort();
    expect(breaker.stats().totals).toMatchObject({ successes: 1, ignored: 0 });
  });
});

describe('the caller signal', () => {
  test('aborting rejects at once with its reason, aborts ctx.signal, and counts as ignored', async () => {
    const { clock, breaker } = setup({ timeoutMs: 1000 });
    const controller = new AbortController();
    let inner!: AbortSignal;
    const call = breaker.execute(
      (ctx) => {
        inner = ctx.signal;
        return new Promise(() => {});
      },
      { signal: controller.signal },
    );
    const reason = new Error('user gave up');
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
    expect(inner.aborted).toBe(true);
    expect(inner.reason).toBe(reason);
    expect(breaker.stats().totals).toMatchObject({ ignored: 1, failures: 0 });
    expect(clock.pending).toBe(0);
  });

  test('an already-aborted signal rejects without running fn or counting anything', async () => {
    const { breaker } = setup();
    const fn = jest.fn();
    const signal = AbortSignal.abort('stop');
    await expect(breaker.execute(fn, { signal })).rejects.toBe('stop');
    expect(fn).not.toHaveBeenCalled();
    expect(breaker.stats().totals).toEqual({ calls: 0, successes: 0, failures: 0, ignored: 0, rejected: 0, timeouts: 0 });
  });

  test('an abort in half-open frees the probe slot', async () => {
    const { clock, breaker } = setup({ failureThreshold: 1, resetTimeoutMs: 10 });
    await breaker.execute(() => Promise.reject(boom)).catch(() => undefined);
    clock.advance(10);
    const controller = new AbortController();
    const probe = breaker.execute(() => new Promise(() => {}), { signal: controller.signal });
    await expect(breaker.execute(() => 'x')).rejects.toMatchObject({ state: 'halfOpen' });
    controller.abort();
    await expect(probe).rejects.toMatchObject({ name: 'AbortError' });
    await expect(breaker.execute(() => 'x')).resolves.toBe('x');
    expect(breaker.state).toBe('closed');
  });

  test('a signal that aborts after the call settled changes nothing', async () => {
    const { breaker } = setup();
    const controller = new AbortController();
    await expect(breaker.execute(() => 'done', { signal: controller.signal })).resolves.toBe('done');
    controller.abort();
    await flush();
    expect(breaker.stats().totals).toMatchObject({ successes: 1, ignored: 0 });
  });

  test('a timeout after an abort does nothing; an abort after a timeout does nothing', async () => {
    const { clock, breaker } = setup({ timeoutMs: 10 });
    const c1 = new AbortController();
    const first = breaker.execute(() => new Promise(() => {}), { signal: c1.signal });
    c1.abort('stop');
    await expect(first).rejects.toBe('stop');
    clock.advance(10);
    const c2 = new AbortController();
    const second = breaker.execute(() => new Promise(() => {}), { signal: c2.signal });
    clock.advance(10);
    await expect(second).rejects.toBeInstanceOf(CallTimeoutError);
    c2.abort('late');
    await flush();
    expect(breaker.stats().totals).toMatchObject({ ignored: 1, timeouts: 1, failures: 1 });
  });
});

test("with a caller signal and no timeoutMs, the clock's clearTimeout is never called: no timer was set", async () => {
  const base = manualClock();
  const cleared: unknown[] = [];
  const clock = {
    now: () => base.now(),
    setTimeout: base.setTimeout.bind(base),
    clearTimeout: (t: unknown) => void cleared.push(t),
  };
  const breaker = createBreaker({ clock });
  await breaker.execute(() => 'ok', { signal: new AbortController().signal });
  await breaker.execute(() => Promise.reject(boom), { signal: new AbortController().signal }).catch(() => {});
  expect(cleared).toHaveLength(0);
});
