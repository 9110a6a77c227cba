import { CallTimeoutError, CircuitOpenError, isCallTimeoutError, isCircuitOpenError } from '../src/index.js';

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
