import type { IncomingMessage, ServerResponse } from 'node:http';

/** Requests with a body (controls) are small: anything larger is refused. */
const MAX_BODY = 16 * 1024;

function readBody(req: IncomingMessage): Promise<Uint8Array<ArrayBuffer>> {
  // A body parser mounted earlier (express.json()) may have read it already.
  const parsed = (req as { body?: unknown }).body;
  if (parsed !== undefined && req.readableEnded) {
    return Promise.resolve(new TextEncoder().encode(typeof parsed === 'string' ? parsed : JSON.stringify(parsed)));
  }
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    req.on('data', (chunk: Uint8Array) => {
      size += chunk.length;
      if (size > MAX_BODY) reject(new RangeError('body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

/** @internal Turns a node:http request into a web-standard one; its signal aborts when the client goes away. */
async function toRequest(req: IncomingMessage, res: ServerResponse): Promise<Request> {
  const aborted = new AbortController();
  res.on('close', () => aborted.abort());
  const tls = (req.socket as { encrypted?: boolean }).encrypted === true;
  // A server's request always has its url and method (undefined only on a client's response).
  const url = new URL(req.url as string, `${tls ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`);
  const headers = new Headers();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(key, v);
  }
  const method = req.method as string;
  const body = method === 'GET' || method === 'HEAD' ? undefined : await readBody(req);
  return new Request(url, { method, headers, body, signal: aborted.signal });
}

/** @internal Writes a web-standard response to a node:http one, streaming its body until either side ends. */
async function write(response: Response, res: ServerResponse): Promise<void> {
  const headers = Object.fromEntries(response.headers);
  // A feed's connection is not kept for another request: once the feed ends (board.close()), the server can close.
  if (headers['content-type']?.startsWith('text/event-stream')) headers.connection = 'close';
  res.writeHead(response.status, headers);
  if (response.body === null) {
    res.end();
    return;
  }
  res.flushHeaders();
  const reader = response.body.getReader();
  res.on('close', () => void reader.cancel().catch(() => {}));
  for (;;) {
    const { done, value } = await reader.read();
    if (done || res.destroyed) break;
    res.write(value);
  }
  res.end();
}

/** @internal A node:http listener for a web-standard handler. */
export function nodeListener(
  handle: (request: Request) => Promise<Response>,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    toRequest(req, res)
      .then(handle)
      .then((response) => write(response, res))
      .catch(() => {
        if (!res.headersSent) res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' }).end('bad request');
        else res.destroy();
      });
  };
}

const MISPLACED =
  'board.fetch takes a web-standard Request, not a Node request: mount board.node in node:http, Express and Koa; board.fetch is for Hono, Bun, Deno and Workers';

/**
 * @internal What `board.fetch` does with something that is not a `Request`: a Node request
 * (Express, node:http) gets a 500 naming the mistake on its response, and a process warning
 * says it once; without a response to write to (Koa's context), the returned promise rejects
 * with the same `TypeError`, which the framework reports.
 */
export function misplaced(res: unknown, warn: (message: string) => void): Promise<Response> {
  const error = new TypeError(MISPLACED);
  const out = res as Partial<ServerResponse> | undefined;
  if (typeof out?.writeHead === 'function' && typeof out.end === 'function' && !out.headersSent) {
    out.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end(error.message);
    warn(error.message);
    // Answered: nothing is left for the caller to handle, and no rejection to go unhandled.
    return Promise.resolve(new Response(error.message, { status: 500 }));
  }
  return Promise.reject(error);
}

/** @internal Gives a process warning the first time it is called (once per dashboard), where there is `process.emitWarning`. */
export function warnOnce(): (message: string) => void {
  let warned = false;
  return (message) => {
    const p = (globalThis as { process?: { emitWarning?: (warning: string, options: object) => void } }).process;
    if (warned || typeof p?.emitWarning !== 'function') return;
    warned = true;
    p.emitWarning(message, { type: 'TripswitchWarning', code: 'TRIPSWITCH_DASHBOARD_MOUNT' });
  };
}
