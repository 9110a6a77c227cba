import { settledHeap } from './heap.mjs';

const ignoredError = Object.assign(new Error('ignored'), { ignored: true });
const failure = new Error('failure');

/** Options every soak breaker shares: ignored errors and result failures are in the mix. */
export const mixOptions = {
  isFailure: (error) => error?.ignored !== true,
  isResultFailure: (value) => value === 'bad',
  timeoutMs: 20,
  resetTimeoutMs: 5,
};

/**
 * Runs `total` mixed calls through `breakerFor(i)`: sync and async successes, failures, ignored
 * errors, result failures, permits, guarded functions, and calls that hang until their timeout
 * (or settle after it). Failures come in bursts so that breakers open, half-open and close.
 * The clock moves 1 ms per batch of concurrent calls. Returns heap figures at `checkpoints`.
 */
export async function runMix({ breakerFor, clock, random, total, checkpoints, batch = 64 }) {
  const heap = {};
  const counts = { ok: 0, failed: 0, rejected: 0, timedOut: 0 };
  const late = [];
  const tally = (p) =>
    p.then(
      () => counts.ok++,
      (error) => {
        if (error?.code === 'ERR_CIRCUIT_OPEN') counts.rejected++;
        else if (error?.code === 'ERR_CALL_TIMEOUT') counts.timedOut++;
        else counts.failed++;
      },
    );
  const started = performance.now();
  for (let i = 0; i < total; ) {
    const inBurst = i % 20_000 < 1_500;
    const batchCalls = [];
    for (let k = 0; k < batch && i < total; k++, i++) {
      const b = breakerFor(i);
      const r = random();
      const failing = r < (inBurst ? 0.7 : 0.08);
      const kind = Math.floor(random() * 8);
      if (kind === 0) {
        let permit;
        try {
          permit = b.acquire();
        } catch {
          counts.rejected++;
          continue;
        }
        if (failing) permit.failure(failure);
        else if (r > 0.97) permit.ignore();
        else permit.success();
        counts.ok++;
      } else if (kind === 1 && r > 0.99) {
        // Hangs until its timeout; a few settle later still, and that late settlement is dropped.
        let settle;
        tally(b.execute(() => new Promise((resolve) => (settle = resolve))));
        if (r > 0.995 && settle) late.push(settle);
      } else if (kind === 2) {
        batchCalls.push(tally(b.wrap((x) => (failing ? Promise.reject(failure) : x))(i)));
      } else if (kind === 3) {
        batchCalls.push(tally(b.execute(() => (failing ? Promise.reject(ignoredError) : 'v'))));
      } else if (kind === 4) {
        batchCalls.push(tally(b.execute(() => (failing ? 'bad' : 'good'))));
      } else {
        batchCalls.push(
          tally(
            b.execute(() => {
              if (failing) throw failure;
              return i;
            }),
          ),
        );
      }
    }
    await Promise.all(batchCalls);
    clock.advance(1);
    if (late.length > 100) for (const settle of late.splice(0)) settle('late');
    const checkpoint = checkpoints.find((c) => i >= c && heap[c] === undefined);
    if (checkpoint !== undefined) {
      clock.advance(100); // every hanging call times out
      await new Promise((resolve) => setImmediate(resolve));
      heap[checkpoint] = await settledHeap();
    }
  }
  return { heap, counts, ms: performance.now() - started };
}
