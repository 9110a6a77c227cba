import { createBreaker } from 'tripswitch';

// An idle breaker does not wait for traffic to find out that its dependency is back.
const breaker = createBreaker({
  name: 'search',
  failureThreshold: 3,
  resetTimeoutMs: 10_000,
  healthCheck: async ({ signal }) => {
    const response = await fetch('https://search.internal.example/health', { signal });
    if (!response.ok) throw new Error(`health check: ${response.status}`);
  },
  healthCheckIntervalMs: 2_000, // look every 2 s while open; the check runs once a probe is due
});
breaker.on('close', ({ reason }) => console.log(`search closed (${reason})`)); // 'probesSucceeded'

// On shutdown: stop the timer (it is unref'd anyway: it never keeps the process alive).
process.once('SIGTERM', () => breaker.dispose());
