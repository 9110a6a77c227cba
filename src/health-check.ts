import type { Callee } from './call.js';
import { CallTimeoutError } from './errors.js';
import { type HealthHooks, observe } from './machine.js';
import type { State } from './state.js';

/**
 * @internal A breaker's `healthCheck`: the only timer a breaker starts, and only with that
 * option. While the breaker is open or half-open it looks every `healthCheckIntervalMs`; when
 * the breaker is due for a probe and no call is probing, it runs the check as that probe, through
 * the breaker's own `execute` (so with a store, under the fleet's lease). A check still running
 * past its probe's expiry has been counted failed by then: its signal aborts. The timer stops
 * once the breaker is closed, isolated or disabled, and on `dispose()`.
 */
export class HealthCheck implements HealthHooks {
  private timer: unknown = undefined;
  /** The check running now, if any: its signal, the generation it started in, its deadline. */
  private controller: AbortController | undefined = undefined;
  private gen = 0;
  private deadline = 0;
  private ttl = 0;

  constructor(private readonly breaker: Callee) {}

  moved(state: State): void {
    if ((state === 'open' || state === 'halfOpen') && this.timer === undefined) this.arm();
  }

  /** Stops the timer, and aborts a check still running. */
  stop(): void {
    if (this.timer !== undefined) this.breaker.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.abort();
  }

  private arm(): void {
    const o = this.breaker.o;
    this.timer = o.clock.setTimeout(() => this.tick(), o.healthCheckIntervalMs);
  }

  private abort(): void {
    const controller = this.controller;
    if (controller === undefined) return;
    this.controller = undefined;
    controller.abort(new CallTimeoutError(this.breaker.name, this.ttl));
  }

  private tick(): void {
    this.timer = undefined;
    const b = this.breaker;
    const s = observe(b);
    // Past its probe's expiry (counted failed by `observe`), or overtaken by a state change.
    if (this.controller !== undefined && (b.gen !== this.gen || b.now() >= this.deadline)) this.abort();
    if (s.kind === 'halfOpen' && s.running.length === 0 && this.controller === undefined) this.run(s.ttl);
    // (A transition made just now may have armed it already.)
    if ((s.kind === 'open' || s.kind === 'halfOpen') && this.timer === undefined) this.arm();
  }

  private run(ttl: number): void {
    const b = this.breaker;
    const check = b.o.healthCheck;
    if (check === undefined) return;
    const controller = new AbortController();
    this.controller = controller;
    this.gen = b.gen;
    this.ttl = ttl;
    this.deadline = b.now() + ttl;
    const done = (): void => {
      if (this.controller === controller) this.controller = undefined;
    };
    const { signal } = controller;
    // Its outcome is counted as a probe's; the caller here wants nothing back, and never an unhandled rejection.
    b.execute(() => check({ signal })).then(done, done);
  }
}
