import type { Shim } from '../redis/shim.js';
import type { UpstashClient } from './options.js';

/** Requests in flight at once; commands issued meanwhile wait and go out together. */
const MAX_IN_FLIGHT = 4;
/** Commands in one pipeline request. */
const MAX_BATCH = 64;
/** Commands waiting for a request; more are refused at once (the store then decides alone). */
const MAX_WAITING = 1024;

/** The client's HTTP requester (`Requester` of `@upstash/redis`): sends a body, answers `{ result, error }`. */
interface Requester {
  request(req: { body: unknown; path?: string[] }): Promise<unknown>;
}

interface Waiting {
  readonly command: unknown[];
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** An error Redis answered for one command (as `NOSCRIPT`, `LATE`). */
const replyError = (message: unknown): Error => new Error(String(message));

/**
 * The client's answers as Redis sent them: the client's automatic deserialization turns
 * numbers, `true`, `false` and `null` written as text into values; they are turned back.
 */
function asSent(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asSent);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return value;
}

/** The requester behind the client, when it exposes one (every `@upstash/redis` `Redis` does). */
function requesterOf(client: UpstashClient): Requester | undefined {
  const inner = (client as { client?: unknown }).client as Partial<Requester> | undefined;
  return typeof inner?.request === 'function' ? (inner as Requester) : undefined;
}

/** The client's token, so that no error the store reports shows it. */
export function tokenOf(client: UpstashClient): string | undefined {
  const headers = (client as { client?: { headers?: Record<string, unknown> } }).client?.headers;
  const auth = headers?.authorization ?? headers?.Authorization;
  return typeof auth === 'string' ? auth.replace(/^Bearer\s+/i, '') || undefined : undefined;
}

/**
 * The store's requests over Redis's REST protocol, as the Redis store's {@link Shim}: the
 * scripts the runner asks for in one turn of the event loop go out as one pipeline request,
 * at most {@link MAX_IN_FLIGHT} requests at once. Nothing is retried here (the client's own
 * retries are the user's setting) and nothing waits without bound.
 */
export function restTransport(client: UpstashClient): Shim {
  const requester = requesterOf(client);
  let waiting: Waiting[] = [];
  let inFlight = 0;
  let scheduled = false;

  const settle = (batch: Waiting[], replies: unknown) => {
    const list = batch.length === 1 ? [replies] : (replies as unknown[]);
    if (!Array.isArray(list) || list.length !== batch.length) throw new TypeError('unexpected pipeline reply');
    batch.forEach((w, i) => {
      const { result, error } = (list[i] ?? {}) as { result?: unknown; error?: unknown };
      if (error !== undefined && error !== null) w.reject(replyError(error));
      else w.resolve(result);
    });
  };

  const send = (batch: Waiting[]): Promise<void> => {
    if (requester === undefined) {
      // A client with no requester of its own: one request per script, through its public commands.
      return Promise.all(
        batch.map(({ command: [verb, script, count, ...rest], resolve, reject }) => {
          const n = Number(count);
          const run = (verb === 'EVALSHA' ? client.evalsha : client.eval) as (
            s: unknown,
            k: unknown,
            a: unknown,
          ) => Promise<unknown>;
          return Promise.resolve()
            .then(() => run.call(client, script, rest.slice(0, n), rest.slice(n)))
            .then((value) => resolve(asSent(value)), reject);
        }),
      ).then(() => undefined);
    }
    const request =
      batch.length === 1
        ? requester.request({ body: batch[0].command })
        : requester.request({ path: ['pipeline'], body: batch.map((w) => w.command) });
    return request.then((replies) => settle(batch, replies));
  };

  const pump = () => {
    scheduled = false;
    while (inFlight < MAX_IN_FLIGHT && waiting.length > 0) {
      const batch = waiting.slice(0, MAX_BATCH);
      waiting = waiting.slice(batch.length);
      inFlight++;
      void Promise.resolve()
        .then(() => send(batch))
        .catch((error: unknown) => {
          for (const w of batch) w.reject(error);
        })
        .finally(() => {
          inFlight--;
          pump();
        });
    }
  };

  const enqueue = (command: unknown[]): Promise<unknown> => {
    if (waiting.length >= MAX_WAITING) {
      return Promise.reject(new Error(`more than ${MAX_WAITING} requests waiting for the endpoint`));
    }
    return new Promise((resolve, reject) => {
      waiting.push({ command, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        queueMicrotask(pump);
      }
    });
  };

  return {
    namespace: { keyPrefix: '', database: 0 },
    start: () => Promise.resolve(),
    close: () => Promise.resolve(),
    evalsha: (sha, keys, args) => enqueue(['EVALSHA', sha, String(keys.length), ...keys, ...args]),
    eval: (script, keys, args) => enqueue(['EVAL', script, String(keys.length), ...keys, ...args]),
  };
}
