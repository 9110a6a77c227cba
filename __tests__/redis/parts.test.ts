// The Redis store's small parts, without a server: what it remembers of the fleet, the names
// it puts on the wire, the replies it accepts and the error of what it could not deliver.

import type { FleetState } from '../../src/store.js';
import { KnownStates } from '../../src/stores/redis/known.js';
import { channelOf, MAX_NAME_LENGTH, parseNames, wireName } from '../../src/stores/redis/protocol.js';
import { undelivered } from '../../src/stores/redis/undelivered.js';

const fleet = (state: FleetState['state'], epoch: number, retryAfterMs = 0): FleetState => ({
  state,
  epoch,
  retryAfterMs,
  attempt: 1,
  instance: 'a',
  reason: undefined,
});

describe('KnownStates', () => {
  let now = 0;
  const known = new KnownStates(() => now);

  test('an open state counts down, and is forgotten once its record has expired in Redis', () => {
    now = 0;
    known.learn('open', fleet('open', 10, 5000));
    now = 2000;
    expect(known.get('open')?.retryAfterMs).toBe(3000);
    now = 7000;
    expect(known.get('open')?.retryAfterMs).toBe(0);
    now = 5000 + 600_000 + 1;
    expect(known.get('open')).toBeUndefined();
    expect(known.size).toBe(0);
  });

  test('the newest epoch wins; a closed name is not known, and blocks older states for a while', () => {
    now = 1_000_000;
    known.learn('x', fleet('isolated', 20));
    known.learn('x', fleet('open', 19, 1000));
    expect(known.get('x')?.state).toBe('isolated');
    known.learn('x', fleet('closed', 21));
    expect(known.get('x')).toBeUndefined();
    known.learn('x', fleet('open', 20, 1000));
    expect(known.get('x')).toBeUndefined();
    known.learn('x', fleet('open', 0, 1000));
    expect(known.get('x')).toBeUndefined();
    // Ten seconds later the closed name is forgotten (the next learn prunes it).
    now += 10_001;
    known.learn('y', fleet('disabled', 1));
    known.learn('x', fleet('open', 20, 1000));
    expect(known.get('x')?.state).toBe('open');
  });
});

describe('KnownStates is bounded', () => {
  test('past its limit the oldest learnt name is forgotten, closed names as well', () => {
    const small = new KnownStates(() => 0, 3);
    for (const name of ['a', 'b', 'c', 'd']) small.learn(name, fleet('isolated', 5));
    expect(small.size).toBe(3);
    expect(small.get('a')).toBeUndefined();
    expect(small.get('d')?.state).toBe('isolated');
    // A name learnt again moves to the back of the line.
    small.learn('b', fleet('disabled', 6));
    small.learn('e', fleet('isolated', 5));
    expect(small.get('b')?.state).toBe('disabled');
    expect(small.get('c')).toBeUndefined();
    for (const name of ['w', 'x', 'y', 'z']) small.learn(name, fleet('closed', 9));
    expect((small as unknown as { closed: Map<string, unknown> }).closed.size).toBe(3);
  });

  test('after the index is read again, names it no longer lists (or lists newer) are forgotten', () => {
    let now = 0;
    const known = new KnownStates(() => now);
    known.learn('gone', fleet('isolated', 5));
    known.learn('same', fleet('isolated', 5));
    known.learn('newer', fleet('isolated', 5));
    known.learn('ahead', fleet('isolated', 9));
    now = 10;
    known.learn('heard', fleet('isolated', 5));
    known.retain(
      new Map([
        ['same', '5'],
        ['newer', '7'],
        ['ahead', '8'],
      ]),
      10,
    );
    expect(['gone', 'same', 'newer', 'ahead', 'heard'].map((name) => known.get(name) !== undefined)).toEqual([
      false,
      true,
      false,
      true,
      true,
    ]);
  });
});

describe('names on the wire', () => {
  test('a name up to the limit is itself; a longer one its SHA-256', () => {
    expect(wireName('payments')).toBe('payments');
    const limit = 'n'.repeat(MAX_NAME_LENGTH);
    expect(wireName(limit)).toBe(limit);
    const long = `${limit}+`;
    expect(wireName(long)).toMatch(/^#[0-9a-f]{64}$/);
    expect(wireName(long)).toBe(wireName(`${limit}+`));
    expect(wireName(long)).not.toBe(wireName(`${limit}-`));
  });

  test('the channel carries the database when it is not 0', () => {
    expect(channelOf('tripswitch:')).toBe('tripswitch:events');
    expect(channelOf('shop:tripswitch:', 3)).toBe('shop:tripswitch:events:db3');
  });

  test('the index reply: names kept, anything else refused', () => {
    expect(parseNames([['a', '1', 'b', '2'], '1700000000000'])).toEqual({
      names: ['a', 'b'],
      epochs: ['1', '2'],
      now: 1_700_000_000_000,
    });
    expect(parseNames([[3, '1', 'x'.repeat(MAX_NAME_LENGTH + 2), '2', 'c', '3', 'd', 4], '5'])).toEqual({
      names: ['c'],
      epochs: ['3'],
      now: 5,
    });
    for (const bad of ['OK', [['a', '1']], [['a', '1'], 'soon'], ['a', '1'], null]) {
      expect(() => parseNames(bad)).toThrow('tripswitch/redis: unexpected script reply');
    }
  });
});

describe('the error of what could not be delivered', () => {
  const cause = new Error('ECONNREFUSED');

  test('one breaker, named', () => {
    const error = undelivered(['payments'], cause);
    expect(error.message).toBe(
      'tripswitch/redis: the latest transition of breaker "payments" could not be delivered: Redis is unavailable',
    );
    expect(error.names).toEqual(['payments']);
    expect(error.cause).toBe(cause);
  });

  test('many breakers: five named, long names cut, the rest counted', () => {
    const names = [`t-${'x'.repeat(60)}`, 'a', 'b', 'c', 'd', 'e', 'f'];
    const error = undelivered(names, undefined);
    expect(error.message).toContain('of 7 breakers');
    expect(error.message).toContain(`"t-${'x'.repeat(38)}..."`);
    expect(error.message).toContain('"d" and 2 more could not be delivered');
    expect(error.names).toEqual(names);
  });
});
