// Deno Deploy and AWS Lambda: no waitUntil. Deno Deploy keeps an isolate's background work
// running; on Lambda, `flush()` before returning delivers what a request changed (a
// transition, counts) before the instance is frozen.
import { Redis } from '@upstash/redis';
import { createBreaker } from 'tripswitch';
import { upstashStore } from 'tripswitch/upstash';

const store = upstashStore({
  client: new Redis({ url: 'https://eu1-example.upstash.io', token: 'token', retry: { retries: 0 } }),
  refreshMs: 2000,
});
const ready = store.ready().catch(() => undefined);
const inventory = createBreaker({ name: 'inventory', store });

export async function handler(): Promise<{ statusCode: number; body: string }> {
  await ready;
  try {
    const response = await inventory.execute(() => fetch('https://inventory.example/stock'));
    return { statusCode: response.status, body: await response.text() };
  } catch {
    return { statusCode: 503, body: 'inventory unavailable' };
  } finally {
    await store.flush().catch(() => undefined); // Lambda: before the instance is frozen
  }
}
