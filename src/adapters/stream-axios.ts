import type { AxiosResponse } from 'axios';
import type { Clock } from '../clock.js';
import { CallTimeoutError } from '../errors.js';
import { type ManualPermit, permitTimedOut } from '../permit.js';
import type { Breaker, Permit } from '../types.js';
import { type BodyWatch, trackBody } from './body-tracker.js';
import { Deadline } from './deadline.js';
import type { StreamOptions } from './stream-options.js';

/** What guardAxios holds for a request in flight. */
interface Pending {
  readonly permit: Permit;
  readonly breaker: Breaker;
}

/** The parts of a Node.js `Readable` watched (no import of node:stream: the entry also runs in browsers). */
interface NodeReadable {
  readonly readableLength: number;
  push(chunk: unknown, encoding?: unknown): boolean;
  emit(event: string | symbol, ...args: unknown[]): boolean;
  once(event: string, listener: (...args: unknown[]) => void): unknown;
  destroy(error?: Error): unknown;
}

/**
 * @internal guardAxios with `body: 'end'`: `pending` with a permit whose success, for a
 * `responseType: 'stream'` response, waits for the stream's end instead: its clean end a
 * success, an error midway a failure, its destruction by the caller ignored, and the body
 * limits timeouts (`CallTimeoutError`, the stream destroyed with it). A Node.js stream (axios's
 * http adapter) is watched where it is; a web stream (its fetch adapter) is replaced in
 * `response.data` by a watched one. Anything else succeeds at once.
 */
export function watchAxiosStream<P extends Pending>(pending: P, response: AxiosResponse, stream: StreamOptions, clock: Clock): P {
  const { permit, breaker } = pending;
  const later: Permit = {
    success: () => {
      const data: unknown = response.data;
      const watch: BodyWatch = {
        clock,
        firstByteTimeoutMs: stream.firstByteTimeoutMs,
        bodyIdleMs: stream.bodyIdleMs,
        end: () => permit.success(),
        error: (error) => {
          if ((error as { code?: unknown } | null)?.code === 'ERR_CANCELED') permit.ignore();
          else permit.failure(error);
        },
        ignore: () => permit.ignore(),
        timeout: (ms) => {
          const error = new CallTimeoutError(breaker.name, ms);
          permitTimedOut(permit as ManualPermit, error, ms);
          return error;
        },
      };
      if (typeof ReadableStream !== 'undefined' && data instanceof ReadableStream) response.data = trackBody(data, watch);
      else if (isNodeReadable(data)) watchReadable(data, watch);
      else permit.success();
    },
    failure: (...error: [unknown?]) => permit.failure(...error),
    ignore: () => permit.ignore(),
  };
  return { ...pending, permit: later };
}

function isNodeReadable(value: unknown): value is NodeReadable {
  const readable = value as NodeReadable | null;
  return (
    typeof readable === 'object' &&
    readable !== null &&
    typeof readable.push === 'function' &&
    typeof readable.emit === 'function' &&
    typeof readable.readableLength === 'number'
  );
}

/**
 * Watches a Node.js readable without changing how it flows: its own `push` (a chunk arrived)
 * and `emit('data')` (the caller took one) move one deadline. While its buffer is empty the
 * upstream is late (a timeout); while a chunk waits in it the caller is (released, ignored).
 */
function watchReadable(readable: NodeReadable, watch: BodyWatch): void {
  let first = true;
  let settled = false;
  const push = readable.push;
  const emit = readable.emit;
  const settle = (): boolean => {
    if (settled) return false;
    settled = true;
    deadline.stop();
    readable.push = push;
    readable.emit = emit;
    return true;
  };
  const waiting = (): boolean => readable.readableLength === 0;
  const limit = (): number | undefined =>
    waiting() ? ((first ? watch.firstByteTimeoutMs : undefined) ?? watch.bodyIdleMs) : watch.bodyIdleMs;
  const deadline = new Deadline(watch.clock, () => {
    const late = waiting();
    const ms = limit() as number;
    settle(); // settling stops the deadline: it expires only while the stream is unsettled
    if (!late) watch.ignore();
    else readable.destroy(watch.timeout(ms) as Error);
  });
  readable.push = function (this: NodeReadable, chunk: unknown, encoding?: unknown): boolean {
    const more = push.call(this, chunk, encoding);
    if (chunk === null) {
      if (settle()) watch.end();
    } else if (!settled) {
      first = false;
      deadline.set(limit());
    }
    return more;
  };
  readable.emit = function (this: NodeReadable, event: string | symbol, ...args: unknown[]): boolean {
    const listened = emit.call(this, event, ...args);
    if (event === 'data' && !settled) deadline.set(limit());
    return listened;
  };
  readable.once('error', (error) => {
    if (settle()) watch.error(error);
  });
  readable.once('close', () => {
    if (settle()) watch.ignore();
  });
  deadline.set(limit());
}
