import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { countArgs, parseCountMessage, parseCountReply } from '../../src/stores/redis/counts.js';
import { redisStore } from '../../src/stores/redis/index.js';
import {
  channelOf,
  encodeName,
  keysOf,
  parseMessage,
  parseNames,
  parseReply,
  transitionArgs,
} from '../../src/stores/redis/protocol.js';
import { undelivered } from '../../src/stores/redis/undelivered.js';

describe('redisStore options', () => {
  // Clients that never connect: options are checked before anything is sent.
  const io = new Redis({ lazyConnect: true });
  const node = createClient();
  afterAll(() => io.disconnect());

  test.each([
    [undefined, TypeError, 'redisStore options must be an object, got undefined'],
    [null, TypeError, 'redisStore options must be an object, got null'],
    [io, TypeError, 'redisStore takes an options object: pass { client }, got the client itself'],
    [node, TypeError, 'redisStore takes an options object: pass { client }, got the client itself'],
    [{}, TypeError, 'client must be an ioredis Redis or Cluster, or a node-redis client or cluster, got undefined'],
    [{ client: { get() {} } }, TypeError, 'got Object'],
    [{ client: 'redis://localhost' }, TypeError, 'got "redis://localhost"'],
    [{ client: io, prefix: 1 }, TypeError, 'prefix must be a string, got 1'],
    [{ client: io, prefix: 'a{b}' }, RangeError, 'prefix must be at most 256 characters without { or }, got "a{b}"'],
    [{ client: io, prefix: 'p'.repeat(300) }, RangeError, `got "${'p'.repeat(40)}..."`],
    [{ client: io, quorum: '2' }, TypeError, 'quorum must be a number, got "2"'],
    [{ client: node, quorum: 0 }, RangeError, 'quorum must be an integer in [1, 10000], got 0'],
    [{ client: io, quorum: 1.5 }, RangeError, 'got 1.5'],
    [{ client: io, timeoutMs: true }, TypeError, 'timeoutMs must be a number, got true'],
    [{ client: io, timeoutMs: 0 }, RangeError, 'timeoutMs must be in [1, 2147483647], got 0'],
    [{ client: io, timeoutMs: Number.NaN }, RangeError, 'got NaN'],
    [{ client: io, instanceId: 5 }, TypeError, 'instanceId must be a string, got 5'],
    [{ client: io, instanceId: '' }, RangeError, 'instanceId must have 1 to 256 characters, got ""'],
    [{ client: io, instanceId: [] }, TypeError, 'got Array'],
    [{ client: io, instanceId: Symbol('x') }, TypeError, 'got symbol'],
    [{ client: io, instanceId: Object.create(null) }, TypeError, 'got object'],
    [{ client: io, quorom: 3 }, TypeError, 'unknown option "quorom"'],
    [{ client: io, counting: 'shared' }, RangeError, `counting must be 'fleet' or 'local', got "shared"`],
    [{ client: node, counting: 1 }, RangeError, `counting must be 'fleet' or 'local', got 1`],
  ])('%p is refused', (options, type, message) => {
    const make = () => redisStore(options as never);
    expect(make).toThrow(type);
    expect(make).toThrow(message);
  });

  test('on() takes known events and functions only', async () => {
    // A client whose duplicate never connects: nothing leaves the process.
    const client = {
      status: 'wait',
      evalsha: () => new Promise(() => undefined),
      on: () => undefined,
      off: () => undefined,
      duplicate: () => ({
        status: 'wait',
        on: () => undefined,
        off: () => undefined,
        subscribe: () => Promise.reject(new Error('offline')),
        quit: () => Promise.resolve(),
        disconnect: () => undefined,
        removeAllListeners: () => undefined,
      }),
    };
    const store = redisStore({ client, instanceId: 'me' });
    expect(store.instanceId).toBe('me');
    // Not connected: a count report is dropped at once (the breaker counts alone meanwhile).
    const link = store.attach({ name: 'x', halfOpenMaxCalls: 1, adopt: () => undefined, local: () => undefined });
    const report = { kind: 'run', lead: 1, reset: false, tail: 0, threshold: 5, retryAfterMs: 1, attempt: 1, keepMs: 1 } as const;
    await expect(link.report?.(report)).resolves.toBeUndefined();
    link.detach();
    expect(() => store.on('nope' as never, () => undefined)).toThrow("event must be 'available' or 'unavailable', got nope");
    expect(() => store.on('available', 'x' as never)).toThrow('handler must be a function, got string');
    const off = store.on('available', () => undefined);
    off();
    off();
    // Never connected: not available, and no outage reported either.
    expect(store.stats()).toEqual({
      available: false,
      published: 0,
      applied: 0,
      ignored: 0,
      errors: 0,
      leasesGranted: 0,
      leasesRefused: 0,
      reported: 0,
    });
    expect(typeof redisStore({ client }).instanceId).toBe('string');
    return store.close();
  });
});

describe('redis protocol', () => {
  test('names are escaped into distinct keys with no brace, colon or space', () => {
    const names = ['a', 'a:b', 'a%3ab', '{x}', '', '%', 'é', '\ud800', 'a b', 'A-Z_0.9@*+/'];
    const encoded = names.map(encodeName);
    expect(new Set(encoded).size).toBe(names.length);
    for (const e of encoded) expect(e).toMatch(/^[A-Za-z0-9@*_+\-./%]+$/);
    expect(encodeName('A-Z_0.9@*+/')).toBe('A-Z_0.9@*+/');
    expect(encodeName('{x}')).toBe('%7bx%7d');
    expect(encodeName('é\ud800')).toBe('%e9%ud800');
    expect(keysOf('p:', 'a:b')).toEqual([
      'p:{a%3ab}:s',
      'p:{a%3ab}:votes',
      'p:{a%3ab}:leases',
      'p:{a%3ab}:run',
      'p:{a%3ab}:reports',
    ]);
  });

  test('undelivered transitions are named, a few in the message and all in names', () => {
    expect(undelivered(['a'], 'down').message).toContain('the latest transition of breaker "a" could not');
    const many = ['n'.repeat(50), 'b', 'c', 'd', 'e', 'f', 'g'];
    const error = undelivered(many, 'down');
    expect(error.message).toContain(`7 breakers "${'n'.repeat(40)}...", "b", "c", "d", "e" and 2 more`);
    expect(error.names).toEqual(many);
    expect(error.cause).toBe('down');
  });

  test('the names index reply keeps names with their epochs only', () => {
    expect(parseNames([['a', '1', 5, '2', 'b', '3'], '1000'])).toEqual({ names: ['a', 'b'], epochs: ['1', '3'], now: 1000 });
    expect(() => parseNames([['a', '1'], 'x'])).toThrow(TypeError);
    expect(() => parseNames(['a', '1000'])).toThrow(TypeError);
    expect(channelOf('p:')).toBe('p:events');
    expect(channelOf('p:', 3)).toBe('p:events:db3');
  });

  test('count messages, replies and arguments are validated strictly', () => {
    const counts = { calls: 3, failures: 3, slowCalls: 0, instances: 2 };
    expect(parseCountMessage('{"v":1,"n":"svc","k":[3,3,0,2,1]}')).toEqual({ name: 'svc', counts, counting: true });
    expect(parseCountMessage('{"v":1,"n":"svc","k":[3,3,0,2,0]}')).toEqual({ name: 'svc', counts, counting: false });
    for (const bad of [
      '{"v":2,"n":"svc","k":[3,3,0,2,1]}',
      '{"v":1,"n":5,"k":[3,3,0,2,1]}',
      '{"v":1,"n":"svc","k":[3,3,0,2]}',
      '{"v":1,"n":"svc","k":[3,3,0,2,2]}',
      '{"v":1,"n":"svc","k":[3,-1,0,2,1]}',
      '{"v":1,"n":"svc","k":[3,1.5,0,2,1]}',
      '{"v":1,"n":"svc","k":"3,3,0,2,1"}',
      '{"v":1,"n":"svc","k":[3,3,0,2,1]',
      'null',
      42,
    ]) {
      expect(parseCountMessage(bad)).toBeUndefined();
    }
    const record = ['closed', '0', '0', '1', '', '', 0, '1000'];
    expect(parseCountReply([...record, '3', '3', '0', '2', '1'])).toMatchObject({ counts, counting: true });
    expect(() => parseCountReply(record)).toThrow(TypeError);
    expect(() => parseCountReply([...record, '3', '3', '0', '2'])).toThrow(TypeError);
    expect(() => parseCountReply([...record, '3', 'x', '0', '2', '0'])).toThrow(TypeError);
    const run = {
      kind: 'run',
      lead: 2,
      reset: true,
      tail: 1,
      threshold: 5,
      retryAfterMs: 1000,
      attempt: 1,
      keepMs: 1000,
    } as const;
    expect(countArgs(run, 2)).toEqual(['run', ['2', '1', '1', '5', '1000', '1', '2', '1000']]);
    const window = {
      kind: 'window',
      calls: 10,
      failures: 5,
      slowCalls: 0,
      minimumCalls: 20,
      failureRate: 0.5,
      slowCallRate: Number.NaN,
      retryAfterMs: Number.NaN,
      attempt: Number.NaN,
      keepMs: 10_000,
      periodMs: 1000,
    } as const;
    expect(countArgs(window, 1)).toEqual(['window', ['10', '5', '0', '10000', '20', '0.5', '2', '1', '1', '1', '1000']]);
  });

  test('messages are validated strictly', () => {
    const valid = { v: 1, n: 'svc', e: 5, s: 'closed', r: 7, a: 2, i: 'x' };
    expect(parseMessage(JSON.stringify(valid))).toEqual({
      name: 'svc',
      fleet: { state: 'closed', epoch: 5, retryAfterMs: 0, attempt: 2, instance: 'x', reason: undefined },
    });
    expect(parseMessage(Buffer.from(JSON.stringify(valid)))).toBeUndefined();
    expect(parseMessage(JSON.stringify({ ...valid, w: '' }))?.fleet.reason).toBeUndefined();
  });

  test('transitions are sent with whole, bounded numbers', () => {
    expect(transitionArgs({ state: 'open', reason: 'failures', retryAfterMs: Number.NaN, attempt: Number.NaN })).toEqual([
      'open',
      'failures',
      '0',
      '1',
    ]);
    expect(transitionArgs({ state: 'isolated', retryAfterMs: 1e300, attempt: 2.7 })).toEqual([
      'isolated',
      '',
      String(2 ** 47),
      '2',
    ]);
  });

  test('replies are validated strictly', () => {
    expect(parseReply(['open', '12', '5', '2', 'i', 'failures', 1, '1700000000000'])).toEqual({
      fleet: { state: 'open', epoch: 12, retryAfterMs: 5, attempt: 2, instance: 'i', reason: 'failures' },
      granted: true,
      now: 1_700_000_000_000,
    });
    expect(() => parseReply(['open', '12', '5', '2', 'i', 'failures', 2, '1'])).toThrow(TypeError);
    expect(() => parseReply(['open', '12', '5', '2', 'i', 'failures', 1])).toThrow(TypeError);
    expect(() => parseReply(['open', '12', '5', '2', 'i', 'failures', 1, 'soon'])).toThrow(TypeError);
    expect(() => parseReply('OK')).toThrow('tripswitch/redis: unexpected script reply');
    expect(() => parseReply(['open', '1e5', '5', '2', 'i', '', 0, '1'])).toThrow(TypeError);
  });
});
