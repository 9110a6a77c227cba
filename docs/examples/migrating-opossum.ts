import { createBreaker } from 'tripswitch';

async function fetchStock(sku: string, signal: AbortSignal): Promise<number> {
  const response = await fetch(`https://stock.example.com/${sku}`, { signal });
  if (!response.ok) throw Object.assign(new Error(`stock answered ${response.status}`), { status: response.status });
  return ((await response.json()) as { count: number }).count;
}

// opossum: new CircuitBreaker(fetchStock, { timeout: 3000, errorThresholdPercentage: 50,
//   resetTimeout: 30000, rollingCountTimeout: 10000, rollingCountBuckets: 10, volumeThreshold: 10,
//   errorFilter: (e) => e.status === 404 }); breaker.fallback(() => 0); breaker.fire('sku-1')
const stockBreaker = createBreaker({
  name: 'stock',
  timeoutMs: 3_000,
  window: { durationMs: 10_000, buckets: 10 },
  failureRateThreshold: 0.5,
  minimumCalls: 10,
  resetTimeoutMs: 30_000,
  isFailure: (error) => (error as { status?: number }).status !== 404, // ignored, not a success
});
// execute hands fetchStock a signal that aborts on timeout, so a timed-out request is cancelled
// (opossum's abortController option). wrap(fetchStock, { timeoutMs, fallback }) would reject on
// time too, but could not stop the request. The fallback is a catch that lets ignored errors through.
export async function stock(sku: string): Promise<number> {
  try {
    return await stockBreaker.execute(({ signal }) => fetchStock(sku, signal));
  } catch (error) {
    if ((error as { status?: number }).status === 404) throw error;
    return 0;
  }
}
await stock('sku-1').catch(() => {});

// opossum: breaker.on('open' | 'halfOpen' | 'close' | 'reject' | 'timeout' | 'success' | 'failure', ...)
stockBreaker.on('open', ({ reason }) => console.log(`open: ${reason}`));
stockBreaker.on('timeout', ({ timeoutMs }) => console.log(`timed out after ${timeoutMs} ms`));

// opossum: breaker.stats.failures / breaker.stats.rejects / breaker.opened
const { totals, state } = stockBreaker.stats();
console.log(totals.failures, totals.rejected, state === 'open');

// opossum: breaker.disable() / breaker.enable(); breaker.open(); breaker.close(); breaker.toJSON()
const manual = createBreaker({ name: 'manual' });
manual.disable();
manual.close();
const snapshot = manual.toJSON();
console.log(snapshot.state);
