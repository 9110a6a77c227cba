import mittImport, { type Emitter, type EventHandlerList, type WildCardEventHandlerList } from 'mitt';
import { describe } from './describe.js';
import type { State } from './types.js';

/** Why the breaker opened. */
export type OpenReason = 'failures' | 'failureRate' | 'slowCallRate' | 'probeFailed' | 'manual';
/** Why the breaker closed. */
export type CloseReason = 'probesSucceeded' | 'manual';
/** Which user callback threw, in a `callbackError` event. */
export type CallbackName = 'listener' | 'isFailure' | 'isResultFailure' | 'resetTimeoutMs';

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
  open: { name: string; reason: OpenReason; retryAfterMs: number };
  halfOpen: { name: string };
  close: { name: string; reason: CloseReason };
  isolate: { name: string };
  disable: { name: string };
  /** After the specific event (`open`, `halfOpen`, `close`, `isolate`, `disable`). */
  stateChange: { name: string; from: State; to: State };
  reject: { name: string; state: State; retryAfterMs: number };
  success: { name: string; durationMs: number };
  /** Failures, timeouts and result failures. For a result failure, `error` is the resolved value. */
  failure: { name: string; error: unknown; durationMs: number };
  ignore: { name: string; error: unknown };
  /** Before the timed-out call's `failure`. */
  timeout: { name: string; timeoutMs: number };
  /**
   * A user callback threw: a listener, `isFailure`, `isResultFailure` or `resetTimeoutMs`.
   * The call's result and the breaker's state are unaffected. With no listener for this
   * event, the error is rethrown asynchronously (as `EventTarget` does), so it is never lost.
   */
  callbackError: { name: string; error: unknown; callback: CallbackName };
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
];

/** @internal */
export const BIT = Object.fromEntries(EVENT_TYPES.map((type, i) => [type, 1 << i])) as Record<EventType, number>;

type Handler = (event: never) => void;
type AnyWildcard = (type: EventType, event: unknown) => void;

// mitt's default export is typed as its module object under NodeNext; at runtime it is the
// factory in every format we ship.
const mitt = mittImport as unknown as <E extends Record<string, unknown>>() => Emitter<E>;

function rethrowLater(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
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
    let mask = (all.get('*')?.length ?? 0) > 0 ? -1 : 0;
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
    if (wild !== undefined) {
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

/** @internal The listeners a breaker emits to: its own, and its registry's if it has one. */
export class Emit {
  constructor(
    readonly own: Hub,
    readonly parent: Hub | undefined,
  ) {}

  wants(bit: number): boolean {
    return ((this.own.mask | (this.parent === undefined ? 0 : this.parent.mask)) & bit) !== 0;
  }

  emit(type: EventType, event: unknown): void {
    let errors = this.own.dispatch(type, event, undefined);
    if (this.parent !== undefined) errors = this.parent.dispatch(type, event, errors);
    if (errors === undefined) return;
    const name = (event as { name: string }).name;
    for (const error of errors) this.report(name, error, 'listener', type === 'callbackError');
  }

  /** Reports a user callback's error to `callbackError` listeners, else rethrows it later. */
  report(name: string, error: unknown, callback: CallbackName, fromReporting = false): void {
    if (fromReporting || !this.wants(BIT.callbackError)) rethrowLater(error);
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
