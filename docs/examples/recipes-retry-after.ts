import { createBreaker } from 'tripswitch';

const partner = createBreaker({ name: 'partner', failureThreshold: 5 });
const MAX_RETRY_AFTER_MS = 300_000; // never let an upstream hold us off for longer

/** Milliseconds a `Retry-After` header asks for (seconds or an HTTP date), or undefined. */
function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, MAX_RETRY_AFTER_MS) : undefined;
}

export async function callPartner(path: string): Promise<Response> {
  const response = await partner.execute(({ signal }) => fetch(`https://partner.example.com${path}`, { signal }));
  if (response.status === 429 || response.status === 503) {
    const ms = retryAfterMs(response.headers.get('retry-after'));
    // Stay away exactly as long as asked; then half-open as usual.
    if (ms !== undefined) partner.open(ms);
  }
  return response;
}
