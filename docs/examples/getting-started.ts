import { isCircuitOpenError, wrap } from 'tripswitch';

// A dependency that is down: every call throws.
async function getQuote(symbol: string): Promise<number> {
  throw new Error(`quote service unavailable (${symbol})`);
}

// Guard it: after 3 failures in a row the breaker opens for 10 seconds.
const quote = wrap(getQuote, { name: 'quotes', failureThreshold: 3, resetTimeoutMs: 10_000 });

// Watch it: every event is typed, so `event.reason` autocompletes.
quote.breaker.on('failure', (event) => console.log(`failure after ${event.durationMs} ms`));
quote.breaker.on('open', (event) => console.log(`${event.name} opened (${event.reason}), retry in ${event.retryAfterMs} ms`));
quote.breaker.on('stateChange', ({ from, to }) => console.log(`${from} -> ${to}`));

for (let call = 1; call <= 5; call++) {
  try {
    await quote('ACME');
  } catch (error) {
    if (isCircuitOpenError(error)) {
      console.log(`call ${call}: rejected without running; retry in ${Math.ceil(error.retryAfterMs / 1000)} s`);
    } else {
      console.log(`call ${call}: ${(error as Error).message}`);
    }
  }
}

const { state, totals } = quote.breaker.stats();
console.log(state, totals); // 'open' { calls: 3, successes: 0, failures: 3, ignored: 0, rejected: 2, timeouts: 0 }
