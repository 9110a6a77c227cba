import type { Clock } from '../clock.js';
import { Deadline } from './deadline.js';

/** @internal How a watched body ends, told once: the guard turns it into the permit's outcome. */
export interface BodyWatch {
  readonly clock: Clock;
  /** The longest wait for the body's first chunk; undefined: `bodyIdleMs`. */
  readonly firstByteTimeoutMs: number | undefined;
  /** The longest wait for the next chunk, and for the caller to read the next one. */
  readonly bodyIdleMs: number | undefined;
  /** The body arrived whole. */
  end(): void;
  /** Reading the body failed (a connection cut midway, the caller's abort). */
  error(error: unknown): void;
  /** The caller cancelled the body, or left it unread for `bodyIdleMs`. */
  ignore(): void;
  /** The upstream sent nothing for `ms`: returns the error the body fails with. */
  timeout(ms: number): unknown;
}

/**
 * @internal `source`, chunk for chunk, watched: the first report of `watch` says how it ended.
 *
 * It reads one chunk ahead of the caller (a queue of one), so that a wait is always someone's:
 * while a read of `source` is pending the upstream is late (a timeout after `firstByteTimeoutMs`
 * for the first chunk, `bodyIdleMs` for the next); while a chunk waits in the queue the caller
 * is (released, ignored, after `bodyIdleMs`). After the first report the body still flows,
 * unwatched and with no timer left.
 */
export function trackBody(source: ReadableStream<Uint8Array>, watch: BodyWatch): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let first = true;
  let reading = false;
  let settled = false;
  let failed: { error: unknown } | undefined;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const settle = (): boolean => {
    if (settled) return false;
    settled = true;
    deadline.stop();
    return true;
  };
  // Settling stops the deadline: it expires only while the body is unsettled.
  const deadline = new Deadline(watch.clock, () => {
    settle();
    if (!reading) {
      watch.ignore();
      return;
    }
    const error = watch.timeout((first ? watch.firstByteTimeoutMs : undefined) ?? (watch.bodyIdleMs as number));
    failed = { error };
    controller.error(error);
    reader.cancel(error).catch(() => {});
  });
  return new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
    async pull(c) {
      if (!settled) {
        reading = true;
        deadline.set((first ? watch.firstByteTimeoutMs : undefined) ?? watch.bodyIdleMs);
      }
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        if (settle()) watch.error(error);
        c.error(failed === undefined ? error : failed.error);
        return;
      }
      reading = false;
      if (failed !== undefined) return; // timed out: the body has already failed
      if (chunk.done) {
        if (settle()) watch.end();
        c.close();
        return;
      }
      first = false;
      if (!settled) deadline.set(watch.bodyIdleMs);
      c.enqueue(chunk.value);
    },
    cancel(reason) {
      if (settle()) watch.ignore();
      return reader.cancel(reason);
    },
  });
}
