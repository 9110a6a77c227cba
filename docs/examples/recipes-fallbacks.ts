import { createBreaker, isCircuitOpenError, wrap } from 'tripswitch';

const cache = new Map<string, string[]>();

// The fallback runs when the breaker rejects or the call fails (timeouts included); it gets the
// error and the call's arguments, and its result becomes the call's result.
export const recommendations = wrap(
  async (userId: string): Promise<string[]> => {
    const response = await fetch(`https://reco.example.com/users/${userId}`);
    if (!response.ok) throw new Error(`reco answered ${response.status}`);
    const items = (await response.json()) as string[];
    cache.set(userId, items);
    return items;
  },
  {
    name: 'recommendations',
    failureThreshold: 3,
    fallback: (error, userId) => {
      if (!isCircuitOpenError(error)) console.warn('recommendations failed:', error);
      return cache.get(userId) ?? ['bestsellers']; // stale, or a safe default
    },
  },
);

// With a deadline, the request must be cancelled when it passes, or it keeps running (and holds
// its connection) after the caller got the fallback. A wrapped function gets no signal, so use
// execute, whose ctx.signal aborts on timeout, and serve the fallback from a catch.
const reco = createBreaker({ name: 'recommendations-timed', failureThreshold: 3, timeoutMs: 300 });

export async function timedRecommendations(userId: string): Promise<string[]> {
  try {
    return await reco.execute(async ({ signal }) => {
      const response = await fetch(`https://reco.example.com/users/${userId}`, { signal });
      if (!response.ok) throw new Error(`reco answered ${response.status}`);
      return (await response.json()) as string[];
    });
  } catch (error) {
    if (!isCircuitOpenError(error)) console.warn('recommendations failed:', error);
    return cache.get(userId) ?? ['bestsellers'];
  }
}
