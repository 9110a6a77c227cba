import axios from 'axios';
import axiosRetry from 'axios-retry';
import { isCircuitOpenError } from 'tripswitch';
import { guardAxios } from 'tripswitch/axios';

const api = axios.create({ baseURL: 'https://api.example.com', timeout: 2_000 });

// The guard first, then axios-retry: the guard sees each attempt's outcome before axios-retry
// decides to send it again, and the attempt after the breaker opened is refused, which ends the retries.
const guard = guardAxios(api, { failureThreshold: 3 });
axiosRetry(api, {
  retries: 2,
  retryDelay: axiosRetry.exponentialDelay,
  // Never retry a refusal: it carries no request config, and waiting retryAfterMs is the point.
  retryCondition: (error) => !isCircuitOpenError(error) && axiosRetry.isNetworkOrIdempotentRequestError(error),
});

export async function price(sku: string): Promise<number | undefined> {
  try {
    const { data } = await api.get<{ price: number }>(`/prices/${sku}`);
    return data.price;
  } catch (error) {
    if (isCircuitOpenError(error)) return undefined; // down: up to 3 requests reached it, not 3 per call
    throw error;
  }
}

export const breakers = guard.registry;
