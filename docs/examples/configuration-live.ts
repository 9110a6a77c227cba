import { createBreaker, createRegistry } from 'tripswitch';

const breaker = createBreaker({ name: 'payments', failureThreshold: 5 });
breaker.on('configure', ({ name, options }) => console.log(`${name} now`, options));

// Settings from a config service, applied without a restart: the state is kept.
breaker.configure({ failureThreshold: 3, resetTimeoutMs: 60_000 }); // payments now { failureThreshold: 3, resetTimeoutMs: 60000 }

// Checked as at creation: nothing changes when a check fails.
try {
  breaker.configure({ failureRateThreshold: 1.5 });
} catch (error) {
  console.log((error as Error).message); // failureRateThreshold must be in (0, 1], got 1.5
}

// Switching to rate mode starts an empty window.
breaker.configure({ window: { durationMs: 30_000 }, failureRateThreshold: 0.25 });

// A registry's breakers, held now and made later.
const tenants = createRegistry({ failureThreshold: 5 });
tenants.configure({ rampUpMs: 5_000 });
