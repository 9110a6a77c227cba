import { type BreakerSnapshot, createBreaker } from 'tripswitch';

// Any key-value store: Redis, a KV namespace, a file. Here, a Map.
export interface Store {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}
const memory = new Map<string, string>();
const store: Store = { get: async (k) => memory.get(k), set: async (k, v) => void memory.set(k, v) };

// One serverless invocation: restore, work, save.
export async function handler(work: () => Promise<string>): Promise<string> {
  const saved = await store.get('breaker:inventory');
  const breaker = createBreaker({
    name: 'inventory',
    failureThreshold: 3,
    resetTimeoutMs: 60_000,
    initialState: saved === undefined ? undefined : (JSON.parse(saved) as BreakerSnapshot),
  });
  try {
    return await breaker.execute(work);
  } finally {
    // Time between saving and restoring counts against the open period.
    await store.set('breaker:inventory', JSON.stringify(breaker));
  }
}

for (let i = 0; i < 4; i++) {
  const result = await handler(() => Promise.reject(new Error('inventory down'))).catch((error: Error) => error.name);
  console.log(`invocation ${i + 1}: ${result}`); // Error, Error, Error, then CircuitOpenError
}
