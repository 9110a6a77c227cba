import { isCircuitOpenError } from 'tripswitch';
import { guardFetch } from 'tripswitch/fetch';

// One breaker per origin: a failing partner API never blocks calls to a healthy one.
export const http = guardFetch({
  window: { durationMs: 30_000 },
  minimumCalls: 20,
  resetTimeoutMs: 10_000,
  timeoutMs: 5_000, // aborts the request; merged with the caller's init.signal
  maxKeys: 200,
  // The default counts status >= 500 and 429 as failures; the response is still returned.
  isFailureResponse: (response) => response.status >= 500,
});

http.registry.on('open', ({ name, reason }) => console.log(`${name} open (${reason})`)); // name is the origin

export async function getInvoice(id: string): Promise<unknown> {
  try {
    const response = await http(`https://billing.example.com/invoices/${id}`);
    if (!response.ok) throw new Error(`billing answered ${response.status}`);
    return await response.json();
  } catch (error) {
    if (isCircuitOpenError(error)) throw new Error(`billing is down, retry in ${Math.ceil(error.retryAfterMs / 1000)} s`);
    throw error;
  }
}

// Key by host and first path segment instead of by origin.
export const perService = guardFetch({ key: (url) => `${url.host}/${url.pathname.split('/')[1]}` });
