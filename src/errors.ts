import type { State } from './state.js';

const OPEN_BRAND = Symbol.for('tripswitch.CircuitOpenError');
const TIMEOUT_BRAND = Symbol.for('tripswitch.CallTimeoutError');

/**
 * Thrown (or rejected with) when the breaker turns a call away without running it.
 *
 * @example
 * ```ts
 * import { createBreaker, isCircuitOpenError } from 'tripswitch';
 *
 * const breaker = createBreaker({ name: 'payments' });
 * breaker.isolate();
 * try {
 *   await breaker.execute(() => 'never runs');
 * } catch (error) {
 *   // The guard, unlike instanceof, also recognises errors from another copy of the package.
 *   if (isCircuitOpenError(error)) console.log(error.state, error.retryAfterMs); // 'isolated' Infinity
 * }
 * ```
 */
export class CircuitOpenError extends Error {
  /** Always `'ERR_CIRCUIT_OPEN'`. */
  readonly code = 'ERR_CIRCUIT_OPEN' as const;
  // Declared, not defined as fields: the constructor's assignments are the only stores.
  /** The name of the breaker that rejected the call. */
  declare readonly breaker: string;
  /** The breaker's state when it rejected the call: `'open'`, `'halfOpen'` or `'isolated'`; `'closed'` while ramping up (`rampUpMs`). */
  declare readonly state: State;
  /** Milliseconds until the breaker may let a call through again; `Infinity` when isolated. */
  declare readonly retryAfterMs: number;

  constructor(breaker: string, state: State, retryAfterMs: number) {
    // No message here: it is built from the fields when first read (see below), so that
    // turning a call away does not format a string nobody may read.
    super();
    this.breaker = breaker;
    this.state = state;
    this.retryAfterMs = retryAfterMs;
  }

  // Set on the prototype, not per instance: creating a rejection stays cheap.
  /** Always `'CircuitOpenError'`. */
  declare readonly name: 'CircuitOpenError';
  /** What happened, with the breaker's name and when to retry, e.g. `Circuit "db" is open: retry after 1235 ms`. */
  declare message: string;
}
Object.defineProperty(CircuitOpenError.prototype, 'name', { value: 'CircuitOpenError' });
// `message` reads (and `String(error)`, `error.stack` and `util.inspect` show) the same as an
// own message would; assigning one stores it on the error, as on any Error.
Object.defineProperty(CircuitOpenError.prototype, 'message', {
  configurable: true,
  get(this: CircuitOpenError): string {
    const { breaker, state } = this;
    return state === 'isolated'
      ? `Circuit "${breaker}" is isolated: calls are rejected until it is closed`
      : `Circuit "${breaker}" is ${state === 'open' ? 'open' : state === 'closed' ? 'ramping up after closing' : 'half-open with no probe slot free'}: retry after ${Math.ceil(this.retryAfterMs)} ms`;
  },
  set(this: CircuitOpenError, value: string): void {
    Object.defineProperty(this, 'message', { value, writable: true, configurable: true });
  },
});
Object.defineProperty(CircuitOpenError.prototype, OPEN_BRAND, { value: true });

/**
 * @internal Makes `error`, a plain `new Error()` made by the caller, the `CircuitOpenError`
 * for a call turned away: the same properties, in the same order, as the constructor gives.
 * The caller makes the `Error` in its own frame so that the stack starts at the call, and a
 * plain `Error` given a prototype costs less than running a subclass's constructor.
 */
export function circuitOpen(error: Error, breaker: string, state: State, retryAfterMs: number): CircuitOpenError {
  Object.setPrototypeOf(error, CircuitOpenError.prototype);
  const e = error as { -readonly [K in keyof CircuitOpenError]: CircuitOpenError[K] };
  e.code = 'ERR_CIRCUIT_OPEN';
  e.breaker = breaker;
  e.state = state;
  e.retryAfterMs = retryAfterMs;
  return e;
}

/**
 * Rejected with when a call runs longer than the breaker's `timeoutMs`. The call counts as a
 * failure and its `signal` aborts with this error as the reason.
 *
 * @example
 * ```ts
 * import { createBreaker, isCallTimeoutError } from 'tripswitch';
 *
 * const breaker = createBreaker({ timeoutMs: 50 });
 * try {
 *   await breaker.execute(({ signal }) => fetch('https://example.com/slow', { signal }));
 * } catch (error) {
 *   if (isCallTimeoutError(error)) console.log(`gave up after ${error.timeoutMs} ms`);
 * }
 * ```
 */
export class CallTimeoutError extends Error {
  /** Always `'ERR_CALL_TIMEOUT'`. */
  readonly code = 'ERR_CALL_TIMEOUT' as const;
  // Declared, not defined as fields: the constructor's assignments are the only stores.
  /** The name of the breaker whose call timed out. */
  declare readonly breaker: string;
  /** The limit that was exceeded, in milliseconds. */
  declare readonly timeoutMs: number;

  constructor(breaker: string, timeoutMs: number) {
    super(`Call through breaker "${breaker}" timed out after ${timeoutMs} ms`);
    this.breaker = breaker;
    this.timeoutMs = timeoutMs;
  }

  /** Always `'CallTimeoutError'`. */
  declare readonly name: 'CallTimeoutError';
}
Object.defineProperty(CallTimeoutError.prototype, 'name', { value: 'CallTimeoutError' });
Object.defineProperty(CallTimeoutError.prototype, TIMEOUT_BRAND, { value: true });

function branded(error: unknown, brand: symbol, code: string, name: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as Record<PropertyKey, unknown>;
  return e[brand] === true || (e.code === code && e.name === name);
}

/**
 * Tells whether `error` is a {@link CircuitOpenError}, including one thrown by another copy
 * of tripswitch (a second version in `node_modules`, or the other of ESM and CommonJS).
 *
 * @example
 * ```ts
 * import { isCircuitOpenError, wrap } from 'tripswitch';
 *
 * const getUser = wrap(async (id: string) => ({ id }));
 * try {
 *   await getUser('42');
 * } catch (error) {
 *   if (isCircuitOpenError(error)) console.log(`retry in ${error.retryAfterMs} ms`);
 * }
 * ```
 */
export function isCircuitOpenError(error: unknown): error is CircuitOpenError {
  return branded(error, OPEN_BRAND, 'ERR_CIRCUIT_OPEN', 'CircuitOpenError');
}

/**
 * Tells whether `error` is a {@link CallTimeoutError}, including one thrown by another copy
 * of tripswitch.
 *
 * @example
 * ```ts
 * import { isCallTimeoutError, wrap } from 'tripswitch';
 *
 * const slow = wrap(() => new Promise<void>(() => {}), { timeoutMs: 10 });
 * await slow().catch((error) => {
 *   if (isCallTimeoutError(error)) console.log(error.timeoutMs); // 10
 * });
 * ```
 */
export function isCallTimeoutError(error: unknown): error is CallTimeoutError {
  return branded(error, TIMEOUT_BRAND, 'ERR_CALL_TIMEOUT', 'CallTimeoutError');
}
