import pRetry from 'p-retry';
import { createBreaker, isCircuitOpenError } from 'tripswitch';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An inventory client: retries failures with backoff, and never calls an open breaker early. */
export function inventoryClient(baseUrl: string, { resetTimeoutMs = 10_000, maxWaitMs = 30_000 } = {}) {
  const breaker = createBreaker({ name: 'inventory', failureThreshold: 3, resetTimeoutMs });
  const getStock = (sku: string): Promise<unknown> =>
    pRetry(
      () =>
        breaker.execute(async ({ signal }) => {
          const response = await fetch(`${baseUrl}/stock/${sku}`, { signal });
          if (!response.ok) throw new Error(`inventory answered ${response.status}`);
          return response.json();
        }),
      {
        retries: 5,
        minTimeout: 50,
        onFailedAttempt: async ({ error, retriesLeft }) => {
          if (!isCircuitOpenError(error) || retriesLeft === 0) return;
          // The breaker says when it lets a call through again: not one retry before that.
          // Isolated (Infinity) or too far away: give up now, with the CircuitOpenError.
          if (error.retryAfterMs > maxWaitMs) throw error;
          await sleep(error.retryAfterMs);
        },
      },
    );
  return { breaker, getStock };
}
