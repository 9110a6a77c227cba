import { type BreakerEvents, createBreaker, createRegistry } from '../../src/index.js';
import { manualClock, memoryStore } from '../../src/testing/index.js';
import { deferred, fail, recordEvents, setup, succeed } from '../helpers.js';

/** The error a function throws, or undefined. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('breaker.configure', () => {
  test('checks the options as creation does, with the same errors', () => {
    const bad: Record<string, unknown>[] = [
      { failureThreshold: 0 },
      { failureThreshold: 'x' },
      { rampUpMs: -5 },
      { halfOpenPolicy: 'rate' },
      { halfOpenPolicy: 'some' },
      { healthCheck: 5 },
      { healthCheckIntervalMs: Number.POSITIVE_INFINITY },
      { timeoutMs: 2 ** 31 },
      { failureRateThreshold: 0.5 },
      { window: { size: 0 } },
      { window: { size: 3 }, failureThreshold: 2 },
      { resetTimeoutMs: 'soon' },
      { typo: 1 },
    ];
    for (const options of bad) {
      const atCreation = thrown(() => createBreaker(options as never));
      expect(atCreation).toBeInstanceOf(Error);
      const breaker = createBreaker();
      const live = thrown(() => breaker.configure(options as never));
      expect([options, live]).toEqual([options, atCreation]);
      expect((live as Error).constructor).toBe((atCreation as Error).constructor);
    }
    expect(thrown(() => createBreaker().configure('fast' as never))).toEqual(thrown(() => createBreaker('fast' as never)));
  });

  test('name, store, clock and initialState cannot be changed: a TypeError naming the option', () => {
    const clock = manualClock();
    const breaker = createBreaker({ name: 'db', clock });
    for (const [key, value] of [
      ['name', 'other'],
      ['store', memoryStore()],
      ['clock', manualClock()],
      ['initialState', breaker.toJSON()],
    ] as const) {
      expect(() => breaker.configure({ [key]: value } as never)).toThrow(
        new TypeError(`${key} cannot be changed by configure: it is fixed when the breaker is made`),
      );
    }
    // The same value is no change; undefined is not given.
    expect(() => breaker.configure({ name: 'db', clock, store: undefined } as never)).not.toThrow();
  });

  test('nothing changes when a check fails', async () => {
    const { breaker } = setup({ failureThreshold: 2 });
    const seen = recordEvents(breaker);
    expect(() => breaker.configure({ failureThreshold: 1, rampUpMs: -1 })).toThrow(RangeError);
    await fail(breaker);
    expect(breaker.state).toBe('closed');
    expect(seen.map(([type]) => type)).not.toContain('configure');
  });

  test("keeps the state and the window; emits 'configure' with the options changed", async () => {
    const { breaker } = setup({ window: { size: 10 }, minimumCalls: 4, failureRateThreshold: 0.5 });
    await fail(breaker, 1);
    await succeed(breaker, 2);
    const events: BreakerEvents['configure'][] = [];
    breaker.on('configure', (event) => events.push(event));
    breaker.configure({ minimumCalls: 4, failureRateThreshold: 0.25, rampUpMs: 1000 });
    expect(events).toEqual([{ name: 'breaker', options: { failureRateThreshold: 0.25, rampUpMs: 1000 } }]);
    expect(breaker.stats().window).toMatchObject({ calls: 3, failures: 1 });
    // 1 failure in 4 reaches the new threshold.
    await succeed(breaker);
    expect(breaker.state).toBe('open');
    breaker.configure({ rampUpMs: 1000 });
    expect(events).toHaveLength(1);
    expect(breaker.state).toBe('open');
  });

  test('a change of window kind or size starts an empty window', async () => {
    const { breaker } = setup({ window: { size: 10 } });
    await fail(breaker, 2);
    breaker.configure({ window: { size: 10 } });
    expect(breaker.stats().window.calls).toBe(2);
    breaker.configure({ window: { size: 20 } });
    expect(breaker.stats().window.calls).toBe(0);
    await fail(breaker, 1);
    breaker.configure({ window: { durationMs: 1000 } });
    expect(breaker.stats().window.calls).toBe(0);
  });

  test('the mode given wins: window leaves consecutive mode, failureThreshold leaves rate mode', async () => {
    const { breaker } = setup({ failureThreshold: 2 });
    await fail(breaker);
    expect(breaker.stats().consecutiveFailures).toBe(1);
    breaker.configure({ window: { size: 4 }, minimumCalls: 2, halfOpenPolicy: 'rate' });
    expect(breaker.stats().consecutiveFailures).toBe(0);
    await fail(breaker, 2);
    expect(breaker.state).toBe('open');
    breaker.close();
    const seen: unknown[] = [];
    breaker.on('configure', ({ options }) => seen.push(options));
    breaker.configure({ failureThreshold: 3 });
    expect(seen).toEqual([
      {
        failureThreshold: 3,
        window: undefined,
        minimumCalls: undefined,
        halfOpenPolicy: undefined,
        failureRateThreshold: undefined,
        slowCallRateThreshold: undefined,
      },
    ]);
    await fail(breaker, 2);
    expect(breaker.state).toBe('closed');
    await fail(breaker);
    expect(breaker.state).toBe('open');
  });

  test('takes effect on every path: timeouts on guarded functions made before, result failures on plain calls', async () => {
    const { breaker, clock } = setup({ failureThreshold: 1 });
    const never = deferred<string>();
    const guarded = breaker.wrap(() => never.promise);
    await succeed(breaker);
    breaker.configure({ timeoutMs: 100 });
    const call = guarded();
    clock.advance(100);
    await expect(call).rejects.toMatchObject({ code: 'ERR_CALL_TIMEOUT' });
    expect(breaker.state).toBe('open');
    const plain = setup({ failureThreshold: 1 }).breaker;
    // Its plain calls' handlers are made once per generation: they must take up the new predicate.
    await succeed(plain);
    plain.configure({ isResultFailure: (value) => value === 'bad' });
    await expect(plain.execute(() => 'bad')).resolves.toBe('bad');
    expect(plain.state).toBe('open');
  });

  test('lowering halfOpenMaxCalls in half-open decides on the probes already settled', async () => {
    const { breaker, clock } = setup({ failureThreshold: 1, resetTimeoutMs: 10, halfOpenMaxCalls: 3 });
    await fail(breaker);
    clock.advance(10);
    await succeed(breaker);
    expect(breaker.state).toBe('halfOpen');
    breaker.configure({ halfOpenMaxCalls: 1 });
    expect(breaker.state).toBe('closed');
  });

  test('with a store, configure changes this process only', async () => {
    const clock = manualClock();
    const store = memoryStore({ clock, counting: 'local' });
    const [a, b] = [createBreaker({ name: 'x', store, clock }), createBreaker({ name: 'x', store, clock })];
    a.configure({ failureThreshold: 1 });
    await fail(b);
    expect(b.state).toBe('closed');
    await fail(a);
    expect(a.state).toBe('open');
    a.dispose();
    b.dispose();
  });
});

describe('registry.configure', () => {
  test('applies to every breaker held and every one made later', async () => {
    const registry = createRegistry({ failureThreshold: 5 });
    const held = registry.get('held');
    const seen: string[] = [];
    registry.on('configure', ({ name }) => seen.push(name));
    registry.configure({ failureThreshold: 1 });
    expect(seen).toEqual(['held']);
    await fail(held);
    expect(held.state).toBe('open');
    const later = registry.get('later');
    await fail(later);
    expect(later.state).toBe('open');
  });

  test('checks everything before changing anything', async () => {
    const registry = createRegistry({ failureThreshold: 2 });
    const held = registry.get('held');
    held.configure({ window: { size: 5 } });
    // Fits the registry's options (consecutive mode) but not the breaker's (now rate mode).
    expect(() => registry.configure({ failureRateThreshold: 0.1, rampUpMs: 10 })).toThrow(TypeError);
    expect(() => registry.configure({ minimumCalls: 0 })).toThrow(new RangeError('minimumCalls must be an integer >= 1, got 0'));
    expect(() => registry.configure({ name: 'x' } as never)).toThrow(TypeError);
    await fail(registry.get('fresh'), 2);
    expect(registry.get('fresh').state).toBe('open');
  });

  test('a breaker let go by the registry is disposed: its health check stops', async () => {
    const clock = manualClock();
    const registry = createRegistry({ clock, failureThreshold: 1, healthCheck: () => new Promise(() => {}) });
    await fail(registry.get('a'));
    expect(clock.pending).toBe(1);
    registry.delete('a');
    expect(clock.pending).toBe(0);
  });
});
