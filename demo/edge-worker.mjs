// The Worker of `npm run demo:edge`: one breaker, `payments`, shared with the Node process
// through tripswitch/upstash. Every request calls the upstream through the breaker and
// answers with what happened.

import { waitUntil } from 'cloudflare:workers';
import { Redis } from '@upstash/redis/cloudflare';
import { createBreaker } from 'tripswitch';
import { upstashStore } from 'tripswitch/upstash';

let payments;
let ready;

export default {
  async fetch(_request, env) {
    if (payments === undefined) {
      const client = new Redis({ url: env.UPSTASH_URL, token: env.UPSTASH_TOKEN, retry: { retries: 0 }, enableTelemetry: false });
      const store = upstashStore({ client, refreshMs: 200, instanceId: 'worker', waitUntil });
      ready = store.ready().catch(() => undefined);
      payments = createBreaker({ name: 'payments', store, failureThreshold: 3, resetTimeoutMs: 60_000 });
    }
    await ready;
    let outcome;
    try {
      const response = await payments.execute(async () => {
        const r = await fetch(`${env.UPSTREAM_URL}/pay`);
        if (!r.ok) throw new Error(`upstream ${r.status}`);
        return r;
      });
      outcome = `paid (${response.status})`;
    } catch (error) {
      outcome = error?.code === 'ERR_CIRCUIT_OPEN' ? 'rejected: circuit open' : `failed: ${error.message}`;
    }
    return Response.json({ outcome, state: payments.state });
  },
};
