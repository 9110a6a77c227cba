import type { Clock } from '../clock.js';
import { type Counter, classifyValue } from '../counting.js';
import { CallTimeoutError } from '../errors.js';
import { FAILURE } from '../outcome.js';
import { type ManualPermit, permitTimedOut } from '../permit.js';
import type { Breaker } from '../types.js';
import { trackBody } from './body-tracker.js';
import type { StreamOptions } from './stream-options.js';

/** Statuses whose responses never have a body (a `Response` with one cannot be made). */
const NULL_BODY = [101, 103, 204, 205, 304];

/**
 * @internal guardFetch with `body: 'end'`: one permit from the request to the body's end.
 * Until the headers arrive it does what `execute` does for the plain path (`timeoutMs`, the
 * caller's abort ignored, network errors as failures); a response that counts as a failure,
 * or has no body, settles then. Any other response is returned with its body watched: its
 * clean end a success, an error midway a failure, the caller's cancel ignored, and the body
 * limits timeouts. The caller gets a `Response` like the one fetch gave (status, headers,
 * `url`, `redirected`, `type`) whose body is the watched one.
 */
export function fetchToEnd(
  breaker: Breaker,
  send: (signal: AbortSignal) => Promise<Response>,
  signal: AbortSignal | undefined,
  stream: StreamOptions,
  clock: Clock,
  timeoutMs: number | undefined,
): Promise<Response> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  // The permit of acquire(): it can also count a timeout of another limit, and a response as a failure.
  let permit: ManualPermit;
  try {
    permit = breaker.acquire() as ManualPermit;
  } catch (error) {
    return Promise.reject(error);
  }
  const name = breaker.name;
  const controller = new AbortController();
  return new Promise<Response>((resolve, reject) => {
    let waiting = true; // for the headers
    let timer: unknown;
    const onAbort = (): void => {
      const reason = (signal as AbortSignal).reason;
      controller.abort(reason);
      if (!waiting) return; // the body fails with the reason: ignored there
      headersDone();
      permit.ignore();
      reject(reason);
    };
    const detach = (): void => signal?.removeEventListener('abort', onAbort);
    const headersDone = (): void => {
      waiting = false;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
    };
    const timeout = (ms: number): CallTimeoutError => {
      detach();
      const error = new CallTimeoutError(name, ms);
      permitTimedOut(permit, error, ms);
      controller.abort(error);
      return error;
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    if (timeoutMs !== undefined) {
      timer = clock.setTimeout(() => {
        timer = undefined;
        headersDone();
        reject(timeout(timeoutMs));
      }, timeoutMs);
    }
    let sent: Promise<Response>;
    try {
      sent = send(controller.signal);
    } catch (error) {
      sent = Promise.reject(error);
    }
    sent.then(
      (response) => {
        if (!waiting) {
          response.body?.cancel().catch(() => {}); // timed out or aborted meanwhile
          return;
        }
        headersDone();
        const body = response.body;
        const outcome = classifyValue(breaker as unknown as Counter, response);
        if (outcome === FAILURE || body === null || NULL_BODY.includes(response.status)) {
          detach();
          permit.settle(outcome, response);
          resolve(response);
          return;
        }
        const watched = trackBody(body, {
          clock,
          firstByteTimeoutMs: stream.firstByteTimeoutMs,
          bodyIdleMs: stream.bodyIdleMs,
          end: () => {
            detach();
            permit.success();
          },
          error: (error) => {
            detach();
            if (signal?.aborted) permit.ignore();
            else permit.failure(error);
          },
          ignore: () => {
            detach();
            permit.ignore();
          },
          timeout,
        });
        resolve(rebuilt(response, watched));
      },
      (error: unknown) => {
        // The caller's abort and the timeout have settled the permit already (onAbort runs as the signal aborts).
        if (!waiting) return;
        headersDone();
        detach();
        permit.failure(error);
        reject(error);
      },
    );
  });
}

/** A `Response` like `response`, with `body` instead of its own. */
function rebuilt(response: Response, body: ReadableStream<Uint8Array>): Response {
  const copy = new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  for (const property of ['url', 'redirected', 'type'] as const) {
    Object.defineProperty(copy, property, { value: response[property], enumerable: true });
  }
  return copy;
}
