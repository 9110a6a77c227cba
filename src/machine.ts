import { BIT, type CloseReason, type Emit, type EventType, type OpenReason } from './events.js';
import type { FleetHooks } from './fleet-hooks.js';
import { duration, type Resolved } from './options.js';
import type { Probe } from './outcome.js';
import type { State } from './state.js';
import type { Window } from './windows/window.js';

/**
 * @internal The state, replaced whole on every transition. `until` and `deadline` are in the
 * breaker's monotonic time. Closed is the shared `CLOSED`, or a ramp (see `ramp.ts`): closed
 * `since` a close from half-open, after an open period of `attempt`, with its `credit` of
 * calls. Half-open counts the probes settled as a window counts calls: `calls` (successes;
 * with `halfOpenPolicy: 'rate'` failures too), and among them `failures` and `slowCalls`.
 */
export type Inner =
  | { readonly kind: 'closed' }
  | Ramp
  | { readonly kind: 'open'; readonly until: number }
  | {
      readonly kind: 'halfOpen';
      readonly ttl: number;
      calls: number;
      failures: number;
      slowCalls: number;
      readonly running: Probe[];
    }
  | { readonly kind: 'isolated' }
  | { readonly kind: 'disabled' };

/** @internal */
export type HalfOpen = Inner & { kind: 'halfOpen' };

/** @internal A closed breaker still ramping up after a close from half-open. */
export interface Ramp {
  readonly kind: 'closed';
  readonly since: number;
  readonly attempt: number;
  credit: number;
}

/** @internal What the state machine tells a breaker's health check (`health-check.ts`). */
export interface HealthHooks {
  moved(state: State): void;
}

// Shared by every breaker: `Inner` is readonly where these have fields.
/** @internal */
export const CLOSED: Inner = { kind: 'closed' };
/** @internal */
export const ISOLATED: Inner = { kind: 'isolated' };
/** @internal */
export const DISABLED: Inner = { kind: 'disabled' };
const DEFAULT_RESET_MS = 30_000;

/**
 * @internal The breaker as its state machine sees it: the state and what a transition resets.
 * The breaker holds these fields; the functions here are the one place where `s` changes.
 */
export interface Machine {
  readonly name: string;
  readonly o: Resolved;
  readonly events: Emit;
  readonly window: Window;
  /** With a store: the fleet glue it brought. */
  readonly fleet: FleetHooks | undefined;
  /** Told of every state change, after it is made (a registry keeps its order with it). */
  readonly onMove: ((breaker: Machine, to: State) => void) | undefined;
  s: Inner;
  /** Bumped on every state change; outcomes of older calls never move the state. */
  gen: number;
  /** The attempt of the current (or next) open period. */
  attempt: number;
  /** Failures in a row among the outcomes counted. */
  run: number;
  /** With `healthCheck`: its timer, told of every state change (`null` once disposed). */
  readonly health: HealthHooks | undefined | null;
  /** The breaker's own time, which never goes backwards. */
  now(): number;
}

/** @internal Applies the transitions that have come due with time; returns the current state. */
export function observe(m: Machine): Inner {
  for (;;) {
    const s = m.s;
    if (s.kind === 'open') {
      if (m.now() < s.until) return s;
      moveTo(m, { kind: 'halfOpen', ttl: resetFor(m, m.attempt), calls: 0, failures: 0, slowCalls: 0, running: [] }, 'halfOpen');
    } else if (s.kind === 'halfOpen' && s.running.length > 0 && probeExpired(m, s)) {
      // A probe past its deadline counts as failed: at once with 'all', in the rate with 'rate'.
      judge(m, s, true);
    } else {
      return s;
    }
  }
}

/**
 * Whether a probe let through has run past its deadline (one waiting for its lease has not
 * started). The expired ones are taken out, each counted failed.
 */
function probeExpired(m: Machine, s: HalfOpen): boolean {
  const now = m.now();
  let expired = false;
  for (const probe of s.running.slice()) {
    if (probe.lease === undefined && now >= probe.deadline) {
      release(m, probe);
      s.calls++;
      s.failures++;
      expired = true;
    }
  }
  return expired;
}

/**
 * @internal Decides a half-open period once `halfOpenMaxCalls` probes have settled, or at once
 * on a probe just `failed` with 'all': with 'all' closes when none failed; with 'rate' when
 * their failure (and slow-call) rate is below its threshold; else reopens. Returns whether the
 * state changed. (A 'rate' period may go on under 'all', or fewer probes be asked for, after
 * `configure`.)
 */
export function judge(m: Machine, s: HalfOpen, failed = false): boolean {
  const o = m.o;
  const all = o.halfOpenPolicy === 'all';
  if (!(failed && all) && s.calls < o.halfOpenMaxCalls) return false;
  const bad = all
    ? s.failures > 0
    : s.failures / s.calls >= o.failureRateThreshold ||
      (o.slowCallDurationMs !== undefined && s.slowCalls / s.calls >= o.slowCallRateThreshold);
  if (bad) reopen(m, 'probeFailed', m.attempt + 1);
  else moveTo(m, CLOSED, 'close', 'probesSucceeded');
  return true;
}

/** @internal Frees a probe's half-open slot; returns whether it held one. */
export function release(m: Machine, probe: Probe): boolean {
  const s = m.s;
  if (s.kind !== 'halfOpen') return false;
  const i = s.running.indexOf(probe);
  if (i < 0) return false;
  s.running.splice(i, 1);
  return true;
}

/** @internal `resetTimeoutMs(attempt)`; a function that throws or returns nonsense is reported, and the default used. */
export function resetFor(m: Machine, attempt: number): number {
  const reset = m.o.resetTimeoutMs;
  if (typeof reset === 'number') return reset;
  let ms: unknown;
  try {
    ms = reset(attempt);
    duration(`resetTimeoutMs(${attempt})`, ms);
    return ms as number;
  } catch (error) {
    m.events.report(m.name, error, 'resetTimeoutMs');
    return DEFAULT_RESET_MS;
  }
}

/**
 * @internal The share of calls a breaker lets through now: `t / rampUpMs` at `t` ms after a
 * close from half-open (`ramp.ts`), 1 when it is not ramping. A ramp that has run its course ends here,
 * quietly: the breaker was closed all along, so no event and no new generation.
 */
export function rampShare(m: Machine): number {
  const s = m.s;
  if (s === CLOSED || s.kind !== 'closed') return 1;
  const share = (m.now() - (s as Ramp).since) / m.o.rampUpMs;
  if (share < 1) return share;
  // Over; so is a ramp set to 0 by `configure` (a share of NaN or Infinity).
  m.s = CLOSED;
  return 1;
}

/**
 * @internal Opens for the reset timeout of `attempt` (or `ms`). An opening during a ramp goes
 * on from the open period before it: `attempt + 1` of that one.
 */
export function reopen(m: Machine, reason: OpenReason, attempt: number, ms?: number): void {
  if (rampShare(m) < 1) attempt = (m.s as Ramp).attempt + 1;
  ms ??= resetFor(m, attempt);
  m.attempt = attempt;
  moveTo(m, { kind: 'open', until: m.now() + ms }, 'open', reason, ms);
}

/** @internal The one place where the state changes. */
export function moveTo(m: Machine, next: Inner, event: 'open', reason: OpenReason, retryAfterMs: number): void;
export function moveTo(m: Machine, next: Inner, event: 'close', reason: CloseReason): void;
export function moveTo(m: Machine, next: Inner, event: 'halfOpen' | 'isolate' | 'disable'): void;
export function moveTo(
  m: Machine,
  next: Inner,
  event: EventType,
  reason?: OpenReason | CloseReason,
  retryAfterMs?: number,
): void {
  const from = m.s.kind;
  if (next === CLOSED && reason === 'probesSucceeded' && m.o.rampUpMs > 0) {
    // A close from half-open ramps up (`ramp.ts`), remembering the open period it follows.
    next = { kind: 'closed', since: m.now(), attempt: m.attempt, credit: 0 } satisfies Ramp;
  }
  m.s = next;
  m.gen++;
  if (next.kind === 'closed') {
    m.window.reset();
    m.run = 0;
    m.attempt = 1;
  }
  m.health?.moved(next.kind);
  m.onMove?.(m, next.kind);
  const fleet = m.fleet;
  const origin = fleet?.origin;
  fleet?.moved(next.kind, reason, retryAfterMs ?? 0, m.attempt);
  const events = m.events;
  const name = m.name;
  // close() on a closed breaker only resets it: no event.
  if (events.wants(BIT[event]) && !(event === 'close' && from === 'closed')) {
    const payload = event === 'open' ? { name, reason, retryAfterMs } : event === 'close' ? { name, reason } : { name };
    events.emit(event, origin === undefined ? payload : { ...payload, ...origin });
  }
  if (from !== next.kind && events.wants(BIT.stateChange)) {
    const payload = { name, from, to: next.kind };
    events.emit('stateChange', origin === undefined ? payload : { ...payload, ...origin });
  }
}

// ---- manual controls --------------------------------------------------------------------

/** @internal `breaker.open(durationMs)`. */
export function openNow(m: Machine, durationMs: number | undefined): void {
  if (durationMs !== undefined) duration('durationMs', durationMs);
  reopen(m, 'manual', m.attempt, durationMs);
}

/** @internal `breaker.isolate()`. */
export function isolate(m: Machine): void {
  if (m.s.kind !== 'isolated') moveTo(m, ISOLATED, 'isolate');
}

/** @internal `breaker.disable()`. */
export function disable(m: Machine): void {
  if (m.s.kind !== 'disabled') moveTo(m, DISABLED, 'disable');
}

/** @internal `breaker.close()`. */
export function close(m: Machine): void {
  moveTo(m, CLOSED, 'close', 'manual');
}
