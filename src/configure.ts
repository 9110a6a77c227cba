import type { Callee } from './call.js';
import type { PlainHandlers } from './counting.js';
import { BIT } from './events.js';
import { type HealthCheck, healthCheck } from './health-check.js';
import { judge } from './machine.js';
import { type BreakerSettings, optionsObject, RATE_MODE_OPTIONS, type Resolved, resolveOptions } from './options.js';
import { makeWindow } from './windows/make.js';
import type { Window } from './windows/window.js';

/** What a breaker keeps for good: set when it is made. */
const FIXED = ['name', 'store', 'clock', 'initialState'] as const;

/** @internal A breaker's new options, checked, and those of them that changed (as given). */
export interface Plan {
  readonly next: Resolved;
  readonly changed: BreakerSettings;
}

/** @internal The breaker as `configure` sees it: the options and what the breaker derives from them. */
export interface Tunable extends Callee {
  o: Resolved;
  window: Window;
  timed: boolean;
  kind: 'consecutive' | 'count' | 'time';
  minimum: number;
  plain: PlainHandlers | undefined;
  run: number;
  /** `null` once disposed: no health check ever again. */
  health: HealthCheck | undefined | null;
}

/**
 * The options `o` was resolved from, as they could have been given (`resolveOptions` makes `o`
 * of them again), in rate mode or not as `rate` says: the other mode's options left out.
 */
function given(o: Resolved, rate = o.window.kind !== 'consecutive'): Record<string, unknown> {
  const { kind, ...window } = o.window;
  const out: Record<string, unknown> = { ...o, initialState: undefined, window: rate ? window : undefined };
  for (const key of rate ? ['failureThreshold'] : RATE_MODE_OPTIONS) out[key] = undefined;
  return out;
}

/**
 * @internal Checks `partial` over the options `current`, with the checks and messages of
 * creation: the options given replace the current ones, and the mode they give wins (a
 * `window` leaves consecutive mode, a `failureThreshold` leaves rate mode and its options).
 * Throws before anything changes.
 */
export function plan(current: Resolved, partial: unknown): Plan {
  const p = optionsObject('options', partial);
  const was = given(current);
  // (`was` holds no `initialState`: giving one is always a change.)
  for (const key of FIXED) {
    if (p[key] !== undefined && p[key] !== was[key]) {
      throw new TypeError(`${key} cannot be changed by configure: it is fixed when the breaker is made`);
    }
  }
  // The current options in the mode given, the options given over them (a `window` given replaces the one left).
  const merged = given(
    current,
    p.window !== undefined || (p.failureThreshold === undefined && current.window.kind !== 'consecutive'),
  );
  for (const key of Object.keys(p)) if (p[key] !== undefined) merged[key] = p[key];
  const next = resolveOptions(merged);
  const now = given(next);
  const changed: Record<string, unknown> = {};
  for (const key of Object.keys(now)) {
    const a = was[key];
    const b = now[key];
    if (key === 'window' ? JSON.stringify(a) !== JSON.stringify(b) : !Object.is(a, b)) changed[key] = b;
  }
  return { next, changed };
}

/**
 * @internal Puts resolved options in force, at creation and by `configure`: the fields the
 * breaker derives from them (`minimum`: in rate mode, the calls the window must hold before a
 * decision, at most a count window's size), an empty window when `fresh`, and the health
 * check when that option is given (made once, and never again once disposed).
 */
export function adopt(b: Tunable, o: Resolved, fresh: boolean): void {
  const w = o.window;
  b.o = o;
  if (fresh) {
    b.window = makeWindow(w);
    b.run = 0;
  }
  b.kind = w.kind;
  b.timed = o.slowCallDurationMs !== undefined;
  b.minimum = w.kind === 'count' ? Math.min(o.minimumCalls, w.size) : o.minimumCalls;
  // The plain handlers are made for one `isResultFailure`.
  b.plain = undefined;
  if (o.healthCheck !== undefined && b.health === undefined) b.health = healthCheck(b);
}

/**
 * @internal Puts a plan in force: the state is kept; a window of another kind or size starts
 * empty; the health check's timer starts or stops with the option. Emits `configure` with the
 * options that changed, when any did.
 */
export function apply(b: Tunable, { next, changed }: Plan): void {
  adopt(b, next, 'window' in changed);
  // A health check given now starts on an open breaker (told again, one already running arms no second timer).
  b.health?.moved(b.s.kind);
  if (Object.keys(changed).length > 0 && b.events.wants(BIT.configure)) {
    b.events.emit('configure', { name: b.name, options: changed });
  }
  // Half-open, the probes settled may now be enough (`halfOpenMaxCalls` lowered) to decide.
  const s = b.s;
  if (s.kind === 'halfOpen') judge(b, s);
}
