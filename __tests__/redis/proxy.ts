import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';

/**
 * A TCP proxy in front of a Redis server, to break connections the way a dying server does:
 * `drop()` closes every connection it relays, and while `refusing` each new connection is
 * accepted, then reset as soon as its client sends something (its handshake, or its first
 * command), without a reply.
 */
export interface RedisProxy {
  readonly port: number;
  /** Whether a new connection is reset after its first bytes. */
  refusing: boolean;
  /** Connections reset so far. */
  readonly resets: number;
  /** Holds the next reply Redis sends (on any connection) this long, and every later one on its connection behind it; then 0 again. */
  holdMs: number;
  /** Closes every connection relayed now. */
  drop(): void;
  close(): Promise<void>;
}

export async function startProxy(target: number): Promise<RedisProxy> {
  const open = new Set<Socket>();
  let resets = 0;
  const proxy = {
    refusing: false,
    holdMs: 0,
    get resets() {
      return resets;
    },
  } as RedisProxy;
  const server: Server = createServer((client) => {
    client.on('error', () => undefined);
    open.add(client);
    client.on('close', () => open.delete(client));
    if (proxy.refusing) {
      client.once('data', () => {
        resets++;
        client.resetAndDestroy();
      });
      return;
    }
    const upstream = tcpConnect(target, '127.0.0.1');
    upstream.on('error', () => undefined);
    open.add(upstream);
    upstream.on('close', () => {
      open.delete(upstream);
      client.destroy();
    });
    client.on('close', () => upstream.destroy());
    client.pipe(upstream);
    // Replies in order: a held one holds back those after it on its connection.
    let replies = Promise.resolve();
    upstream.on('data', (chunk: Buffer) => {
      const hold = proxy.holdMs;
      proxy.holdMs = 0;
      replies = replies
        .then(() => (hold > 0 ? new Promise<void>((resolve) => setTimeout(resolve, hold)) : undefined))
        .then(() => {
          if (!client.destroyed) client.write(chunk);
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(proxy, {
    port: (server.address() as { port: number }).port,
    drop() {
      for (const socket of open) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        proxy.drop();
        server.close(() => resolve());
      }),
  });
}
