/**
 * A breaker's state.
 * - `closed`: calls run and their outcomes are counted.
 * - `open`: calls are rejected at once until the reset timeout has passed.
 * - `halfOpen`: a few probe calls run; their success closes the breaker, a failure reopens it.
 * - `isolated`: every call is rejected until `close()`.
 * - `disabled`: every call runs and is counted, and the state never changes until `close()`.
 *
 * @example
 * ```ts
 * import { createBreaker, type State } from 'tripswitch';
 *
 * const state: State = createBreaker().state; // 'closed'
 * ```
 */
export type State = 'closed' | 'open' | 'halfOpen' | 'isolated' | 'disabled';

/**
 * Why the breaker opened: too many failures in a row, a failure or slow-call rate reached in
 * the window, a failed probe, or `open()`.
 *
 * @example
 * ```ts
 * import { createBreaker, type OpenReason } from 'tripswitch';
 *
 * const breaker = createBreaker();
 * breaker.on('open', ({ reason }: { reason: OpenReason }) => {
 *   if (reason === 'probeFailed') console.log('still down after a probe');
 * });
 * ```
 */
export type OpenReason = 'failures' | 'failureRate' | 'slowCallRate' | 'probeFailed' | 'manual';
/**
 * Why the breaker closed: enough probes succeeded, or `close()` was called.
 *
 * @example
 * ```ts
 * import { createBreaker, type CloseReason } from 'tripswitch';
 *
 * const breaker = createBreaker();
 * breaker.on('close', ({ reason }: { reason: CloseReason }) => console.log(`closed: ${reason}`));
 * ```
 */
export type CloseReason = 'probesSucceeded' | 'manual';
