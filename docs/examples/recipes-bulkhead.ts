import pLimit from 'p-limit';
import { createBreaker } from 'tripswitch';

/**
 * A reports client with a bulkhead: at most `concurrency` requests at once, at most `maxQueue`
 * waiting; beyond that, calls are shed at once rather than queued for ever.
 */
export function reportsClient(baseUrl: string, { concurrency = 4, maxQueue = 100 } = {}) {
  const limit = pLimit(concurrency);
  // The bulkhead outside the breaker: a queued call holds no probe slot, and meets the
  // breaker's current state when its turn comes.
  const breaker = createBreaker({ name: 'reports', window: { size: 20 }, minimumCalls: 10, timeoutMs: 5_000 });
  const getReport = (id: string): Promise<string> => {
    if (limit.pendingCount >= maxQueue) return Promise.reject(new Error('reports: too many requests waiting'));
    return limit(() =>
      breaker.execute(async ({ signal }) => {
        const response = await fetch(`${baseUrl}/reports/${id}`, { signal });
        if (!response.ok) throw new Error(`reports answered ${response.status}`);
        return response.text();
      }),
    );
  };
  return { breaker, limit, getReport };
}
