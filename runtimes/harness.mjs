// A test harness small enough to run on any JavaScript runtime: no Node API, no test
// framework. `run()` runs a list of `{ name, fn }` one after another, each with a deadline,
// and reports one line per test and a closing `N passed, N failed` line.

export class AssertionError extends Error {
  constructor(message) {
    super(message);
    this.name = 'AssertionError';
  }
}

const show = (value) => {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'bigint' || value === undefined) return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
};

export function ok(value, message = 'expected a truthy value') {
  if (!value) throw new AssertionError(`${message}, got ${show(value)}`);
}

export function equal(actual, expected, message = 'values differ') {
  if (!Object.is(actual, expected)) throw new AssertionError(`${message}: expected ${show(expected)}, got ${show(actual)}`);
}

function same(a, b) {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && same(a[key], b[key]));
}

export function deepEqual(actual, expected, message = 'values differ') {
  if (!same(actual, expected)) throw new AssertionError(`${message}: expected ${show(expected)}, got ${show(actual)}`);
}

/** Awaits `promise` (or calls `fn`), expects it to fail, and returns the error. */
export async function rejects(promiseOrFn, message = 'expected a rejection') {
  try {
    await (typeof promiseOrFn === 'function' ? promiseOrFn() : promiseOrFn);
  } catch (error) {
    return error;
  }
  throw new AssertionError(message);
}

/** Calls `fn`, expects a synchronous throw, and returns the error. */
export function throws(fn, message = 'expected a throw') {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new AssertionError(message);
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function deadline(ms) {
  let timer;
  const promise = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new AssertionError(`no result after ${ms} ms`)), ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

/**
 * Runs `tests`, a list of `{ name, fn }` (`fn` may be async), each called with `context`;
 * calls `log` with one line per test and a closing summary. Resolves to `{ passed, failed }`.
 */
export async function run({ tests, log, context = {}, timeoutMs = 5000 }) {
  let passed = 0;
  let failed = 0;
  for (const { name, fn } of tests) {
    const limit = deadline(timeoutMs);
    try {
      await Promise.race([Promise.resolve(context).then(fn), limit.promise]);
      passed++;
      log(`ok ${name}`);
    } catch (error) {
      failed++;
      const detail = error instanceof Error ? `${error.name}: ${error.message}` : show(error);
      log(`FAIL ${name}: ${detail}`);
    } finally {
      limit.cancel();
    }
  }
  if (passed + failed === 0) {
    failed++;
    log('FAIL no tests ran');
  }
  log(`${passed} passed, ${failed} failed`);
  return { passed, failed };
}
