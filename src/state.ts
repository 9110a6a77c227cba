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
