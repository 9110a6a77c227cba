// A Cloudflare Worker sharing its breakers with the fleet through Upstash.
// `cloudflare:workers` exists only inside workerd: its one export used here is declared below.
import { Redis } from '@upstash/redis/cloudflare';
import { type Breaker, createBreaker } from 'tripswitch';
import { upstashStore } from 'tripswitch/upstash';

declare const waitUntil: (promise: Promise<unknown>) => void; // import { waitUntil } from 'cloudflare:workers';

interface Env {
  UPSTASH_REDIS_REST_URL: string;
  UPSTASH_REDIS_REST_TOKEN: string;
}

// One store and one breaker per isolate: they outlive a single request.
let payments: Breaker | undefined;
let loading: Promise<void> | undefined;

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    if (payments === undefined) {
      const store = upstashStore({
        client: new Redis({ url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN, retry: { retries: 0 } }),
        refreshMs: 1000,
        waitUntil, // background reads and transitions finish after the response is sent
      });
      // A cold start loads the fleet's open breakers once (two requests), then calls decide at once.
      loading = store.ready().catch(() => undefined);
      payments = createBreaker({ name: 'payments', store, failureThreshold: 5 });
    }
    await loading;
    try {
      const upstream = await payments.execute(() =>
        fetch('https://payments.example/charge', { method: 'POST', body: request.body }),
      );
      return new Response(upstream.body, { status: upstream.status });
    } catch {
      return new Response('payments unavailable', { status: 503 });
    }
  },
};
