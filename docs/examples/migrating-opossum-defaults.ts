import { type BreakerOptions, isCallTimeoutError, isCircuitOpenError, wrap } from 'tripswitch';

// opossum's defaults, new CircuitBreaker(fn) with no options, behave like these tripswitch options.
// (createBreaker() with no options counts 5 failures in a row instead: consecutive mode.)
export const opossumDefaults: BreakerOptions = {
  window: { durationMs: 10_000, buckets: 10 }, // rollingCountTimeout 10000, rollingCountBuckets 10
  // errorThresholdPercentage 50: opossum opens when the rate is *above* 50 %, tripswitch when it
  // is *at or above* its threshold; a hair above one half gives opossum's "above".
  failureRateThreshold: 0.500001,
  minimumCalls: 1, // volumeThreshold 0: a decision from the first call on
  timeoutMs: 10_000, // timeout 10000
  resetTimeoutMs: 30_000, // resetTimeout 30000
};

// opossum: CircuitBreaker.isOurError(error), true for the breaker's own rejections and timeouts.
export const isOurError = (error: unknown) => isCircuitOpenError(error) || isCallTimeoutError(error);

// opossum: primary.fallback(secondaryBreaker), a fallback that is a breaker of its own, and
// stats.fallbacks, counted here by the fallback itself.
export const fallbacks = { count: 0 };
const fromCache = wrap(async (sku: string) => readCache(sku), { name: 'stock-cache' });
export const stock = wrap(async (sku: string) => readStock(sku), {
  ...opossumDefaults,
  name: 'stock',
  fallback: (_error, sku) => {
    fallbacks.count++;
    return fromCache(sku); // rejected by its own breaker when the cache is down too
  },
});

async function readStock(sku: string): Promise<number> {
  const response = await fetch(`https://stock.example.com/${sku}`);
  if (!response.ok) throw new Error(`stock answered ${response.status}`);
  return ((await response.json()) as { count: number }).count;
}
async function readCache(_sku: string): Promise<number> {
  return 0;
}

// opossum: stats.latencyMean and stats.percentiles. tripswitch keeps no latency samples: every
// success and failure event carries durationMs, and tripswitch/prometheus with durations: true
// exports a histogram (histogram_quantile(0.99, ...) in PromQL gives the 99th percentile).
stock.breaker.on('success', ({ durationMs }) => console.log(`took ${durationMs} ms`));
