import { createServer, type ServerResponse } from 'node:http';
import { listen, signal, stop } from './helpers.js';

/**
 * An upstream whose streams the test drives: every request to /stream gets its headers (200,
 * text/event-stream) at once, then waits for the test to write chunks, end, stall or cut
 * (destroy the socket midway). /status/:code answers that status with a body.
 */
export interface Streamer {
  url: string;
  /** The next /stream request's response, once its headers are sent. */
  next(): Promise<StreamHandle>;
  close(): Promise<void>;
}

export interface StreamHandle {
  write(text: string): void;
  end(): void;
  /** Destroys the socket midway: the client sees the body fail. */
  cut(): void;
  /** Resolves when the client (or the guard) has closed the connection. */
  gone: Promise<void>;
}

export async function streamer(): Promise<Streamer> {
  const waiting: ((handle: StreamHandle) => void)[] = [];
  const ready: StreamHandle[] = [];
  const server = createServer((req, res: ServerResponse) => {
    const url = new URL(req.url as string, 'http://upstream');
    const [, route, code] = url.pathname.split('/');
    if (route === 'status') {
      res.writeHead(Number(code), { 'Retry-After': '30' });
      res.end(`upstream said ${code}`);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    res.flushHeaders();
    const closed = signal();
    res.once('close', () => closed.resolve());
    const handle: StreamHandle = {
      write: (text) => res.write(text),
      end: () => res.end(),
      cut: () => res.socket?.destroy(),
      gone: closed.promise,
    };
    const taker = waiting.shift();
    if (taker !== undefined) taker(handle);
    else ready.push(handle);
  });
  const url = await listen(server);
  return {
    url,
    next: () => {
      const handle = ready.shift();
      return handle !== undefined ? Promise.resolve(handle) : new Promise((resolve) => waiting.push(resolve));
    },
    close: () => stop(server),
  };
}

/** Waits (a real wait, bounded) until `condition` holds: for what another event loop turn brings. */
export async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}
