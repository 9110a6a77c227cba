import axios from 'axios';
import { isCircuitOpenError } from 'tripswitch';
import { guardAxios } from 'tripswitch/axios';

const api = axios.create({ baseURL: 'https://api.example.com', timeout: 5_000 });

// One breaker per origin: 3 failures in a row (5xx, 429, network errors, axios timeouts) open it.
const unguard = guardAxios(api, { failureThreshold: 3, resetTimeoutMs: 10_000, maxRetryAfterMs: 60_000 });
unguard.registry.on('open', (event) => console.log(`${event.name} opened (${event.reason}) for ${event.retryAfterMs} ms`));

export async function loadUser(id: string, signal?: AbortSignal): Promise<unknown> {
  try {
    const { data } = await api.get(`/users/${id}`, { signal });
    return data;
  } catch (error) {
    // Rejected before anything was sent: the origin's breaker is open.
    if (isCircuitOpenError(error)) return { id, cached: true, retryInMs: error.retryAfterMs };
    // Anything else is axios's own error, as without the guard (error.response for a 5xx).
    throw error;
  }
}

// Key by host, and count only 5xx as failures (not 429), on an instance that accepts every status.
const lenient = axios.create({ validateStatus: () => true });
export const removeLenient = guardAxios(lenient, {
  key: (url) => url.hostname,
  isFailureResponse: (response) => response.status >= 500,
});

// Later: the instance is as it was.
export function shutdown(): void {
  unguard();
}
