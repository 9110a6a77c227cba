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
  const url = new URL(req.url ?? '/', `${tls ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`);
  const headers = new Headers();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(key, v);
  }
  const method = req.method ?? 'GET';
  const body = method === 'GET' || method === 'HEAD' ? undefined : await readBody(req);
  return new Request(url, { method, headers, body, signal: aborted.signal });
}

/** @internal Writes a web-standard response to a node:http one, streaming its body until either side ends. */
async function write(response: Response, res: ServerResponse): Promise<void> {
  res.writeHead(response.status, Object.fromEntries(response.headers));
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
