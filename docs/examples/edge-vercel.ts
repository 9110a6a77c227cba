// Next.js middleware (or any Vercel function) with a breaker shared through Upstash.
// `waitUntil` from '@vercel/functions' keeps background requests alive after the response.
import { Redis } from '@upstash/redis';
import { createBreaker } from 'tripswitch';
import { upstashStore } from 'tripswitch/upstash';

declare const waitUntil: (promise: Promise<unknown>) => void; // import { waitUntil } from '@vercel/functions';

// Module scope: kept while the instance is warm.
const store = upstashStore({ client: Redis.fromEnv({ retry: { retries: 0 } }), refreshMs: 1000, waitUntil });
const ready = store.ready().catch(() => undefined);
const search = createBreaker({ name: 'search', store, failureThreshold: 5, resetTimeoutMs: 15_000 });

export async function middleware(request: Request): Promise<Response> {
  await ready;
  try {
    return await search.execute(() => fetch(new URL('/api/search', request.url)));
  } catch {
    return Response.json({ results: [], degraded: true });
  }
}
