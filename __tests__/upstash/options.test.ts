import { Redis } from '@upstash/redis';
import { upstashStore } from '../../src/stores/upstash/index.js';

// No request is made: a store is only built (the URL answers nothing).
const client = new Redis({ url: 'http://127.0.0.1:9', token: 'token', retry: { retries: 0 }, enableTelemetry: false });
const build = (options: Record<string, unknown>) => () => upstashStore({ client, ...options } as never);

describe('upstashStore options: each bad value is named with what was given', () => {
  it.each([
    ['prefix', 5, TypeError, 'prefix must be a string, got 5'],
    ['prefix', 'p'.repeat(300), RangeError, `prefix must be at most 256 characters without { or }, got "${'p'.repeat(40)}..."`],
    ['quorum', '2', TypeError, 'quorum must be a number, got "2"'],
    ['quorum', 10n, TypeError, 'quorum must be a number, got bigint'],
    ['quorum', 0, RangeError, 'quorum must be an integer in [1, 10000], got 0'],
    ['quorum', 1.5, RangeError, 'quorum must be an integer in [1, 10000], got 1.5'],
    ['quorum', 10_001, RangeError, 'quorum must be an integer in [1, 10000], got 10001'],
    ['quorum', Number.NaN, RangeError, 'quorum must be an integer in [1, 10000], got NaN'],
    ['instanceId', 7, TypeError, 'instanceId must be a string, got 7'],
    ['instanceId', Symbol('id'), TypeError, 'instanceId must be a string, got symbol'],
    ['instanceId', '', RangeError, 'instanceId must have 1 to 256 characters, got ""'],
    ['instanceId', 'i'.repeat(257), RangeError, `instanceId must have 1 to 256 characters, got "${'i'.repeat(40)}..."`],
    ['refreshMs', 9, RangeError, 'refreshMs must be in [10, 2147483647], got 9'],
    ['timeoutMs', 2 ** 31, RangeError, 'timeoutMs must be in [1, 2147483647], got 2147483648'],
    ['waitUntil', new Map(), TypeError, 'waitUntil must be a function, got Map'],
    ['waitUntil', Object.create(null), TypeError, 'waitUntil must be a function, got object'],
  ])('%s: %p', (name, value, type, message) => {
    expect(build({ [name]: value })).toThrow(type as ErrorConstructor);
    expect(build({ [name]: value })).toThrow(message);
  });

  it('a client without a constructor is shown as an object, a function client as a function', () => {
    const bare = Object.assign(Object.create(null), { eval: 1 });
    expect(() => upstashStore({ client: bare })).toThrow(
      'client must be an @upstash/redis client with eval and evalsha, got object',
    );
    expect(() => upstashStore({ client: (() => 1) as never })).toThrow(
      'client is required: an @upstash/redis client (new Redis({ url, token })), got function',
    );
  });

  it('the limits themselves are accepted', () => {
    const store = upstashStore({
      client,
      prefix: 'p'.repeat(256),
      quorum: 10_000,
      instanceId: 'i'.repeat(256),
      refreshMs: 10,
      timeoutMs: 1,
    });
    expect(store.instanceId).toBe('i'.repeat(256));
    expect(store.stats()).toMatchObject({ available: true, errors: 0 });
  });
});
