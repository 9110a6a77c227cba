/**
 * A reference model of the breaker's state machine, written from the contract
 * (docs: api.md "Core" and "Behaviour") and the recorded decisions, not from the source.
 * It is deliberately naive: the window is a plain list of outcomes, filtered on every read.
 */

export type WindowSpec =
  | { readonly kind: 'consecutive' }
  | { readonly kind: 'count'; readonly size: number }
  | { readonly kind: 'time'; readonly width: number; readonly buckets: number };

export type ResetSpec =
  | { readonly kind: 'fixed'; readonly ms: number }
  | { readonly kind: 'linear'; readonly base: number; readonly step: number };

export interface ModelOptions {
  readonly window: WindowSpec;
  readonly failureThreshold: number;
  readonly failureRateThreshold: number;
  readonly minimumCalls: number;
  readonly slowCallDurationMs: number | undefined;
  readonly slowCallRateThreshold: number;
  readonly reset: ResetSpec;
  readonly halfOpenMaxCalls: number;
  /** 'rate' only in rate mode. */
  readonly halfOpenPolicy: 'all' | 'rate';
  readonly rampUpMs: number;
  readonly timeoutMs: number | undefined;
  readonly listen: 'none' | 'state' | 'all';
  readonly startMs: number;
}

export type Outcome = 'success' | 'failure' | 'ignored';
export type Kind = 'closed' | 'open' | 'halfOpen' | 'isolated' | 'disabled';

export interface RefProbe {
  readonly deadline: number;
}

/** A call let through: what the model needs to count its outcome later. */
export interface RefCall {
  readonly epoch: number;
  readonly gen: number;
  readonly start: number;
  readonly probe: RefProbe | undefined;
}

/** A ramp after a close from half-open: since when, the attempt of the open period before, the credit of calls. */
interface RefRamp {
  readonly since: number;
  readonly attempt: number;
  credit: number;
}

type RefState =
  | { kind: 'closed'; ramp?: RefRamp }
  | { kind: 'open'; until: number }
  | { kind: 'halfOpen'; ttl: number; settled: number; failed: number; slow: number; running: RefProbe[] }
  | { kind: 'isolated' }
  | { kind: 'disabled' };

interface Entry {
  readonly slice: number;
  readonly failed: boolean;
  readonly slow: boolean;
}

/** An expected event: the payload without `name`, errors reduced to their tag. */
export type RefEvent = [type: string, payload: Record<string, unknown>];

export const resetMs = (r: ResetSpec, attempt: number): number => (r.kind === 'fixed' ? r.ms : r.base + r.step * (attempt - 1));

export class Reference {
  state: RefState = { kind: 'closed' };
  epoch = 0;
  gen = 0;
  attempt = 1;
  run = 0;
  inFlight = 0;
  entries: Entry[] = [];
  totals = { calls: 0, successes: 0, failures: 0, ignored: 0, rejected: 0, timeouts: 0 };
  events: RefEvent[] = [];
  /** The clock as the test set it, the last reading the breaker took, and the breaker's own time. */
  raw: number;
  seen: number;
  mono: number;

  constructor(public o: ModelOptions) {
    this.raw = this.seen = this.mono = o.startMs;
  }

  /** The breaker's time: it moves only with forward steps of the clock. */
  now(): number {
    if (this.raw > this.seen) this.mono += this.raw - this.seen;
    this.seen = this.raw;
    return this.mono;
  }

  private emit(type: string, payload: Record<string, unknown>): void {
    const { listen } = this.o;
    const stateEvent =
      type !== 'success' && type !== 'failure' && type !== 'ignore' && type !== 'timeout' && type !== 'configure';
    if (listen === 'all' || (listen === 'state' && stateEvent)) this.events.push([type, payload]);
  }

  private move(next: RefState, event: string, payload: Record<string, unknown> = {}): void {
    const from = this.state.kind;
    // A close from half-open ramps up, remembering the attempt of the open period before.
    if (payload.reason === 'probesSucceeded' && this.o.rampUpMs > 0) {
      next = { kind: 'closed', ramp: { since: this.now(), attempt: this.attempt, credit: 0 } };
    }
    this.state = next;
    this.gen++;
    if (next.kind === 'closed') {
      this.entries = [];
      this.run = 0;
      this.attempt = 1;
    }
    if (!(event === 'close' && from === 'closed')) this.emit(event, payload);
    if (from !== next.kind) this.emit('stateChange', { from, to: next.kind });
  }

  private openFor(reason: string, attempt: number, ms?: number): void {
    // An opening during a ramp continues the backoff of the open period before it.
    const s = this.state;
    if (s.kind === 'closed' && s.ramp && this.now() - s.ramp.since < this.o.rampUpMs) attempt = s.ramp.attempt + 1;
    ms ??= resetMs(this.o.reset, attempt);
    this.attempt = attempt;
    this.move({ kind: 'open', until: this.now() + ms }, 'open', { reason, retryAfterMs: ms });
  }

  /** Applies the transitions due by now (the contract's "observation"). */
  observe(): Kind {
    for (;;) {
      const s = this.state;
      const now = this.now();
      if (s.kind === 'open' && now >= s.until) {
        const ttl = resetMs(this.o.reset, this.attempt);
        this.move({ kind: 'halfOpen', ttl, settled: 0, failed: 0, slow: 0, running: [] }, 'halfOpen');
      } else if (s.kind === 'halfOpen' && s.running.some((p) => now >= p.deadline)) {
        if (this.o.halfOpenPolicy === 'all') this.openFor('probeFailed', this.attempt + 1);
        else {
          // Each expired probe is a failed one among the probes judged by their rate.
          const expired = s.running.filter((p) => now >= p.deadline);
          s.running = s.running.filter((p) => now < p.deadline);
          s.settled += expired.length;
          s.failed += expired.length;
          this.judge(s);
        }
      } else {
        return s.kind;
      }
    }
  }

  /** 'rate': once `halfOpenMaxCalls` probes have settled, close when their rates are below the thresholds, else reopen. */
  private judge(s: RefState & { kind: 'halfOpen' }): void {
    const o = this.o;
    const n = s.settled;
    if (n < o.halfOpenMaxCalls) return;
    const slow = o.slowCallDurationMs !== undefined && s.slow / n >= o.slowCallRateThreshold;
    const bad = o.halfOpenPolicy === 'all' ? s.failed > 0 : s.failed / n >= o.failureRateThreshold || slow;
    if (bad) this.openFor('probeFailed', this.attempt + 1);
    else this.move({ kind: 'closed' }, 'close', { reason: 'probesSucceeded' });
  }

  /** The share of calls let through now: t / rampUpMs during a ramp, else 1 (a ramp run out ends). */
  ramp(): number {
    const s = this.state;
    if (s.kind !== 'closed' || !s.ramp) return 1;
    const t = this.now() - s.ramp.since;
    if (this.o.rampUpMs === 0 || t >= this.o.rampUpMs) {
      s.ramp = undefined;
      return 1;
    }
    return t / this.o.rampUpMs;
  }

  retryAfter(): number {
    const s = this.state;
    const now = this.now();
    if (s.kind === 'open') return Math.max(0, s.until - now);
    if (s.kind === 'isolated') return Number.POSITIVE_INFINITY;
    if (s.kind !== 'halfOpen' || s.settled + s.running.length < this.o.halfOpenMaxCalls) return 0;
    return Math.min(...s.running.map((p) => p.deadline)) - now;
  }

  /** During a ramp: whether the credit, grown by the share of now, holds a whole call. */
  private rampLets(): boolean {
    const s = this.state;
    const share = this.ramp();
    if (s.kind !== 'closed' || !s.ramp) return true;
    s.ramp.credit += share;
    if (s.ramp.credit < 1) return false;
    s.ramp.credit -= 1;
    return true;
  }

  /** A call arrives: the call to count later, or the retry time of the rejection. */
  enter(): { call: RefCall } | { rejected: { state: Kind; retryAfterMs: number } } {
    const kind = this.observe();
    const s = this.state;
    const ramping = s.kind === 'closed' && s.ramp !== undefined;
    if (ramping && !this.rampLets()) {
      // Turned away by the ramp: retry after a tenth of it, or what is left of it.
      const ramp = (s as { ramp: RefRamp }).ramp;
      const r = this.o.rampUpMs;
      const retryAfterMs = Math.max(1, Math.ceil(Math.min(r / 10, r - (this.now() - ramp.since))));
      this.totals.rejected++;
      this.emit('reject', { state: 'closed', retryAfterMs });
      return { rejected: { state: 'closed', retryAfterMs } };
    }
    if (
      kind === 'closed' ||
      kind === 'disabled' ||
      (s.kind === 'halfOpen' && s.settled + s.running.length < this.o.halfOpenMaxCalls)
    ) {
      const probe = s.kind === 'halfOpen' ? { deadline: this.now() + s.ttl } : undefined;
      if (s.kind === 'halfOpen' && probe) s.running.push(probe);
      this.inFlight++;
      this.totals.calls++;
      return { call: { epoch: this.epoch, gen: this.gen, start: this.now(), probe } };
    }
    this.totals.rejected++;
    const retryAfterMs = this.retryAfter();
    this.emit('reject', { state: kind, retryAfterMs });
    return { rejected: { state: kind, retryAfterMs } };
  }

  /** The outcome of a call arrives (no observation: a settlement is not a look at the state). */
  settle(call: RefCall, outcome: Outcome, tag: string): void {
    if (call.epoch !== this.epoch) return;
    this.inFlight--;
    const durationMs = this.now() - call.start;
    const s = this.state;
    const current = call.gen === this.gen;
    if (outcome === 'ignored') {
      this.totals.ignored++;
      this.emit('ignore', { error: tag });
      if (current && s.kind === 'halfOpen' && call.probe && s.running.includes(call.probe)) {
        s.running.splice(s.running.indexOf(call.probe), 1);
      }
      return;
    }
    const failed = outcome === 'failure';
    if (failed) this.totals.failures++;
    else this.totals.successes++;
    this.emit(outcome, failed ? { error: tag, durationMs } : { durationMs });
    if (!current) return;
    const slowMs = this.o.slowCallDurationMs;
    const slow = slowMs !== undefined && durationMs >= slowMs;
    this.entries.push({ slice: this.sliceOf(this.now()), failed, slow });
    this.run = failed ? this.run + 1 : 0;
    if (s.kind === 'closed') this.decide(failed);
    // A probe counts while it holds its slot (under 'rate', an expired one was already counted failed).
    else if (s.kind === 'halfOpen' && call.probe && s.running.includes(call.probe)) {
      s.running.splice(s.running.indexOf(call.probe), 1);
      if (failed && this.o.halfOpenPolicy === 'all') this.openFor('probeFailed', this.attempt + 1);
      else {
        s.settled++;
        if (failed) s.failed++;
        if (slow) s.slow++;
        this.judge(s);
      }
    }
  }

  /** A call's timeout fired: a `timeout` event, then a failure like any other. */
  timeout(call: RefCall): void {
    if (call.epoch !== this.epoch) return;
    this.totals.timeouts++;
    this.emit('timeout', { timeoutMs: this.o.timeoutMs });
    this.settle(call, 'failure', 'CallTimeoutError');
  }

  private decide(failed: boolean): void {
    const o = this.o;
    if (o.window.kind === 'consecutive') {
      if (failed && this.run >= o.failureThreshold) this.openFor('failures', this.attempt);
      return;
    }
    const w = this.window();
    const minimum = o.window.kind === 'count' ? Math.min(o.minimumCalls, o.window.size) : o.minimumCalls;
    if (w.calls < minimum) return;
    if (w.failures / w.calls >= o.failureRateThreshold) this.openFor('failureRate', this.attempt);
    else if (o.slowCallDurationMs !== undefined && w.slowCalls / w.calls >= o.slowCallRateThreshold) {
      this.openFor('slowCallRate', this.attempt);
    }
  }

  private sliceOf(t: number): number {
    return this.o.window.kind === 'time' ? Math.floor(t / this.o.window.width) : 0;
  }

  /** The outcomes the window holds now. */
  visible(): Entry[] {
    const w = this.o.window;
    if (w.kind === 'count') return this.entries.slice(-w.size);
    if (w.kind === 'time') {
      const head = this.sliceOf(this.now());
      return this.entries.filter((e) => head - e.slice < w.buckets);
    }
    return this.entries;
  }

  window() {
    const seen = this.visible();
    const calls = seen.length;
    const failures = seen.filter((e) => e.failed).length;
    const slowCalls = seen.filter((e) => e.slow).length;
    const rate = (n: number) => (calls === 0 ? 0 : n / calls);
    return { calls, failures, slowCalls, failureRate: rate(failures), slowCallRate: rate(slowCalls) };
  }

  stats(name: string) {
    const state = this.observe();
    return {
      name,
      state,
      retryAfterMs: this.retryAfter(),
      inFlight: this.inFlight,
      ramp: this.ramp(),
      consecutiveFailures: this.run,
      window: this.window(),
      totals: { ...this.totals },
    };
  }

  // ---- manual operations: they supersede whatever transition time had made due ----

  open(ms: number | undefined): void {
    this.openFor('manual', this.attempt, ms);
  }

  isolate(): void {
    if (this.state.kind !== 'isolated') this.move({ kind: 'isolated' }, 'isolate');
  }

  disable(): void {
    if (this.state.kind !== 'disabled') this.move({ kind: 'disabled' }, 'disable');
  }

  close(): void {
    this.move({ kind: 'closed' }, 'close', { reason: 'manual' });
  }

  /**
   * Snapshot, then restore into a new breaker on the same clock at once: the state, retry
   * time, attempt, window, run and totals carry over; a half-open breaker comes back open
   * with its probe due; calls in flight stay with the old breaker.
   */
  restore(): void {
    this.observe();
    const s = this.state;
    const oldHead = this.sliceOf(this.now());
    const kept = this.visible();
    const left = s.kind === 'open' ? s.until - this.mono : 0;
    this.epoch++;
    this.gen = 0;
    this.inFlight = 0;
    this.seen = this.mono = this.raw;
    const shift = this.sliceOf(this.mono) - oldHead;
    this.entries = kept.map((e) => ({ ...e, slice: e.slice + shift }));
    if (s.kind === 'open') this.state = { kind: 'open', until: this.mono + left };
    else if (s.kind === 'halfOpen') this.state = { kind: 'open', until: this.mono };
    // A snapshot holds no ramp: the restored breaker is plainly closed.
    else if (s.kind === 'closed') this.state = { kind: 'closed' };
  }

  /**
   * `configure`: the options given replace the current ones and the state is kept; a window of
   * another kind or size starts empty (with the run). A `configure` event lists what changed.
   */
  configure(next: ModelOptions, changed: Record<string, unknown>): void {
    const before = this.o;
    this.o = next;
    if (JSON.stringify(before.window) !== JSON.stringify(next.window)) {
      this.entries = [];
      this.run = 0;
    }
    if (Object.keys(changed).length > 0) this.emit('configure', { options: changed });
    // Half-open, fewer probes asked for may be enough to decide now.
    if (this.state.kind === 'halfOpen') this.judge(this.state);
  }
}
