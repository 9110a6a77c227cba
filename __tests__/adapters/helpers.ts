import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Breaker, BreakerEvents, EventType, Registry } from '../../src/index.js';

/** Listens on 127.0.0.1, an ephemeral port; resolves with the base URL. */
export function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

/** Closes the server and every connection fetch kept alive. */
export function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

type OutcomeType = 'success' | 'failure' | 'ignore';
export interface Outcome {
  type: OutcomeType;
  event: BreakerEvents[EventType];
}

/** Resolves with the next success, failure or ignore counted by `target`. */
export function nextOutcome(target: Pick<Breaker | Registry, 'on'>): Promise<Outcome> {
  return new Promise((resolve) => {
    const off = target.on('*', (type, event) => {
      if (type !== 'success' && type !== 'failure' && type !== 'ignore') return;
      off();
      resolve({ type, event });
    });
  });
}

/** A promise with its resolve function, to wait for something a server does. */
export function signal<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** The status and every header and body byte a client sees. */
export async function seen(response: Response): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  return { status: response.status, headers: Object.fromEntries(response.headers), body: await response.text() };
}
