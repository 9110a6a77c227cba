export type { BackoffOptions } from './backoff.js';
export { exponentialBackoff } from './backoff.js';
export { createBreaker } from './breaker.js';
export type { Clock } from './clock.js';
export { systemClock } from './clock.js';
export { CallTimeoutError, CircuitOpenError, isCallTimeoutError, isCircuitOpenError } from './errors.js';
export type { BreakerEvents, CallbackName, CloseReason, EventType, OpenReason } from './events.js';
export { joinFleet } from './fleet.js';
export type { BreakerOptions, BreakerSettings, WindowOptions } from './options.js';
export type { Registry, RegistryOptions } from './registry.js';
export { createRegistry } from './registry.js';
export type { Checked } from './rules.js';
export type { BreakerSnapshot } from './snapshot.js';
export type { State } from './state.js';
export type { BreakerStats, FleetCounts, TotalStats, WindowStats } from './stats.js';
export type {
  BreakerStore,
  CountReport,
  FleetCandidate,
  FleetGlue,
  FleetState,
  StoreLink,
  StoreMember,
  StoreStats,
  Transition,
} from './store.js';
export type {
  Breaker,
  CallContext,
  ExecuteOptions,
  Fallback,
  Guarded,
  Listener,
  Permit,
  WildcardListener,
} from './types.js';
export type { WindowData } from './windows/window.js';
export type { WrapOptions } from './wrap.js';
export { wrap } from './wrap.js';
