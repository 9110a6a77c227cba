import mittImport, { type Emitter, type EventHandlerList, type WildCardEventHandlerList } from 'mitt';
import { describe } from './describe.js';
import type { BreakerSettings } from './options.js';
import type { CloseReason, OpenReason, State } from './state.js';

export type { CloseReason, OpenReason } from './state.js';

/**
 * Which user callback threw, in a `callbackError` event.
 *
 * @example
 * ```ts
 * import { createBreaker, type CallbackName } from 'tripswitch';
 *
 * const breaker = createBreaker();
 * breaker.on('callbackError', ({ callback, error }: { callback: CallbackName; error: unknown }) => {
 *   console.error(`a ${callback} callback threw`, error);
 * });
 * ```
 */
export type CallbackName = 'listener' | 'isFailure' | 'isResultFailure' | 'resetTimeoutMs' | 'isFailureStatus';

/**
 * Every event a breaker emits, with its payload. Subscribe with `breaker.on(type, handler)`.
 *
 * A failing call that trips the breaker emits `failure`, `open`, then `stateChange`; the probe
 * that closes it emits `success`, `close`, then `stateChange`. Transitions that become due
 * with time are emitted when the breaker is next observed (a call, `state` or `stats()`):
 * there are no background timers.
 *
 * @example
 * ```ts
 * import { createBreaker, type BreakerEvents } from 'tripswitch';
 *
 * const breaker = createBreaker({ name: 'search' });
 * breaker.on('open', (event: BreakerEvents['open']) => {
 *   console.log(`${event.name} opened (${event.reason}), retry in ${event.retryAfterMs} ms`);
 * });
 * breaker.on('*', (type, event) => console.log(type, event.name));
 * ```
 */
export type BreakerEvents = {
  /** The breaker opened: calls are rejected until `retryAfterMs` has passed. */
  open: {
    /** The breaker's name (in a registry, its key). */
    name: string;
    /** What opened it. */
    reason: OpenReason;
    /** Milliseconds until a probe may be let through. */
    retryAfterMs: number;
    /** With a store: true when another instance of the fleet made this transition. */
    remote?: true;
    /** With a store, on a remote transition: the instance that made it. */
    instance?: string;
  };
  /** The open period is over: probes may be let through. */
  halfOpen: {
    /** The breaker's name. */
    name: string;
    /** With a store: true when another instance of the fleet made this transition. */
    remote?: true;
    /** With a store, on a remote transition: the instance that made it. */
    instance?: string;
  };
  /** The breaker closed: calls run again, with an empty window. */
  close: {
    /** The breaker's name. */
    name: string;
    /** What closed it. */
    reason: CloseReason;
    /** With a store: true when another instance of the fleet made this transition. */
    remote?: true;
    /** With a store, on a remote transition: the instance that made it. */
    instance?: string;
  };
  /** `isolate()` was called: every call is rejected until `close()`. */
  isolate: {
    /** The breaker's name. */
    name: string;
    /** With a store: true when another instance of the fleet made this transition. */
    remote?: true;
    /** With a store, on a remote transition: the instance that made it. */
    instance?: string;
  };
  /** `disable()` was called: every call runs and the state never changes until `close()`. */
  disable: {
    /** The breaker's name. */
    name: string;
    /** With a store: true when another instance of the fleet made this transition. */
    remote?: true;
    /** With a store, on a remote transition: the instance that made it. */
    instance?: string;
  };
  /** After the specific event (`open`, `halfOpen`, `close`, `isolate`, `disable`). */
  stateChange: {
    /** The breaker's name. */
    name: string;
    /** The state left. */
    from: State;
    /** The state entered. */
    to: State;
    /** With a store: true when another instance of the fleet made this transition. */
    remote?: true;
    /** With a store, on a remote transition: the instance that made it. */
    instance?: string;
  };
  /** A call was turned away without running. */
  reject: {
    /** The breaker's name. */
    name: string;
    /** The state that rejected it: `'open'`, `'halfOpen'` or `'isolated'`; `'closed'` while ramping up (`rampUpMs`). */
    state: State;
    /** Milliseconds until a call may be let through; `Infinity` when isolated. */
    retryAfterMs: number;
  };
  /** A call succeeded. */
  success: {
    /** The breaker's name. */
    name: string;
    /** How long the call took, in milliseconds of the breaker's clock. */
    durationMs: number;
  };
  /** Failures, timeouts and result failures. For a result failure, `error` is the resolved value. */
  failure: {
    /** The breaker's name. */
    name: string;
    /** The error thrown, the `CallTimeoutError`, or the value `isResultFailure` rejected. */
    error: unknown;
    /** How long the call took, in milliseconds of the breaker's clock. */
    durationMs: number;
  };
  /** An outcome counted as neither success nor failure (`isFailure` returned false, or the caller aborted). */
  ignore: {
    /** The breaker's name. */
    name: string;
    /** The error that was ignored. */
    error: unknown;
  };
  /** Before the timed-out call's `failure`. */
  timeout: {
    /** The breaker's name. */
    name: string;
    /** The limit that was exceeded. */
    timeoutMs: number;
  };
  /** `configure` changed the breaker's options (at once for every breaker of a registry's `configure`). */
  configure: {
    /** The breaker's name. */
    name: string;
    /** The options that changed, with their new values (a `window` as it could be given). */
    options: BreakerSettings;
  };
  /**
   * A user callback threw: a listener, `isFailure`, `isResultFailure`, `resetTimeoutMs` or a middleware's `isFailureStatus`.
   * The call's result and the breaker's state are unaffected. With no listener for this
   * event (and for errors thrown by its own listeners), the error is reported as a process
   * warning (`process.emitWarning`, type `TripswitchWarning`, code `TRIPSWITCH_CALLBACK_ERROR`)
   * naming the breaker and the callback, once per breaker, callback and message; where there
   * is no `process.emitWarning`, it is not reported. It never crashes the process.
   */
  callbackError: {
    /** The breaker's name. */
    name: string;
    /** What the callback threw (or, for `resetTimeoutMs`, the error describing the bad value). */
    error: unknown;
    /** Which callback it was. */
    callback: CallbackName;
  };
};

/**
 * The name of an event.
 *
 * @example
 * ```ts
 * import type { EventType } from 'tripswitch';
 *
 * const watched: EventType[] = ['open', 'close'];
 * ```
 */
export type EventType = keyof BreakerEvents;

/** @internal The event types, in the order of their bits in a mask. */
export const EVENT_TYPES: readonly EventType[] = [
  'open',
  'halfOpen',
  'close',
  'isolate',
  'disable',
  'stateChange',
  'reject',
  'success',
  'failure',
  'ignore',
  'timeout',
  'callbackError',
  'configure',
];

/** @internal */
export const BIT = Object.fromEntries(EVENT_TYPES.map((type, i) => [type, 1 << i])) as Record<EventType, number>;

type Handler = (event: never) => void;
type AnyWildcard = (type: EventType, event: unknown) => void;

// mitt's default export is typed as its module object under NodeNext; at runtime it is the
// factory in every format we ship.
const mitt = mittImport as unknown as <E extends Record<string, unknown>>() => Emitter<E>;

/** The most distinct warnings one breaker gives; past that, its callbacks' errors go unreported. */
const MAX_WARNINGS = 50;

/**
 * Reports a user callback's error as a process warning, through `globalThis.process` so the
 * core needs no Node import; where there is no `process.emitWarning`, nothing is reported.
 */
function warn(name: string, callback: CallbackName, error: unknown, seen: Set<string>): void {
  const p = (globalThis as { process?: { emitWarning?: (warning: string, options: object) => void } }).process;
  const text = error instanceof Error ? `${error.name}: ${error.message}` : describe(error);
  const key = `${callback} ${text}`;
  if (typeof p?.emitWarning !== 'function' || seen.has(key) || seen.size >= MAX_WARNINGS) return;
  seen.add(key);
  try {
    p.emitWarning(
      `the ${callback} callback of breaker ${JSON.stringify(name)} threw: ${text} (listen to callbackError to handle it; each message is shown once)`,
      { type: 'TripswitchWarning', code: 'TRIPSWITCH_CALLBACK_ERROR', detail: (error as Error | undefined)?.stack },
    );
  } catch {
    // A warning that cannot be given must not break the call either.
  }
}

/**
 * @internal Listeners of one breaker (or registry), kept in a mitt emitter. Dispatch isolates
 * each listener, and a bit mask tells at once whether anybody listens to an event.
 */
export class Hub {
  readonly emitter: Emitter<BreakerEvents> = mitt<BreakerEvents>();
  mask = 0;

  on(type: EventType | '*', handler: Handler | AnyWildcard): () => void {
    checkListener(type, handler);
    this.emitter.on(type as EventType, handler as never);
    this.refresh();
    return () => this.off(type, handler);
  }

  off(type: EventType | '*', handler: Handler | AnyWildcard): void {
    checkListener(type, handler);
    this.emitter.off(type as EventType, handler as never);
    this.refresh();
  }

  private refresh(): void {
    const all = this.emitter.all;
    // '*' listeners receive every event but `callbackError`, which reports their own errors.
    let mask = (all.get('*')?.length ?? 0) > 0 ? ~BIT.callbackError : 0;
    for (const type of EVENT_TYPES) if ((all.get(type)?.length ?? 0) > 0) mask |= BIT[type];
    this.mask = mask;
  }

  /** Calls the listeners of `type`, then the wildcard ones; returns the errors they threw. */
  dispatch(type: EventType, event: unknown, errors: unknown[] | undefined): unknown[] | undefined {
    const all = this.emitter.all;
    const typed = all.get(type) as EventHandlerList<unknown> | undefined;
    if (typed !== undefined) {
      for (const handler of typed.slice()) {
        try {
          handler(event);
        } catch (error) {
          (errors ??= []).push(error);
        }
      }
    }
    const wild = all.get('*') as WildCardEventHandlerList<BreakerEvents> | undefined;
    if (wild !== undefined && type !== 'callbackError') {
      for (const handler of wild.slice()) {
        try {
          (handler as AnyWildcard)(type, event);
        } catch (error) {
          (errors ??= []).push(error);
        }
      }
    }
    return errors;
  }
}

/**
 * @internal The listeners a breaker emits to: its own, and its registry's if it has one. Its
 * own hub (and mitt emitter) is made on the first `on`, so an idle breaker stays small.
 */
export class Emit {
  own: Hub | undefined;
  /** The callback errors already given as process warnings, made on the first one. */
  private warned: Set<string> | undefined;

  constructor(readonly parent: Hub | undefined) {}

  wants(bit: number): boolean {
    const own = this.own;
    const parent = this.parent;
    return (((own === undefined ? 0 : own.mask) | (parent === undefined ? 0 : parent.mask)) & bit) !== 0;
  }

  on(type: EventType | '*', handler: Handler | AnyWildcard): () => void {
    return (this.own ??= new Hub()).on(type, handler);
  }

  off(type: EventType | '*', handler: Handler | AnyWildcard): void {
    if (this.own === undefined) checkListener(type, handler);
    else this.own.off(type, handler);
  }

  emit(type: EventType, event: unknown): void {
    let errors = this.own?.dispatch(type, event, undefined);
    if (this.parent !== undefined) errors = this.parent.dispatch(type, event, errors);
    if (errors === undefined) return;
    const name = (event as { name: string }).name;
    for (const error of errors) this.report(name, error, 'listener', type === 'callbackError');
  }

  /**
   * Reports a user callback's error to `callbackError` listeners, else (and for the errors of
   * those listeners) as a process warning, once per breaker, callback and message.
   */
  report(name: string, error: unknown, callback: CallbackName, fromReporting = false): void {
    if (fromReporting || !this.wants(BIT.callbackError)) warn(name, callback, error, (this.warned ??= new Set()));
    else this.emit('callbackError', { name, error, callback });
  }
}

function checkListener(type: unknown, handler: unknown): void {
  if (type !== '*' && !(EVENT_TYPES as readonly unknown[]).includes(type)) {
    throw new TypeError(`event type must be one of ${EVENT_TYPES.join(', ')} or '*', got ${describe(type)}`);
  }
  if (typeof handler !== 'function') {
    throw new TypeError(`listener for '${String(type)}' must be a function, got ${describe(handler)}`);
  }
}
