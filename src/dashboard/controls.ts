import type { Breaker } from '../types.js';
import { findBreaker } from './breakers.js';
import type { Settings } from './options.js';
import type { Tokens } from './token.js';

/** @internal What a control button may do to a breaker. */
export const ACTIONS = ['open', 'isolate', 'close', 'disable'] as const;
type Action = (typeof ACTIONS)[number];

/** @internal The header that carries the page's token; a cross-site form cannot set it. */
export const TOKEN_HEADER = 'x-tripswitch-token';

const json = (status: number, body: unknown): Response =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' },
  });

/**
 * @internal Whether the request comes from a page of the same origin: its `Origin` header names
 * the host it was sent to, and the browser does not say it is cross-site.
 */
export function sameOrigin(request: Request): boolean {
  const origin = request.headers.get('origin');
  if (origin === null) return false;
  const site = request.headers.get('sec-fetch-site');
  if (site !== null && site !== 'same-origin') return false;
  try {
    return new URL(origin).host === new URL(request.url).host;
  } catch {
    return false;
  }
}

/** @internal Runs one control request: `{ name, action }` as JSON, with the page's token (only where `controls` is on: the handler refuses it otherwise). */
export async function control(request: Request, settings: Settings, tokens: Tokens): Promise<Response> {
  if (!sameOrigin(request)) return json(403, { error: 'the request must come from the dashboard page itself' });
  if (!(await tokens.check(request.headers.get(TOKEN_HEADER)))) return json(403, { error: 'missing or stale page token' });
  let body: { name?: unknown; action?: unknown };
  try {
    body = (await request.json()) as typeof body;
  } catch {
    return json(400, { error: 'the body must be JSON: { "name": ..., "action": ... }' });
  }
  const { name, action } = body ?? {};
  if (typeof name !== 'string' || !ACTIONS.includes(action as Action)) {
    return json(400, { error: `the body must name a breaker and an action among ${ACTIONS.join(', ')}` });
  }
  const breaker: Breaker | undefined = findBreaker(settings.sources, name);
  if (breaker === undefined) return json(404, { error: 'no breaker of that name' });
  breaker[action as Action]();
  return json(200, { name, state: breaker.state });
}
