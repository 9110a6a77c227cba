import { control } from './controls.js';
import type { Feeds } from './feed.js';
import type { Settings } from './options.js';
import { csp, page } from './page.js';
import { rowsOf, type Snapshot, storeOf } from './rows.js';
import { nonce, type Tokens } from './token.js';

const SECURITY = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-store',
};

const text = (status: number, body: string, headers: Record<string, string> = {}): Response =>
  new Response(body, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY, ...headers } });

/** The last segment of the path: routes do not depend on where the dashboard is mounted. */
const lastSegment = (url: string): string => {
  const path = new URL(url).pathname;
  return path.slice(path.lastIndexOf('/') + 1);
};

/** @internal `breakers.json`: every breaker as it is now. */
export function snapshot(settings: Settings): Snapshot {
  const reading = settings.reader.read();
  const store = storeOf(reading, settings.storeStats);
  return { at: Date.now(), breakers: rowsOf(reading, () => undefined), ...(store === undefined ? {} : { store }) };
}

/** @internal Answers one request to the dashboard: the page, `breakers.json`, the live feed, or a control. */
export async function handle(request: Request, settings: Settings, feeds: Feeds, tokens: Tokens): Promise<Response> {
  if (settings.authorize !== undefined) {
    let allowed: boolean;
    try {
      allowed = (await settings.authorize(request)) === true;
    } catch {
      return text(500, 'authorize failed');
    }
    if (!allowed) return text(403, 'forbidden');
  }
  const route = lastSegment(request.url);
  const method = request.method;
  if (method === 'POST') {
    if (!settings.controls) return text(403, 'this dashboard is read-only');
    return route === 'breakers.control' ? control(request, settings, tokens) : text(404, 'not found');
  }
  if (method !== 'GET' && method !== 'HEAD') return text(405, 'method not allowed', { Allow: 'GET, HEAD, POST' });
  if (route === 'breakers.json') {
    return new Response(JSON.stringify(snapshot(settings)), {
      headers: { 'Content-Type': 'application/json; charset=utf-8', ...SECURITY },
    });
  }
  if (route === 'breakers.events') return feeds.open(request.signal);
  if (route === 'breakers.control') return text(405, 'method not allowed', { Allow: 'POST' });
  const once = nonce();
  const token = settings.controls ? await tokens.issue() : '';
  return new Response(page(settings.title, once, token), {
    headers: { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': csp(once), ...SECURITY },
  });
}
