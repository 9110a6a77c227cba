import { inspect } from 'node:util';
import type { State } from '../src/index.js';
import { CallTimeoutError, CircuitOpenError, createBreaker, isCallTimeoutError, isCircuitOpenError } from '../src/index.js';

describe('CircuitOpenError', () => {
  test('fields, name, code and message', () => {
    const error = new CircuitOpenError('db', 'open', 1234.2);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('CircuitOpenError');
    expect(error.code).toBe('ERR_CIRCUIT_OPEN');
    expect(error).toMatchObject({ breaker: 'db', state: 'open', retryAfterMs: 1234.2 });
    expect(error.message).toBe('Circuit "db" is open: retry after 1235 ms');
    expect(String(error)).toMatch(/^CircuitOpenError: /);
    expect(error.stack).toContain('CircuitOpenError');
  });

  test('messages for half-open and isolated', () => {
    expect(new CircuitOpenError('db', 'halfOpen', 10).message).toMatch(/half-open with no probe slot free: retry after 10 ms/);
    const isolated = new CircuitOpenError('db', 'isolated', Number.POSITIVE_INFINITY);
    expect(isolated.message).toMatch(/isolated: calls are rejected until it is closed/);
    expect(isolated.retryAfterMs).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('CircuitOpenError, message built when read', () => {
  const cases: [State, number][] = [
    ['open', 1234.2],
    ['halfOpen', 10],
    ['isolated', Number.POSITIVE_INFINITY],
  ];
  /** The same error with its message as an own property, as a plain Error subclass would have it. */
  function eager(error: CircuitOpenError): CircuitOpenError {
    const twin = new CircuitOpenError(error.breaker, error.state, error.retryAfterMs);
    twin.message = error.message;
    return twin;
  }
  const withoutFrames = (text: string) =>
    text
      .split('\n')
      .filter((line) => !/^\s+at /.test(line))
      .join('\n');

  test.each(cases)('%s: message, String, stack and util.inspect read as an own message would', (state, ms) => {
    // Each reading on a fresh error: the first one to be read must already say the same.
    const expected = eager(new CircuitOpenError('db', state, ms)).message;
    expect(new CircuitOpenError('db', state, ms).message).toBe(expected);
    expect(String(new CircuitOpenError('db', state, ms))).toBe(`CircuitOpenError: ${expected}`);
    expect((new CircuitOpenError('db', state, ms).stack ?? '').split('\n')[0]).toBe(`CircuitOpenError: ${expected}`);
    const fresh = new CircuitOpenError('db', state, ms);
    expect(withoutFrames(inspect(fresh))).toBe(withoutFrames(inspect(eager(fresh))));
    expect(Object.keys(fresh)).toEqual(['code', 'breaker', 'state', 'retryAfterMs']);
  });

  test('an error from a rejected call reads the same, its stack starting at the call', async () => {
    const breaker = createBreaker({ name: 'db', resetTimeoutMs: 5000 });
    breaker.open();
    const errors: CircuitOpenError[] = [
      (await breaker.execute(() => 1).catch((e: CircuitOpenError) => e)) as CircuitOpenError,
      (await breaker
        .wrap(() => 1)()
        .catch((e: CircuitOpenError) => e)) as CircuitOpenError,
      (() => {
        try {
          breaker.acquire();
        } catch (e) {
          return e as CircuitOpenError;
        }
      })() as CircuitOpenError,
    ];
    for (const error of errors) {
      expect(error).toBeInstanceOf(CircuitOpenError);
      expect(isCircuitOpenError(error)).toBe(true);
      expect(error.name).toBe('CircuitOpenError');
      expect(error.message).toMatch(/^Circuit "db" is open: retry after \d+ ms$/);
      expect(withoutFrames(inspect(error))).toBe(withoutFrames(inspect(eager(error))));
      expect(Object.keys(error)).toEqual(['code', 'breaker', 'state', 'retryAfterMs']);
      expect(error.stack?.split('\n')[0]).toBe(`CircuitOpenError: ${error.message}`);
      // No frame of the breaker's own bookkeeping comes before the call.
      expect(error.stack?.split('\n')[1]).not.toMatch(/\b(enter|refuse|refusal|reject|circuitOpen)\b/);
    }
  });

  test('a message can still be assigned', () => {
    const error = new CircuitOpenError('db', 'open', 1);
    error.message = 'changed';
    expect(error.message).toBe('changed');
    expect(String(error)).toBe('CircuitOpenError: changed');
    expect(new CircuitOpenError('db', 'open', 1).message).toBe('Circuit "db" is open: retry after 1 ms');
  });
});

describe('CallTimeoutError', () => {
  test('fields, name, code and message', () => {
    const error = new CallTimeoutError('api', 250);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('CallTimeoutError');
    expect(error.code).toBe('ERR_CALL_TIMEOUT');
    expect(error).toMatchObject({ breaker: 'api', timeoutMs: 250 });
    expect(error.message).toBe('Call through breaker "api" timed out after 250 ms');
  });
});

describe('guards', () => {
  test('recognise their own errors and not the other one', () => {
    const open = new CircuitOpenError('a', 'open', 1);
    const timeout = new CallTimeoutError('a', 1);
    expect(isCircuitOpenError(open)).toBe(true);
    expect(isCallTimeoutError(timeout)).toBe(true);
    expect(isCircuitOpenError(timeout)).toBe(false);
    expect(isCallTimeoutError(open)).toBe(false);
  });

  test('recognise errors from another copy of the package', () => {
    const otherOpen = Object.assign(new Error('x'), { name: 'CircuitOpenError', code: 'ERR_CIRCUIT_OPEN' });
    const otherTimeout = { name: 'CallTimeoutError', code: 'ERR_CALL_TIMEOUT' };
    expect(isCircuitOpenError(otherOpen)).toBe(true);
    expect(isCallTimeoutError(otherTimeout)).toBe(true);
    const branded = Object.create(null);
    branded[Symbol.for('tripswitch.CircuitOpenError')] = true;
    expect(isCircuitOpenError(branded)).toBe(true);
  });

  test('reject look-alikes with only one of name and code', () => {
    expect(isCircuitOpenError({ code: 'ERR_CIRCUIT_OPEN' })).toBe(false);
    expect(isCircuitOpenError({ name: 'CircuitOpenError' })).toBe(false);
    expect(isCallTimeoutError({ name: 'CallTimeoutError', code: 'ERR_CIRCUIT_OPEN' })).toBe(false);
    expect(isCircuitOpenError(new Error('CircuitOpenError'))).toBe(false);
  });

  test.each([undefined, null, 'CircuitOpenError', 42, true, Symbol('x'), () => {}])('non-errors: %p', (value) => {
    expect(isCircuitOpenError(value)).toBe(false);
    expect(isCallTimeoutError(value)).toBe(false);
  });
});
