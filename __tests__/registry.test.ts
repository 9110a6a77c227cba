import { createRegistry, type RegistryOptions } from '../src/index.js';
import { manualClock } from '../src/testing/index.js';
import { fail, recordEvents, types } from './helpers.js';

describe('createRegistry', () => {
  test('get makes a breaker on first use, named by its key, and returns it after', () => {
    const registry = createRegistry({ failureThreshold: 2 });
    const a = registry.get('a');
    expect(a.name).toBe('a');
    expect(registry.get('a')).toBe(a);
    expect(registry.get('b')).not.toBe(a);
    expect(registry.size).toBe(2);
  });

  test('has, delete, size', () => {
    const registry = createRegistry();
    const a = registry.get('a');
    expect(registry.has('a')).toBe(true);
    expect(registry.has('b')).toBe(false);
    expect(registry.delete('b')).toBe(false);
    expect(registry.delete('a')).toBe(true);
    expect(registry.has('a')).toBe(false);
    expect(registry.size).toBe(0);
    expect(registry.get('a')).not.toBe(a);
  });

  test('iterates over [key, breaker] pairs, least recently used first', () => {
    const registry = createRegistry();
    const a = registry.get('a');
    const b = registry.get('b');
    registry.get('a');
    expect([...registry]).toEqual([
      ['b', b],
      ['a', a],
    ]);
    expect([...registry.entries()]).toEqual([...registry]);
    expect([...registry.keys()]).toEqual(['b', 'a']);
    expect([...registry.values()]).toEqual([b, a]);
    expect(new Map(registry).get('a')).toBe(a);
  });

  test('its breakers use the registry options', async () => {
    const clock = manualClock();
    const registry = createRegistry({ clock, failureThreshold: 2, resetTimeoutMs: 100 });
    const breaker = registry.get('x');
    await fail(breaker, 2);
    expect(breaker.stats()).toMatchObject({ state: 'open', retryAfterMs: 100 });
  });

  test('on/off receive the events of all its breakers, with name = key', async () => {
    const registry = createRegistry({ failureThreshold: 1 });
    const seen = recordEvents(registry);
    const opens: string[] = [];
    const onOpen = (e: { name: string }) => opens.push(e.name);
    const unsubscribe = registry.on('open', onOpen);
    await fail(registry.get('a'));
    await fail(registry.get('b'));
    expect(opens).toEqual(['a', 'b']);
    expect(types(seen)).toEqual(['failure', 'open', 'stateChange', 'failure', 'open', 'stateChange']);
    expect(seen.map(([, e]) => e.name)).toEqual(['a', 'a', 'a', 'b', 'b', 'b']);
    unsubscribe();
    registry.get('c').open();
    expect(opens).toEqual(['a', 'b']);
    registry.on('close', onOpen);
    registry.off('close', onOpen);
    registry.get('c').close();
    expect(opens).toEqual(['a', 'b']);
  });

  test("a breaker's own listeners run before the registry's", async () => {
    const registry = createRegistry({ failureThreshold: 1 });
    const order: string[] = [];
    registry.on('failure', () => order.push('registry'));
    const a = registry.get('a');
    a.on('failure', () => order.push('breaker'));
    await fail(a);
    expect(order).toEqual(['breaker', 'registry']);
  });
});

describe('eviction', () => {
  test('never holds more than maxSize; evicts the least recently used', () => {
    const registry = createRegistry({ maxSize: 3 });
    registry.get('a');
    registry.get('b');
    registry.get('c');
    registry.get('a');
    registry.get('d');
    expect([...registry.keys()]).toEqual(['c', 'a', 'd']);
    registry.get('e');
    expect([...registry.keys()]).toEqual(['a', 'd', 'e']);
  });

  test('only get counts as a use', async () => {
    const registry = createRegistry({ maxSize: 2 });
    const a = registry.get('a');
    registry.get('b');
    expect(registry.has('a')).toBe(true);
    await a.execute(() => 'used without get');
    a.stats();
    [...registry];
    registry.get('c');
    expect([...registry.keys()]).toEqual(['b', 'c']);
  });

  test('closed breakers are evicted before open ones', async () => {
    const registry = createRegistry({ maxSize: 3, failureThreshold: 1 });
    await fail(registry.get('a'));
    registry.get('b');
    registry.get('c').isolate();
    registry.get('d');
    expect([...registry.keys()]).toEqual(['a', 'c', 'd']);
    registry.get('e');
    expect([...registry.keys()]).toEqual(['a', 'c', 'e']);
  });

  test('when none is closed, the least recently used of all goes', async () => {
    const registry = createRegistry({ maxSize: 2, failureThreshold: 1 });
    await fail(registry.get('a'));
    await fail(registry.get('b'));
    registry.get('a');
    registry.get('c');
    expect([...registry.keys()]).toEqual(['a', 'c']);
  });

  test('a breaker that closes again is evicted in the order it was last used', async () => {
    const registry = createRegistry({ maxSize: 3, failureThreshold: 1 });
    const a = registry.get('a');
    const b = registry.get('b');
    registry.get('c');
    await fail(a);
    await fail(b);
    b.close();
    a.close(); // closed later, but used earlier than b
    a.close(); // already closed: no change
    registry.get('d');
    expect([...registry.keys()]).toEqual(['b', 'c', 'd']);
  });

  test('a breaker that opens after its last use is kept over closed ones', async () => {
    const registry = createRegistry({ maxSize: 2, failureThreshold: 1 });
    const a = registry.get('a');
    registry.get('b');
    await fail(a);
    registry.get('c');
    expect([...registry.keys()]).toEqual(['a', 'c']);
  });

  test('a deleted breaker that changes state does not come back', async () => {
    const registry = createRegistry({ maxSize: 2, failureThreshold: 1 });
    const a = registry.get('a');
    registry.delete('a');
    await fail(a);
    a.close();
    expect(registry.has('a')).toBe(false);
    registry.get('b');
    registry.get('c');
    registry.get('d');
    expect([...registry.keys()]).toEqual(['c', 'd']);
  });

  test('a flood of 100,000 distinct keys leaves at most maxSize and keeps an open breaker', async () => {
    const registry = createRegistry({ maxSize: 100, failureThreshold: 1 });
    const open = registry.get('protected');
    await fail(open);
    for (let i = 0; i < 100_000; i++) registry.get(`flood-${i}`);
    expect(registry.size).toBe(100);
    expect(registry.get('protected')).toBe(open);
    expect(open.state).toBe('open');
  });

  test('maxSize 1 works', () => {
    const registry = createRegistry({ maxSize: 1 });
    registry.get('a');
    registry.get('b');
    expect([...registry.keys()]).toEqual(['b']);
  });
});

describe('validation', () => {
  test.each([
    ['', RangeError],
    [42, TypeError],
    [undefined, TypeError],
    [null, TypeError],
    [{}, TypeError],
  ])('key %p', (key, type) => {
    const registry = createRegistry();
    expect(() => registry.get(key as string)).toThrow(type);
    expect(registry.size).toBe(0);
  });

  test.each([
    [0, RangeError],
    [1.5, RangeError],
    [-1, RangeError],
    ['10', TypeError],
  ])('maxSize %p', (maxSize, type) => {
    expect(() => createRegistry({ maxSize } as RegistryOptions)).toThrow(type);
    expect(() => createRegistry({ maxSize } as RegistryOptions)).toThrow(/maxSize/);
  });

  test('name and initialState are rejected; other options are validated', () => {
    expect(() => createRegistry({ name: 'x' } as RegistryOptions)).toThrow(/name cannot be given to a registry/);
    expect(() => createRegistry({ initialState: {} } as RegistryOptions)).toThrow(TypeError);
    expect(() => createRegistry({ failureThreshold: -1 })).toThrow(RangeError);
    expect(() => createRegistry({ nope: 1 } as RegistryOptions)).toThrow(/unknown option "nope"/);
    expect(() => createRegistry(null as never)).toThrow(/options must be an object/);
    expect(() =>
      createRegistry({ name: undefined, initialState: undefined, maxSize: undefined } as RegistryOptions),
    ).not.toThrow();
  });
});
