import { Redis } from 'ioredis';
import { createBreaker, createRegistry } from 'tripswitch';
import { redisStore } from 'tripswitch/redis';

// Your application's client; the store opens connections of its own from it and changes nothing.
const client = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
client.on('error', () => {}); // ioredis reports connection errors here; the store has its own view
const store = redisStore({ client, prefix: 'shop:', quorum: 2, timeoutMs: 250 });
store.on('unavailable', () => console.warn('breaker store unavailable: every breaker decides alone'));
store.on('available', () => console.info('breaker store back: breakers resynchronized'));
// Wait for the fleet's states (isolated, open...) before serving, so that no breaker made from now
// on runs a call the fleet would refuse. Rejects when Redis is down: breakers then decide alone.
await store.ready().catch((error) => console.warn('starting without the fleet state', error));

// Same name, same prefix: one breaker for every process of the fleet.
const payments = createBreaker({ name: 'payments', store, failureThreshold: 5, resetTimeoutMs: 10_000 });
payments.on('open', ({ remote, instance, reason }) => console.log(remote ? `opened by ${instance}` : `opened here: ${reason}`));

// One shared breaker per key.
const perTenant = createRegistry({ store, maxSize: 10_000 });

await payments.execute(({ signal }) => fetch('https://payments.example.com/health', { signal }));
await perTenant.get('acme').execute(() => 'work for acme');
payments.isolate(); // a fleet-wide kill switch; close() is a fleet-wide reset

// On shutdown: deliver what is pending and release the store's connections, then your own client.
// close() rejects, after letting go, naming the breakers whose last change Redis did not get.
await store.close().catch((error) => console.error('not shared with the fleet:', error.names));
await client.quit();
