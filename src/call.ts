import type { CircuitBreaker } from './breaker.js';
import { describe } from './describe.js';
import { CallTimeoutError, CircuitOpenError } from './errors.js';
import { BREAKER_OPTION_NAMES, func, knownKeys, optionsObject } from './options.js';
import { FAILURE, IGNORED, type Probe, REFUSED } from './outcome.js';
import type { CallContext, ExecuteOptions, Fallback, Guarded } from './types.js';

type Fn = (this: unknown, ...args: never[]) => unknown;

/** @internal The context handed to `execute`'s function. Its AbortController is made only when needed. */
export class Context implements CallContext {
  private controller: AbortController | undefined = undefined;

  get signal(): AbortSignal {
    this.controller ??= new AbortController();
    return this.controller.signal;
  }

  abort(reason: unknown): void {
    this.controller ??= new AbortController();
    this.controller.abort(reason);
  }
}

/**
 * @internal The fast path, after `b.enter()` let the call through and `fn` returned `result`:
 * the caller gets `fn`'s own promise, and the outcome is counted on a side branch registered
 * first, so the state is up to date by the time the caller sees the result. A plain call (not
 * a probe, no duration needed) allocates nothing here: its handlers are made once per
 * generation. Callers invoke `fn` themselves, so that no extra frame stands between the
 * caller and `fn` in stack traces.
 */
export function track(
  b: CircuitBreaker,
  result: unknown,
  gen: number,
  start: number,
  probe: Probe | undefined,
): Promise<unknown> {
  const promise = result instanceof Promise ? result : Promise.resolve(result);
  if (probe === undefined && start !== start) {
    const plain = b.plainHandlers();
    promise.then(plain.ok, plain.error);
  } else {
    promise.then(
      (value) => b.record(gen, start, probe, b.classifyValue(value), value),
      (error) => b.record(gen, start, probe, b.classifyError(error), error),
    );
  }
  return promise;
}

/** @internal The fast path when `fn` threw synchronously: a rejection like any other. */
export function thrown(b: CircuitBreaker, gen: number, start: number, probe: Probe | undefined, error: unknown): Promise<never> {
  b.record(gen, start, probe, b.classifyError(error), error);
  return Promise.reject(error);
}

/**
 * With a store, a would-be probe waits for the fleet's lease (at most the store's timeout),
 * then runs as `run` says, or is turned away.
 */
function afterLease(b: CircuitBreaker, probe: Probe, run: (probe: Probe | undefined) => Promise<unknown>): Promise<unknown> {
  return (probe.lease as Promise<boolean>).then((granted) => {
    const admitted = b.leased(probe, granted);
    return admitted instanceof CircuitOpenError ? Promise.reject(admitted) : run(admitted);
  });
}

/** Runs `fn` for a call let through, counting its outcome: the fast path after a lease. */
function runAdmitted(
  b: CircuitBreaker,
  probe: Probe | undefined,
  fn: Fn,
  thisArg: unknown,
  args: ArrayLike<unknown>,
): Promise<unknown> {
  const gen = b.gen;
  const start = b.startTime();
  let result: unknown;
  try {
    result = fn.apply(thisArg, args as never[]);
  } catch (error) {
    return thrown(b, gen, start, probe, error);
  }
  return track(b, result, gen, start, probe);
}

/** @internal `execute`'s fast path for a would-be probe that waits for the fleet's lease. */
export function executeLeased(b: CircuitBreaker, probe: Probe, fn: (ctx: CallContext) => unknown): Promise<unknown> {
  return afterLease(b, probe, (p) => runAdmitted(b, p, fn as Fn, undefined, [new Context()]));
}

/**
 * The full path: a timeout, a caller signal or a fallback is in play. Whatever settles first
 * (the call, its timeout, the caller's abort) decides; later settlements are dropped.
 */
function invokeFull(
  b: CircuitBreaker,
  fn: Fn,
  thisArg: unknown,
  args: unknown[],
  context: Context | undefined,
  signal: AbortSignal | undefined,
  fallback: Fallback<unknown[], unknown> | undefined,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const fail = (error: unknown): void => {
      if (fallback === undefined) {
        reject(error);
        return;
      }
      try {
        resolve(fallback.call(thisArg, error, ...args));
      } catch (fallbackError) {
        reject(fallbackError);
      }
    };
    if (signal?.aborted) return reject(signal.reason);
    const probe = b.enter();
    if (probe === REFUSED) return fail(b.refusal(new Error()));
    if (probe?.lease === undefined) return run(probe);
    (probe.lease as Promise<boolean>).then((granted) => {
      const admitted = b.leased(probe, granted);
      if (admitted instanceof CircuitOpenError) fail(admitted);
      else if (signal?.aborted) {
        b.record(b.gen, Number.NaN, admitted, IGNORED, signal.reason);
        reject(signal.reason);
      } else run(admitted);
    });

    function run(probe: Probe | undefined): void {
      const gen = b.gen;
      const start = b.startTime();
      const clock = b.o.clock;
      let settled = false;
      let timer: unknown;
      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        if (timer !== undefined) clock.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        return true;
      };
      const onAbort = (): void => {
        if (!settle()) return;
        const reason = (signal as AbortSignal).reason;
        b.record(gen, start, probe, IGNORED, reason);
        context?.abort(reason);
        reject(reason);
      };
      const timeoutMs = b.o.timeoutMs;
      if (timeoutMs !== undefined) {
        timer = clock.setTimeout(() => {
          timer = undefined;
          if (!settle()) return;
          const error = new CallTimeoutError(b.name, timeoutMs);
          b.timedOut(gen, start, probe, error);
          context?.abort(error);
          fail(error);
        }, timeoutMs);
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      let result: unknown;
      try {
        result = fn.apply(thisArg, args as never[]);
      } catch (error) {
        result = Promise.reject(error);
      }
      Promise.resolve(result).then(
        (value) => {
          if (!settle()) return;
          b.record(gen, start, probe, b.classifyValue(value), value);
          resolve(value);
        },
        (error) => {
          if (!settle()) return;
          const outcome = b.classifyError(error);
          b.record(gen, start, probe, outcome, error);
          if (outcome === FAILURE) fail(error);
          else reject(error);
        },
      );
    }
  });
}

function isAbortSignal(value: unknown): value is AbortSignal {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AbortSignal).aborted === 'boolean' &&
    typeof (value as AbortSignal).addEventListener === 'function'
  );
}

/** A breaker option given to one call is a `TypeError` that says where it belongs. */
function breakerOptionHint(options: unknown): void {
  if (typeof options !== 'object' || options === null) return;
  const misplaced = BREAKER_OPTION_NAMES.find((name) => name in options);
  if (misplaced !== undefined) {
    throw new TypeError(`unknown option "${misplaced}": ${misplaced} is a breaker option; give it to createBreaker (or wrap)`);
  }
}

/** @internal `breaker.execute` when it cannot take the fast path: checks its arguments first. */
export function execute<T>(
  b: CircuitBreaker,
  fn: (ctx: CallContext) => T | PromiseLike<T>,
  options: ExecuteOptions | undefined,
): Promise<Awaited<T>> {
  let signal: AbortSignal | undefined;
  try {
    func('fn', fn);
    breakerOptionHint(options);
    signal = knownKeys('options', optionsObject('options', options), ['signal']).signal as AbortSignal | undefined;
    if (signal !== undefined && !isAbortSignal(signal)) {
      throw new TypeError(`options.signal must be an AbortSignal, got ${describe(signal)}`);
    }
  } catch (error) {
    return Promise.reject(error);
  }
  // With nothing left to check, the breaker's own fast path.
  if (signal === undefined && b.o.timeoutMs === undefined) return b.execute(fn);
  const context = new Context();
  return invokeFull(b, fn as Fn, undefined, [context], context, signal, undefined) as Promise<Awaited<T>>;
}

/** @internal `breaker.wrap`: `fn` guarded by `b`, keeping its arguments, result and `this`. */
export function guard<A extends unknown[], R, This>(
  b: CircuitBreaker,
  fn: (this: This, ...args: A) => R | PromiseLike<R>,
  fallback: Fallback<A, Awaited<R>> | undefined,
): Guarded<A, Awaited<R>, This> {
  func('fn', fn);
  if (fallback !== undefined) func('fallback', fallback);
  const f = fn as unknown as Fn;
  const fast = fallback === undefined && b.o.timeoutMs === undefined;
  const guarded = !fast
    ? function (this: unknown, ...args: unknown[]) {
        return invokeFull(b, f, this, args, undefined, undefined, fallback as Fallback<unknown[], unknown> | undefined);
      }
    : b.fleet === undefined
      ? // Without a store no call waits for a lease: nothing keeps `arguments`, so V8 passes
        // them on without building an object.
        function (this: unknown) {
          const probe = b.enter();
          // Made here, so that its stack starts at the call (see `enter`).
          if (probe === REFUSED) return Promise.reject(b.refusal(new Error()));
          const gen = b.gen;
          const start = b.startTime();
          let result: unknown;
          try {
            // biome-ignore lint/complexity/noArguments: V8 passes `arguments` on without building an array.
            result = f.apply(this, arguments as never);
          } catch (error) {
            return thrown(b, gen, start, probe, error);
          }
          return track(b, result, gen, start, probe);
        }
      : function (this: unknown) {
          const probe = b.enter();
          if (probe === REFUSED) return Promise.reject(b.refusal(new Error()));
          // biome-ignore lint/complexity/noArguments: kept for the call once the lease is granted.
          const args = arguments;
          if (probe?.lease !== undefined) return afterLease(b, probe, (p) => runAdmitted(b, p, f, this, args));
          return runAdmitted(b, probe, f, this, args);
        };
  Object.defineProperty(guarded, 'name', { value: fn.name });
  Object.defineProperty(guarded, 'breaker', { value: b, enumerable: true });
  return guarded as unknown as Guarded<A, Awaited<R>, This>;
}
