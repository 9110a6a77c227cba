import type { Callee } from './call.js';
import { CallTimeoutError } from './errors.js';
import { type HealthHooks, observe } from './machine.js';
import type { State } from './state.js';

/** @internal A breaker's health check: told of every state change, stopped by `dispose()`. */
export interface HealthCheck extends HealthHooks {
  /** Stops the timer, and aborts a check still running. */
  stop(): void;
}

/**
 * @internal A breaker's `healthCheck`: the only timer a breaker starts, and only with that
 * option. While the breaker is open or half-open it looks every `healthCheckIntervalMs`; when
 * the breaker is due for a probe and no call is probing, it runs the check as that probe,
 * through the breaker's own `execute` (so with a store, under the fleet's lease). A check
 * still running past its probe's expiry, counted failed by then, or overtaken by a state
 * change, has its signal aborted. The timer stops once the breaker is closed, isolated or
 * disabled. Closures rather than a class: their names minify.
 */
export function healthCheck(b: Callee): HealthCheck {
  let timer: unknown;
  /** The check running now, if any: its signal, with the generation, deadline and time it was given. */
  let running: AbortController | undefined;
  let gen = 0;
  let deadline = 0;
  let ttl = 0;
  const abort = (): void => {
    running?.abort(new CallTimeoutError(b.name, ttl));
    running = undefined;
  };
  // (A transition made during a look may have armed the timer already.)
  const arm = (state: State): void => {
    if ((state === 'open' || state === 'halfOpen') && timer === undefined) {
      timer = b.o.clock.setTimeout(look, b.o.healthCheckIntervalMs);
    }
  };
  const look = (): void => {
    timer = undefined;
    const s = observe(b);
    if (running !== undefined && (b.gen !== gen || b.now() >= deadline)) abort();
    if (s.kind === 'halfOpen' && s.running.length === 0 && running === undefined) {
      const controller = new AbortController();
      const check = b.o.healthCheck as (ctx: { signal: AbortSignal }) => Promise<unknown>;
      const done = (): void => {
        if (running === controller) running = undefined;
      };
      running = controller;
      gen = b.gen;
      ttl = s.ttl;
      deadline = b.now() + ttl;
      // Counted as a probe's outcome; nothing comes back here, and never an unhandled rejection.
      b.execute(() => check({ signal: controller.signal })).then(done, done);
    }
    arm(s.kind);
  };
  return {
    moved: arm,
    stop() {
      if (timer !== undefined) b.o.clock.clearTimeout(timer);
      timer = undefined;
      abort();
    },
  };
}
