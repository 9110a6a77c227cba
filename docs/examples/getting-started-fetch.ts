import { createBreaker, isCallTimeoutError, isCircuitOpenError } from 'tripswitch';

const users = createBreaker({ name: 'users-api', failureThreshold: 5, resetTimeoutMs: 30_000, timeoutMs: 2_000 });

export async function getUser(id: string, signal?: AbortSignal): Promise<{ id: string; name: string }> {
  // `ctx.signal` aborts when the call times out, or when the caller's `signal` aborts.
  return users.execute(
    async (ctx) => {
      const response = await fetch(`https://users.example.com/users/${id}`, { signal: ctx.signal });
      if (!response.ok) throw new Error(`users-api answered ${response.status}`);
      return (await response.json()) as { id: string; name: string };
    },
    { signal },
  );
}

export async function showUser(id: string): Promise<string> {
  try {
    const user = await getUser(id, AbortSignal.timeout(10_000));
    return user.name;
  } catch (error) {
    if (isCircuitOpenError(error)) return `users-api is down; try again in ${Math.ceil(error.retryAfterMs / 1000)} s`;
    if (isCallTimeoutError(error)) return `users-api took longer than ${error.timeoutMs} ms`;
    throw error;
  }
}
