import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { isCallTimeoutError, isCircuitOpenError } from '../../src/index.js';
import { type ModelOptions, type ResetSpec, resetMs, type WindowSpec } from './reference.js';
import {
  badValue,
  compare,
  counted,
  type Ending,
  expectRejection,
  type ModelState,
  okValue,
  type Pending,
  type RealState,
  settlePermit,
  tagged,
} from './system.js';

type Cmd = fc.AsyncCommand<ModelState, RealState>;
type Shape = 'async' | 'sync' | 'thenable';

/** A function that ends as asked, returning a promise, a plain value / sync throw, or a thenable. */
function ending(end: Ending, shape: Shape): () => unknown {
  const value = end === 'result' ? badValue : okValue;
  const error = end === 'ignored' ? tagged('ignored') : tagged('failure');
  const ok = end === 'success' || end === 'result';
  if (shape === 'async') return () => (ok ? Promise.resolve(value) : Promise.reject(error));
  if (shape === 'thenable')
    // biome-ignore lint/suspicious/noThenProperty: a thenable is one of the shapes fn may return
    return () => ({ then: (res: (v: unknown) => void, rej: (e: unknown) => void) => (ok ? res(value) : rej(error)) });
  return () => {
    if (ok) return value;
    throw error;
  };
}

const outcomeOf = (p: Promise<unknown>) =>
  p.then(
    (value) => ({ ok: true, value }),
    (error) => ({ ok: false, value: error }),
  );

function expectCallerGets(result: { ok: boolean; value: unknown }, end: Ending): void {
  const ok = end === 'success' || end === 'result';
  const tag = (result.value as { tag?: string } | undefined)?.tag;
  const want = end === 'success' ? 'ok' : end === 'result' ? 'result' : end;
  if (result.ok !== ok || tag !== want) throw new Error(`caller got ${JSON.stringify(result)} for ${end}`);
}

/** A call that runs to its end at once, through execute, a guarded function or a permit. */
class Call implements Cmd {
  constructor(
    readonly end: Ending,
    readonly via: 'execute' | 'wrap' | 'permit',
    readonly shape: Shape,
  ) {}
  check = () => true;
  async run(m: ModelState, r: RealState): Promise<void> {
    const b = r.sut.breaker;
    const entry = m.ref.enter();
    const withArgument = this.shape !== 'sync';
    if (this.via === 'permit') {
      let permit: ReturnType<typeof b.acquire> | undefined;
      try {
        permit = b.acquire();
      } catch (error) {
        if (!('rejected' in entry)) throw error;
        expectRejection(error, entry.rejected);
      }
      if (permit !== undefined) {
        if (!('call' in entry)) throw new Error('acquire let a call through that the model rejects');
        settlePermit(permit, this.end, withArgument, false);
        m.ref.settle(entry.call, ...counted(this.end, true, withArgument));
      }
    } else {
      const fn = ending(this.end, this.shape);
      const result = await outcomeOf(this.via === 'execute' ? b.execute(fn) : b.wrap(fn)());
      if ('rejected' in entry) expectRejection(result.value, entry.rejected);
      else {
        if (!result.ok && isCircuitOpenError(result.value)) throw new Error('rejected a call that the model lets through');
        expectCallerGets(result, this.end);
        m.ref.settle(entry.call, ...counted(this.end, false, true));
      }
    }
    compare(m, r);
  }
  toString = () => `call(${this.end}, ${this.via}, ${this.shape})`;
}

/** A call that hangs until a later Settle. */
class Start implements Cmd {
  constructor(readonly via: 'execute' | 'permit') {}
  check = () => true;
  async run(m: ModelState, r: RealState): Promise<void> {
    const b = r.sut.breaker;
    const entry = m.ref.enter();
    let pending: Pending | undefined;
    if (this.via === 'permit') {
      try {
        const permit = b.acquire();
        pending = {
          viaPermit: true,
          settle: async (end, withArgument, twice) => settlePermit(permit, end, withArgument, twice),
        };
      } catch (error) {
        if (!('rejected' in entry)) throw error;
        expectRejection(error, entry.rejected);
      }
    } else {
      let settle: ((end: Ending) => void) | undefined;
      const caller = outcomeOf(
        b.execute(
          () =>
            new Promise((resolve, reject) => {
              settle = (end) =>
                end === 'success' ? resolve(okValue) : end === 'result' ? resolve(badValue) : reject(tagged(end));
            }),
        ),
      );
      if (settle === undefined) {
        if (!('rejected' in entry)) throw new Error('rejected a call that the model lets through');
        expectRejection((await caller).value, entry.rejected);
      } else {
        const s = settle;
        pending = {
          viaPermit: false,
          settle: async (end, _arg, _twice, timedOut) => {
            s(end);
            const result = await caller;
            if (!timedOut) expectCallerGets(result, end);
            else if (result.ok || !isCallTimeoutError(result.value))
              throw new Error(`expected a CallTimeoutError, got ${String(result.value)}`);
          },
        };
      }
    }
    if (pending !== undefined) {
      if (!('call' in entry)) throw new Error('let a call through that the model rejects');
      r.sut.pending.push(pending);
      const timed = !pending.viaPermit && m.ref.o.timeoutMs !== undefined;
      m.pending.push({
        call: entry.call,
        at: timed ? m.ref.raw + (m.ref.o.timeoutMs as number) : undefined,
        seq: m.seq++,
        timedOut: false,
      });
    }
    compare(m, r);
  }
  toString = () => `start(${this.via})`;
}

/**
 * Settles one hanging call. A permit is given the error as an argument or not (`arg`), and with
 * `twice` gets further, different reports, which must count for nothing.
 */
class Settle implements Cmd {
  constructor(
    readonly index: number,
    readonly end: Ending,
    readonly arg: boolean,
    readonly twice: boolean,
  ) {}
  check = (m: Readonly<ModelState>) => m.pending.length > 0;
  async run(m: ModelState, r: RealState): Promise<void> {
    const i = this.index % m.pending.length;
    const [{ call, timedOut }] = m.pending.splice(i, 1);
    const [pending] = r.sut.pending.splice(i, 1);
    await pending.settle(this.end, this.arg, this.twice, timedOut);
    // After a timeout, the late settlement is dropped.
    if (!timedOut) m.ref.settle(call, ...counted(this.end, pending.viaPermit, pending.viaPermit ? this.arg : true));
    compare(m, r);
  }
  toString = () => `settle(#${this.index}, ${this.end}${this.arg ? ', arg' : ''}${this.twice ? ', twice' : ''})`;
}

class Advance implements Cmd {
  constructor(
    readonly ms: number,
    readonly quiet: boolean,
  ) {}
  check = () => true;
  async run(m: ModelState, r: RealState): Promise<void> {
    r.sut.clock.advance(this.ms);
    // The clock runs the timeouts that come due, in order, each at its own time.
    const target = m.ref.raw + this.ms;
    const due = m.pending.filter((p) => p.at !== undefined && !p.timedOut && p.at <= target);
    for (const p of due.sort((a, b) => (a.at as number) - (b.at as number) || a.seq - b.seq)) {
      m.ref.raw = Math.max(m.ref.raw, p.at as number);
      p.timedOut = true;
      m.ref.timeout(p.call);
    }
    m.ref.raw = target;
    // A quiet step is checked by the next command, so settlements can land before an observation.
    if (!this.quiet) compare(m, r);
  }
  toString = () => `advance(${this.ms}${this.quiet ? ', quiet' : ''})`;
}

/** The clock jumps backwards (looked at just before, so both sides saw the same readings). */
class Back implements Cmd {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(m: ModelState, r: RealState): Promise<void> {
    compare(m, r);
    m.ref.raw -= this.ms;
    r.sut.clock.set(m.ref.raw);
    compare(m, r);
  }
  toString = () => `back(${this.ms})`;
}

class ReadState implements Cmd {
  check = () => true;
  async run(m: ModelState, r: RealState): Promise<void> {
    const actual = r.sut.breaker.state;
    const expected = m.ref.observe();
    if (actual !== expected) throw new Error(`state is ${actual}, model says ${expected}`);
    compare(m, r);
  }
  toString = () => 'state';
}

class Manual implements Cmd {
  constructor(
    readonly op: 'open' | 'isolate' | 'close' | 'disable' | 'restore',
    readonly ms?: number,
  ) {}
  check = () => true;
  async run(m: ModelState, r: RealState): Promise<void> {
    const b = r.sut.breaker;
    if (this.op === 'open') {
      b.open(this.ms);
      m.ref.open(this.ms);
    } else if (this.op === 'restore') {
      r.sut.restore();
      m.ref.restore();
    } else {
      b[this.op]();
      m.ref[this.op]();
    }
    compare(m, r);
  }
  toString = () => `${this.op}(${this.ms ?? ''})`;
}

/** Options `configure` may change at a random moment; those that do not fit the breaker's mode are left out. */
interface ConfigSpec {
  readonly rampUpMs?: number;
  readonly halfOpenPolicy?: 'all' | 'rate';
  readonly halfOpenMaxCalls?: number;
  readonly failureThreshold?: number;
  readonly failureRateThreshold?: number;
  readonly minimumCalls?: number;
  readonly slowCallRateThreshold?: number;
  readonly reset?: ResetSpec;
  readonly window?: WindowSpec;
}

/** An option as `configure`'s event gives it (functions as 'function', windows as they are given). */
function givenForm(key: string, o: ModelOptions): unknown {
  if (key === 'resetTimeoutMs') return o.reset.kind === 'fixed' ? o.reset.ms : 'function';
  if (key === 'window') {
    const w = o.window;
    return w.kind === 'count'
      ? { size: w.size }
      : w.kind === 'time'
        ? { durationMs: w.width * w.buckets, buckets: w.buckets }
        : undefined;
  }
  return o[key as keyof ModelOptions];
}

class Configure implements Cmd {
  constructor(readonly spec: ConfigSpec) {}
  check = () => true;
  async run(m: ModelState, r: RealState): Promise<void> {
    const before = m.ref.o;
    const rate = before.window.kind !== 'consecutive';
    const { reset, window, ...plain } = this.spec;
    const given: Record<string, unknown> = { ...plain };
    if (rate) delete given.failureThreshold;
    else for (const key of ['halfOpenPolicy', 'failureRateThreshold', 'minimumCalls', 'slowCallRateThreshold']) delete given[key];
    const next: ModelOptions = { ...before, ...(given as Partial<ModelOptions>) };
    const partial: Record<string, unknown> = { ...given };
    if (reset !== undefined) {
      (next as { reset: ResetSpec }).reset = reset;
      partial.resetTimeoutMs = reset.kind === 'fixed' ? reset.ms : (attempt: number) => resetMs(reset, attempt);
    }
    if (window !== undefined && rate) {
      (next as { window: WindowSpec }).window = window;
      partial.window = givenForm('window', next);
    }
    const changed: Record<string, unknown> = {};
    for (const key of Object.keys(partial)) {
      const now = givenForm(key, next);
      if (now === 'function' || !isDeepStrictEqual(givenForm(key, before), now)) changed[key] = now;
    }
    r.sut.breaker.configure(partial);
    r.sut.o = next;
    m.ref.configure(next, changed);
    compare(m, r);
  }
  toString = () => `configure(${JSON.stringify(this.spec)})`;
}

const configArb: fc.Arbitrary<ConfigSpec> = fc.record(
  {
    rampUpMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 40 })),
    halfOpenPolicy: fc.constantFrom<'all' | 'rate'>('all', 'rate'),
    halfOpenMaxCalls: fc.integer({ min: 1, max: 3 }),
    failureThreshold: fc.integer({ min: 1, max: 4 }),
    failureRateThreshold: fc.constantFrom(0.01, 0.25, 0.5, 2 / 3, 1),
    minimumCalls: fc.integer({ min: 1, max: 8 }),
    slowCallRateThreshold: fc.constantFrom(0.25, 0.5, 1),
    reset: fc.oneof(
      fc.integer({ min: 0, max: 20 }).map((ms): ResetSpec => ({ kind: 'fixed', ms })),
      fc.record({
        kind: fc.constant('linear' as const),
        base: fc.integer({ min: 0, max: 10 }),
        step: fc.integer({ min: 0, max: 10 }),
      }),
    ),
    window: fc.oneof(
      fc.integer({ min: 1, max: 6 }).map((size): WindowSpec => ({ kind: 'count', size })),
      fc
        .record({ width: fc.integer({ min: 1, max: 5 }), buckets: fc.integer({ min: 1, max: 4 }) })
        .map(({ width, buckets }): WindowSpec => ({ kind: 'time', width, buckets })),
    ),
  },
  { requiredKeys: [] },
);

const endingArb = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Ending>('success') },
  { weight: 2, arbitrary: fc.constant<Ending>('failure') },
  fc.constant<Ending>('ignored'),
  fc.constant<Ending>('result'),
);
const ms = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 12 }) },
  fc.integer({ min: 13, max: 60 }),
  fc.constantFrom(1e9, 3.2e10),
);

/** Every command, weighted so that calls and time dominate and manual operations stay occasional. */
export const commandArb: fc.Arbitrary<Cmd> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(endingArb, fc.constantFrom('execute', 'wrap', 'permit'), fc.constantFrom<Shape>('async', 'sync', 'thenable'))
      .map(([end, via, shape]) => new Call(end, via as 'execute', shape)),
  },
  { weight: 3, arbitrary: fc.constantFrom('execute', 'permit').map((via) => new Start(via as 'execute')) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.nat(9), endingArb, fc.boolean(), fc.boolean())
      .map(([i, end, arg, twice]) => new Settle(i, end, arg, twice)),
  },
  { weight: 5, arbitrary: fc.tuple(ms, fc.boolean()).map(([n, quiet]) => new Advance(n, quiet)) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 40 }).map((n) => new Back(n)) },
  { weight: 1, arbitrary: fc.constant(new ReadState()) },
  { weight: 1, arbitrary: fc.option(fc.integer({ min: 0, max: 15 }), { nil: undefined }).map((n) => new Manual('open', n)) },
  { weight: 1, arbitrary: fc.constantFrom('isolate', 'close', 'disable', 'restore').map((op) => new Manual(op as 'close')) },
  { weight: 1, arbitrary: configArb.map((spec) => new Configure(spec)) },
);
