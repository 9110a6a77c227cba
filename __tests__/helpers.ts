import { type Breaker, type BreakerEvents, type BreakerOptions, createBreaker, type EventType } from '../src/index.js';
import { type ManualClock, manualClock } from '../src/testing/index.js';

/** Lets pending promise callbacks run (no time passes). */
export async function flush(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

/** A promise with its resolve and reject functions. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export const boom = new Error('boom');
export const failing = (): Promise<never> => Promise.reject(boom);
export const succeeding = (): Promise<string> => Promise.resolve('ok');

/** A breaker on a manual clock. */
export function setup(options: BreakerOptions = {}): { clock: ManualClock; breaker: Breaker } {
  const clock = manualClock();
  return { clock, breaker: createBreaker({ clock, ...options }) };
}

/** Runs `n` failing calls, waiting for each. */
export async function fail(breaker: Breaker, n = 1): Promise<void> {
  for (let i = 0; i < n; i++) await breaker.execute(failing).catch(() => undefined);
}

/** Runs `n` succeeding calls, waiting for each. */
export async function succeed(breaker: Breaker, n = 1): Promise<void> {
  for (let i = 0; i < n; i++) await breaker.execute(succeeding);
}

/** Every event the breaker emits, in order, as `[type, payload]`. */
export function recordEvents(breaker: Pick<Breaker, 'on'>): [EventType, BreakerEvents[EventType]][] {
  const seen: [EventType, BreakerEvents[EventType]][] = [];
  breaker.on('*', (type, event) => seen.push([type, event]));
  return seen;
}

/** The types of the events recorded. */
export const types = (seen: [EventType, unknown][]): EventType[] => seen.map(([type]) => type);

/** Freezes `value` and everything reachable from it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}
