import { isDeepStrictEqual } from 'node:util';
import { type Breaker, type BreakerOptions, createBreaker, isCircuitOpenError, type Permit } from '../../src/index.js';
import { type ManualClock, manualClock } from '../../src/testing/index.js';
import { type ModelOptions, type Outcome, type RefCall, type RefEvent, Reference, resetMs } from './reference.js';

/** How a call ends, as the test makes it end. A result failure resolves with a value flagged bad. */
export type Ending = 'success' | 'failure' | 'ignored' | 'result';

export const tagged = (tag: string): Error => Object.assign(new Error(tag), { tag });
export const okValue = Object.freeze({ tag: 'ok' });
export const badValue = Object.freeze({ tag: 'result' });

/** The tag the model uses for an event's `error`. */
export const tagOf = (x: unknown): string =>
  typeof x === 'object' && x !== null && 'tag' in x
    ? String((x as { tag: unknown }).tag)
    : x instanceof Error
      ? x.name
      : String(x);

/** What the breaker counts for an ending, and the `error` its event carries. */
export function counted(ending: Ending, viaPermit: boolean, withArgument: boolean): [Outcome, string] {
  if (ending === 'success') return ['success', 'undefined'];
  if (ending === 'ignored') return ['ignored', viaPermit && !withArgument ? 'undefined' : 'ignored'];
  if (viaPermit) return ['failure', withArgument && ending === 'failure' ? 'failure' : 'undefined'];
  return ending === 'result' ? ['failure', 'result'] : ['failure', 'failure'];
}

const STATE_EVENTS = ['open', 'halfOpen', 'close', 'isolate', 'disable', 'stateChange', 'reject'] as const;

export function breakerOptions(o: ModelOptions, clock: ManualClock): BreakerOptions {
  const r = o.reset;
  const common: BreakerOptions = {
    name: 'm',
    clock,
    halfOpenMaxCalls: o.halfOpenMaxCalls,
    rampUpMs: o.rampUpMs,
    timeoutMs: o.timeoutMs,
    resetTimeoutMs: r.kind === 'fixed' ? r.ms : (attempt: number) => resetMs(r, attempt),
    slowCallDurationMs: o.slowCallDurationMs,
    isFailure: (error) => tagOf(error) !== 'ignored',
    isResultFailure: (value) => tagOf(value) === 'result',
  };
  const w = o.window;
  if (w.kind === 'consecutive') return { ...common, failureThreshold: o.failureThreshold };
  const rate = {
    halfOpenPolicy: o.halfOpenPolicy,
    failureRateThreshold: o.failureRateThreshold,
    minimumCalls: o.minimumCalls,
    slowCallRateThreshold: o.slowCallRateThreshold,
  };
  if (w.kind === 'count') return { ...common, ...rate, window: { size: w.size } };
  return { ...common, ...rate, window: { durationMs: w.width * w.buckets, buckets: w.buckets } };
}

/** A call the test started and will settle later. */
export interface Pending {
  readonly viaPermit: boolean;
  settle(ending: Ending, withArgument: boolean, twice: boolean, timedOut: boolean): Promise<void>;
}

/** The real breaker, its clock, the events it emitted and the calls left hanging. */
export class Sut {
  readonly clock: ManualClock;
  breaker: Breaker;
  events: RefEvent[] = [];
  pending: Pending[] = [];
  private unsubscribe: () => void;

  constructor(public o: ModelOptions) {
    this.clock = manualClock(o.startMs);
    this.breaker = createBreaker(breakerOptions(o, this.clock));
    this.unsubscribe = this.listen();
  }

  private listen(): () => void {
    const push = (type: string, event: object) => {
      const { name, ...payload } = event as Record<string, unknown>;
      if (name !== 'm') throw new Error(`event from ${String(name)}`);
      if ('error' in payload) payload.error = tagOf(payload.error);
      // A `configure` event's functions are new ones each time: the model knows them as 'function'.
      if (type === 'configure') {
        const options = { ...(payload.options as Record<string, unknown>) };
        for (const key of Object.keys(options)) if (typeof options[key] === 'function') options[key] = 'function';
        payload.options = options;
      }
      this.events.push([type, payload]);
    };
    if (this.o.listen === 'all') return this.breaker.on('*', push);
    if (this.o.listen === 'none') return () => {};
    const offs = STATE_EVENTS.map((type) => this.breaker.on(type, (e: object) => push(type, e)));
    return () => {
      for (const off of offs) off();
    };
  }

  /** toJSON, through JSON text, into a new breaker on the same clock; old calls stay with the old one. */
  restore(): void {
    const snapshot = JSON.parse(JSON.stringify(this.breaker.toJSON()));
    this.unsubscribe();
    this.breaker = createBreaker({ ...breakerOptions(this.o, this.clock), initialState: snapshot });
    this.unsubscribe = this.listen();
  }
}

/** A hanging call as the model sees it: `at` is when its timeout fires (in clock time), if it has one. */
export interface ModelPending {
  readonly call: RefCall;
  readonly at: number | undefined;
  readonly seq: number;
  timedOut: boolean;
}

export interface ModelState {
  ref: Reference;
  pending: ModelPending[];
  seq: number;
}

export interface RealState {
  sut: Sut;
}

export const setup = (o: ModelOptions) => () => ({
  model: { ref: new Reference(o), pending: [], seq: 0 } as ModelState,
  real: { sut: new Sut(o) } as RealState,
});

/** After every command: stats (which observe) and the events so far must be the model's. */
export function compare(m: ModelState, r: RealState): void {
  const actual = r.sut.breaker.stats();
  const expected = m.ref.stats('m');
  if (!isDeepStrictEqual([actual, r.sut.events], [expected, m.ref.events])) {
    throw new Error(
      `breaker and model differ\n  real:  ${JSON.stringify(actual)}\n  model: ${JSON.stringify(expected)}\n` +
        `  real events:  ${JSON.stringify(r.sut.events)}\n  model events: ${JSON.stringify(m.ref.events)}`,
    );
  }
  r.sut.events = [];
  m.ref.events = [];
}

/** Checks that a rejection is the `CircuitOpenError` the model expects. */
export function expectRejection(error: unknown, expected: { state: string; retryAfterMs: number }): void {
  if (!isCircuitOpenError(error) || error.state !== expected.state || error.retryAfterMs !== expected.retryAfterMs) {
    throw new Error(`expected CircuitOpenError ${JSON.stringify(expected)}, got ${String(error)}`);
  }
}

/** Settles a permit; `twice` then tries to settle it again the other way, which must do nothing. */
export function settlePermit(permit: Permit, ending: Ending, withArgument: boolean, twice: boolean): void {
  if (ending === 'success') permit.success();
  else if (ending === 'ignored') {
    if (withArgument) permit.failure(tagged('ignored'));
    else permit.ignore();
  } else if (withArgument && ending === 'failure') permit.failure(tagged('failure'));
  else permit.failure();
  if (twice) {
    if (ending === 'success') permit.failure();
    else permit.success();
    permit.ignore();
  }
}
