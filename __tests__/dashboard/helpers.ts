import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Breaker } from '../../src/index.js';

/** Listens on 127.0.0.1, an ephemeral port; resolves with the server and its base URL. */
export async function serve(listener: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Closes the server and every connection kept alive. */
export function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A live-feed message. */
export interface Message {
  at: number;
  full: boolean;
  breakers: ({ name: string; state: string; last?: { from: string; to: string; remote?: true; instance?: string } } & Record<
    string,
    unknown
  >)[];
  gone: string[];
  store?: { available: boolean; errors: number };
}

/** Reads Server-Sent Events from a response body, one message at a time. */
export function events(response: Response): { next(): Promise<{ event: string; data: string }>; cancel(): Promise<void> } {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return {
    async next() {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const lines = block.split('\n');
          const event = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? 'message';
          const data = lines
            .filter((l) => l.startsWith('data: '))
            .map((l) => l.slice(6))
            .join('\n');
          return { event, data };
        }
        const { done, value } = await reader.read();
        if (done) throw new Error('the feed ended');
        buffer += decoder.decode(value, { stream: true });
      }
    },
    cancel: () => reader.cancel(),
  };
}

/** Reads feed messages until one satisfies `test`. */
export async function until(feed: ReturnType<typeof events>, test: (m: Message) => boolean): Promise<Message> {
  for (;;) {
    const { data } = await feed.next();
    const message = JSON.parse(data) as Message;
    if (test(message)) return message;
  }
}

/**
 * The breaker seen through a proxy that counts the listeners added with `on` and not yet
 * removed, and can make `stats()` throw: the dashboard's own view of it is unchanged.
 */
export function counted(breaker: Breaker): { source: Breaker; listeners: () => number; failStats: (on: boolean) => void } {
  let live = 0;
  let failing = false;
  const source = new Proxy(breaker, {
    get(target, key) {
      if (key === 'on') {
        return (type: never, handler: never) => {
          const off = target.on(type, handler);
          live++;
          let done = false;
          return () => {
            if (!done) live--;
            done = true;
            off();
          };
        };
      }
      if (key === 'stats' && failing) {
        return () => {
          throw new Error('stats failed');
        };
      }
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { source, listeners: () => live, failStats: (on) => void (failing = on) };
}

/** Waits for `check` to hold, up to a generous deadline (for what a server does after a client leaves). */
export async function eventually(check: () => boolean, what: string, deadlineMs = 5000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`still not true after ${deadlineMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
