import { enter, type Gate, refusal, startTime } from './admission.js';
import { classifyError, classifyValue, plainHandlers, record, timedOut } from './counting.js';
import { describe } from './describe.js';
import { CallTimeoutError, CircuitOpenError } from './errors.js';
import type { FleetHooks } from './fleet-hooks.js';
import { BREAKER_OPTION_NAMES, func, knownKeys, optionsObject } from './options.js';
import { FAILURE, IGNORED, type Probe, REFUSED } from './outcome.js';
import type { CallContext, ExecuteOptions, Fallback, Guarded } from './types.js';

type Fn = (this: unknown, ...args: never[]) => unknown;

/** @internal The breaker as the call path sees it: admission and counting, and its own fast `execute`. */
export interface Callee extends Gate {
  execute<T>(fn: (ctx: CallContext) => T | PromiseLike<T>): Promise<Awaited<T>>;
}

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
 * @internal The fast path, after `enter(b)` let the call through and `fn` returned `result`:
 * the caller gets `fn`'s own promise, and the outcome is counted on a side branch registered
 * first, so the state is up to date by the time the caller sees the result. A plain call (not
 * a probe, no duration needed) allocates nothing here: its handlers are made once per
 * generation. Callers invoke `fn` themselves, so that no extra frame stands between the
 * caller and `fn` in stack traces.
 */
export function track(b: Gate, result: unknown, gen: number, start: number, probe: Probe | undefined): Promise<unknown> {
  const promise = result instanceof Promise ? result : Promise.resolve(result);
  if (probe === undefined && start !== start) {
    const plain = plainHandlers(b);
    promise.then(plain.ok, plain.error);
  } else {
    promise.then(
      (value) => record(b, gen, start, probe, classifyValue(b, value), value),
      (error) => record(b, gen, start, probe, classifyError(b, error), error),
    );
  }
  return promise;
}

/** @internal The fast path when `fn` threw synchronously: a rejection like any other. */
export function thrown(b: Gate, gen: number, start: number, probe: Probe | undefined, error: unknown): Promise<never> {
  record(b, gen, start, probe, classifyError(b, error), error);
  return Promise.reject(error);
}

/** Runs `fn` for a call let through, counting its outcome: the fast path after a lease. */
function runAdmitted(b: Gate, probe: Probe | undefined, fn: Fn, thisArg: unknown, args: ArrayLike<unknown>): Promise<unknown> {
  const gen = b.gen;
  const start = startTime(b);
  let result: unknown;
  try {
    result = fn.apply(thisArg, args as never[]);
  } catch (error) {
    return thrown(b, gen, start, probe, error);
  }
  return track(b, result, gen, start, probe);
}

/** @internal `execute`'s fast path for a would-be probe that waits for the fleet's lease. */
export function executeLeased(b: Gate, probe: Probe, fn: (ctx: CallContext) => unknown): Promise<unknown> {
  return (b.fleet as FleetHooks).afterLease(probe, (p) => runAdmitted(b, p, fn as Fn, undefined, [new Context()]));
}

/**
 * The full path: a timeout, a caller signal or a fallback is in play. Whatever settles first
 * (the call, its timeout, the caller's abort) decides; later settlements are dropped.
 */
function invokeFull(
  b: Gate,
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
    const probe = enter(b);
    if (probe === REFUSED) return fail(refusal(b, new Error()));
    if (probe?.lease === undefined) return run(probe);
    (probe.lease as Promise<boolean>).then((granted) => {
      const admitted = (b.fleet as FleetHooks).leased(probe, granted);
      if (admitted instanceof CircuitOpenError) fail(admitted);
      else if (signal?.aborted) {
        record(b, b.gen, Number.NaN, admitted, IGNORED, signal.reason);
        reject(signal.reason);
      } else run(admitted);
    });

    function run(probe: Probe | undefined): void {
      const gen = b.gen;
      const start = startTime(b);
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
        record(b, gen, start, probe, IGNORED, reason);
        context?.abort(reason);
        reject(reason);
      };
      const timeoutMs = b.o.timeoutMs;
      if (timeoutMs !== undefined) {
        timer = clock.setTimeout(() => {
          timer = undefined;
          if (!settle()) return;
          const error = new CallTimeoutError(b.name, timeoutMs);
          timedOut(b, gen, start, probe, error);
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
          record(b, gen, start, probe, classifyValue(b, value), value);
          resolve(value);
        },
        (error) => {
          if (!settle()) return;
          const outcome = classifyError(b, error);
          record(b, gen, start, probe, outcome, error);
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
  b: Callee,
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
  b: Gate,
  fn: (this: This, ...args: A) => R | PromiseLike<R>,
  fallback: Fallback<A, Awaited<R>> | undefined,
): Guarded<A, Awaited<R>, This> {
  func('fn', fn);
  if (fallback !== undefined) func('fallback', fallback);
  const f = fn as unknown as Fn;
  const full = function (this: unknown, ...args: unknown[]) {
    return invokeFull(b, f, this, args, undefined, undefined, fallback as Fallback<unknown[], unknown> | undefined);
  };
  // With a fallback or a `timeoutMs` already, the full path for good (`configure` can add a
  // `timeoutMs`, never remove one): the fast paths below check for one added later.
  const guarded =
    fallback !== undefined || b.o.timeoutMs !== undefined
      ? full
      : b.fleet === undefined
        ? // Without a store no call waits for a lease: nothing keeps `arguments`, so V8 passes
          // them on without building an object. A `timeoutMs` (given now or by `configure`
          // later) takes the full path.
          function (this: unknown) {
            // biome-ignore lint/complexity/noArguments: handed on as they are.
            if (b.o.timeoutMs !== undefined) return full.apply(this, arguments as never);
            const probe = enter(b);
            // Made here, so that its stack starts at the call (see `enter`).
            if (probe === REFUSED) return Promise.reject(refusal(b, new Error()));
            const gen = b.gen;
            const start = startTime(b);
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
            // biome-ignore lint/complexity/noArguments: handed on as they are.
            if (b.o.timeoutMs !== undefined) return full.apply(this, arguments as never);
            const probe = enter(b);
            if (probe === REFUSED) return Promise.reject(refusal(b, new Error()));
            // biome-ignore lint/complexity/noArguments: kept for the call once the lease is granted.
            const args = arguments;
            if (probe?.lease !== undefined)
              return (b.fleet as FleetHooks).afterLease(probe, (p) => runAdmitted(b, p, f, this, args));
            return runAdmitted(b, probe, f, this, args);
          };
  Object.defineProperty(guarded, 'name', { value: fn.name });
  Object.defineProperty(guarded, 'breaker', { value: b, enumerable: true });
  return guarded as unknown as Guarded<A, Awaited<R>, This>;
}
