import type { IncomingMessage, ServerResponse } from 'node:http';
import { Feeds } from './feed.js';
import { handle } from './handler.js';
import { misplaced, nodeListener, warnOnce } from './node.js';
import { type DashboardOptions, settings } from './options.js';
import { Tokens } from './token.js';

export type { MetricSource } from '../metrics/sources.js';
export type { DashboardOptions } from './options.js';

/**
 * A dashboard: the same handler for web-standard servers and for node:http.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { createBreaker } from 'tripswitch';
 * import { dashboard, type Dashboard } from 'tripswitch/dashboard';
 *
 * const board: Dashboard = dashboard({ sources: [createBreaker({ name: 'payments' })] });
 * createServer(board.node).listen(9464, '127.0.0.1');
 * ```
 */
export interface Dashboard {
  /**
   * The web-standard handler: Hono (`app.mount('/breakers', board.fetch)`), Bun, Deno, Workers.
   * Given a Node request instead (Express, node:http), it answers 500 naming the mistake.
   */
  fetch(request: Request): Promise<Response>;
  /** The node:http listener: `createServer(board.node)`, Express (`app.use('/breakers', board.node)`), Koa. */
  node(req: IncomingMessage, res: ServerResponse): void;
  /** Pages connected to the live feed now; each costs one timer, none exists when this is 0. */
  readonly watching: number;
  /**
   * Ends every live feed (their timers and listeners go with them) and answers later feed
   * requests with 503, so that the server can close: an open page otherwise keeps its
   * connection, and `server.close()`, waiting. The page and `breakers.json` are still served.
   *
   * @example
   * ```ts
   * import { createServer } from 'node:http';
   * import { createBreaker } from 'tripswitch';
   * import { dashboard } from 'tripswitch/dashboard';
   *
   * const board = dashboard({ sources: [createBreaker({ name: 'payments' })] });
   * const server = createServer(board.node).listen(9464, '127.0.0.1');
   * process.once('SIGTERM', () => {
   *   board.close();
   *   server.close();
   * });
   * ```
   */
  close(): void;
}

/**
 * A live page of breakers, to mount under any path. Relative to where it is mounted it serves
 * `./` the page (self-contained, with a strict Content-Security-Policy), `./breakers.json`
 * (`{ breakers: [{ name, state, ...stats }] }`) and `./breakers.events`, the page's live feed
 * (Server-Sent Events). Read-only unless `controls` is true; then the page's open, isolate,
 * close and disable buttons POST to `./breakers.control`, checked for the same origin and a
 * per-page token. Nothing runs while no page is connected.
 *
 * Never expose it publicly: it names your dependencies and, with controls, lets its users stop
 * traffic. Use `authorize` and mount it on an internal port or path. See docs/dashboard.md.
 *
 * Throws a `TypeError` or `RangeError` naming what is wrong with the options (the same checks
 * as the metrics' `sources`).
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { createBreaker, createRegistry } from 'tripswitch';
 * import { dashboard } from 'tripswitch/dashboard';
 *
 * const payments = createBreaker({ name: 'payments' });
 * const perTenant = createRegistry();
 * const board = dashboard({
 *   sources: [payments, perTenant],
 *   controls: true,
 *   authorize: (request) => request.headers.get('x-forwarded-user') !== null,
 * });
 * const admin = express();
 * admin.use('/breakers', board.node);
 * admin.listen(9090, '127.0.0.1');
 * ```
 */
export function dashboard(options: DashboardOptions): Dashboard {
  const s = settings(options);
  const feeds = new Feeds(s);
  const tokens = new Tokens();
  const warn = warnOnce();
  const fetch = async (request: Request, ...rest: unknown[]): Promise<Response> => {
    // A Node request given to the web-standard handler (`app.use(board.fetch)` in Express).
    if (typeof (request as Partial<Request> | null)?.headers?.get !== 'function') return misplaced(rest[0], warn);
    try {
      return await handle(request, s, feeds, tokens);
    } catch {
      return new Response('the dashboard failed to answer', {
        status: 500,
        headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      });
    }
  };
  return {
    fetch,
    node: nodeListener(fetch),
    get watching() {
      return feeds.live;
    },
    close: () => feeds.close(),
  };
}
