import { isCallTimeoutError, isCircuitOpenError } from 'tripswitch';
import { guardFetch } from 'tripswitch/fetch';

// One breaker per origin: 3 failures in a row (5xx, 429, network errors, 5 s timeouts) open it.
const http = guardFetch({ failureThreshold: 3, resetTimeoutMs: 10_000, timeoutMs: 5_000, maxRetryAfterMs: 60_000 });

http.registry.on('open', (event) => console.log(`${event.name} opened (${event.reason}) for ${event.retryAfterMs} ms`));

export async function loadUser(id: string, signal?: AbortSignal): Promise<unknown> {
  try {
    const response = await http(`https://api.example.com/users/${id}`, { signal });
    // A failure response is still returned: read its body, then decide.
    if (!response.ok) throw new Error(`users answered ${response.status}: ${await response.text()}`);
    return await response.json();
  } catch (error) {
    if (isCircuitOpenError(error)) return { id, cached: true, retryInMs: error.retryAfterMs };
    if (isCallTimeoutError(error)) return { id, cached: true, slow: true };
    throw error;
  }
}

// Key by host instead of origin, and count only 5xx as failures (not 429).
export const byHost = guardFetch({
  key: (url) => url.hostname,
  isFailureResponse: (response) => response.status >= 500,
  respectRetryAfter: true,
});

for (const [origin, breaker] of http.registry) console.log(origin, breaker.stats().state);
