import { createBreaker, exponentialBackoff } from 'tripswitch';

// The shape of most database clients (pg, mysql2, ...): adapt it to yours.
export interface Db {
  query<T>(sql: string, params: unknown[], options?: { signal?: AbortSignal }): Promise<T[]>;
}

interface DbError extends Error {
  code?: string;
}

// Errors that are the query's fault, not the database's: they must not open the breaker.
const CALLER_ERRORS = new Set(['23505' /* unique violation */, '23503' /* foreign key */, '42601' /* syntax */]);

export function guardDb(db: Db) {
  const breaker = createBreaker({
    name: 'orders-db',
    window: { durationMs: 10_000, buckets: 10 },
    minimumCalls: 20,
    failureRateThreshold: 0.5,
    slowCallDurationMs: 1_000, // a query over 1 s is slow...
    slowCallRateThreshold: 0.8, // ...and 80% slow queries open the breaker too
    timeoutMs: 3_000,
    resetTimeoutMs: exponentialBackoff({ initialMs: 2_000, maxMs: 30_000, jitter: 0.1 }),
    isFailure: (error) => !CALLER_ERRORS.has((error as DbError).code ?? ''),
  });
  return {
    breaker,
    query: <T>(sql: string, params: unknown[] = []) => breaker.execute(({ signal }) => db.query<T>(sql, params, { signal })),
  };
}
