// tripswitch/upstash against a real redis-server behind the REST bridge (scripts/rest-bridge.mjs),
// with the real @upstash/redis client: requests on the call path, call cost with the store vs
// without, requests per called breaker per refreshMs, how soon a trip elsewhere is seen, the
// 50-instance cold start during an outage, and call latency while the endpoint answers in 2 s.
import { Redis } from '@upstash/redis';
import { createBreaker } from '../dist/index.js';
import { upstashStore } from '../dist/stores/upstash/index.js';
import { startRedis } from '../scripts/redis-server.mjs';
import { startBridge } from '../scripts/rest-bridge.mjs';
import { emit, interleave, log, median, summarize } from './harness.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const redis = await startRedis();
const bridge = await startBridge({ redisPort: redis.port });
const client = () => new Redis({ url: bridge.url, token: bridge.token, retry: { retries: 0 }, enableTelemetry: false });
let prefixes = 0;
const prefix = () => `bench${++prefixes}:`;
const result = { group: 'upstash' };
const boom = new Error('boom');

try {
  // 1. No request on the call path: 10,000 calls, awaited one after another, while the endpoint
  // takes 2 s to answer. A call that waited for a request would take seconds.
  {
    const store = upstashStore({ client: client(), prefix: prefix(), refreshMs: 100, counting: 'local' });
    const breaker = createBreaker({ name: 'dep', store });
    await breaker.execute(() => 1);
    await store.flush();
    await bridge.fault('slow', 2000);
    const before = bridge.stats().requests;
    let slowest = 0;
    let waited = 0;
    for (let i = 0; i < 10_000; i++) {
      const t = performance.now();
      await breaker.execute(() => 1);
      const ms = performance.now() - t;
      slowest = Math.max(slowest, ms);
      if (ms > 1000) waited++;
      // Now and then the event loop runs: the background reads go out and stay in flight.
      if (i % 50 === 49) await new Promise((resolve) => setImmediate(resolve));
    }
    const started = bridge.stats().requests - before;
    await bridge.fault('none');
    await store.close().catch(() => undefined);
    result.callPath = { calls: 10_000, callsWaiting: waited, slowestMs: slowest, backgroundRequests: started };
    log(
      `10,000 calls with the endpoint at 2 s: ${waited} waited on a request; slowest ${slowest.toFixed(2)} ms; ${started} background requests`,
    );
  }

  // 2. Call cost, healthy store vs no store.
  {
    const store = upstashStore({ client: client(), prefix: prefix(), refreshMs: 1000 });
    const withStore = createBreaker({ name: 'dep', store });
    const alone = createBreaker({ name: 'dep' });
    const cases = [
      { id: 'alone', label: 'closed, success, no store', fn: () => alone.execute(() => 1) },
      { id: 'store', label: 'closed, success, upstashStore', fn: () => withStore.execute(() => 1) },
    ];
    const times = await interleave(cases);
    result.cost = { rows: summarize(cases, times, ['alone']), rounds: times.alone.length };
    log(`call cost with the store vs none: ${result.cost.rows[1].ratios.alone.median.toFixed(3)}x`);
    await store.close();
  }

  // 3. Requests per called breaker per refreshMs, and when idle.
  {
    const refreshMs = 200;
    const store = upstashStore({ client: client(), prefix: prefix(), refreshMs, counting: 'local' });
    const called = createBreaker({ name: 'called', store });
    createBreaker({ name: 'idle', store });
    const before = bridge.stats().requests;
    const start = Date.now();
    while (Date.now() - start < 4000) {
      await called.execute(() => 1);
      await sleep(2);
    }
    await store.flush();
    const busy = bridge.stats().requests - before;
    const idleBefore = bridge.stats().requests;
    await sleep(2000);
    result.perPeriod = {
      refreshMs,
      seconds: 4,
      requests: busy,
      perPeriod: busy / (4000 / refreshMs),
      idleRequests: bridge.stats().requests - idleBefore,
    };
    log(
      `requests per called breaker per refreshMs: ${result.perPeriod.perPeriod.toFixed(2)}; idle: ${result.perPeriod.idleRequests}`,
    );
    await store.close();
  }

  // 4. A trip elsewhere, seen by an instance called every 2 ms.
  {
    const refreshMs = 250;
    const seen = [];
    for (let k = 0; k < 10; k++) {
      const p = prefix();
      const a = upstashStore({ client: client(), prefix: p, refreshMs });
      const b = upstashStore({ client: client(), prefix: p, refreshMs });
      const tripper = createBreaker({ name: 'dep', store: a, failureThreshold: 1 });
      const follower = createBreaker({ name: 'dep', store: b });
      await follower.execute(() => 1);
      await sleep(Math.random() * refreshMs);
      await tripper.execute(() => Promise.reject(boom)).catch(() => undefined);
      await a.flush();
      const t0 = performance.now();
      while (follower.state !== 'open' && performance.now() - t0 < 5000) {
        await follower.execute(() => 1).catch(() => undefined);
        await sleep(2);
      }
      seen.push(performance.now() - t0);
      await a.close();
      await b.close();
    }
    const rtt = [];
    const probe = client();
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      await probe.ping();
      rtt.push(performance.now() - t);
    }
    result.propagation = { refreshMs, p50: median(seen), max: Math.max(...seen), requestMs: median(rtt) };
    log(
      `trip seen elsewhere: p50 ${result.propagation.p50.toFixed(0)} ms, max ${result.propagation.max.toFixed(0)} ms (refreshMs ${refreshMs} + a request of ${result.propagation.requestMs.toFixed(1)} ms)`,
    );
  }

  // 5. 50 instances started one after another while the dependency is down, 5 calls each.
  {
    const scenario = async (mode) => {
      const p = prefix();
      let reached = 0;
      const dependency = () => {
        reached++;
        return Promise.reject(boom);
      };
      for (let i = 0; i < 50; i++) {
        const store = mode === 'alone' ? undefined : upstashStore({ client: client(), prefix: p });
        if (mode === 'ready') await store.ready();
        const breaker = createBreaker({ name: 'payments', store, failureThreshold: 5 });
        for (let c = 0; c < 5; c++) await breaker.execute(dependency).catch(() => undefined);
        await store?.close();
      }
      return reached;
    };
    result.coldStart = { ready: await scenario('ready'), withoutReady: await scenario('lazy'), alone: await scenario('alone') };
    log(`cold starts: ${JSON.stringify(result.coldStart)}`);
  }

  // 6. The endpoint answering in 2 s: call latency p99 with the store vs without.
  {
    const p99 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.99)];
    const store = upstashStore({ client: client(), prefix: prefix(), refreshMs: 50, timeoutMs: 1000 });
    const withStore = createBreaker({ name: 'dep', store });
    const alone = createBreaker({ name: 'dep' });
    await withStore.execute(() => 1);
    await store.flush();
    await bridge.fault('slow', 2000);
    const lat = { store: [], alone: [] };
    const start = Date.now();
    while (Date.now() - start < 5000) {
      for (const [key, breaker] of [
        ['store', withStore],
        ['alone', alone],
      ]) {
        const t = performance.now();
        await breaker.execute(() => sleep(1));
        lat[key].push(performance.now() - t);
      }
    }
    await bridge.fault('none');
    result.slowEndpoint = {
      calls: lat.store.length,
      p99Store: p99(lat.store),
      p99Alone: p99(lat.alone),
      ratio: p99(lat.store) / p99(lat.alone),
    };
    log(
      `endpoint in 2 s: call p99 ${result.slowEndpoint.p99Store.toFixed(2)} ms with the store vs ${result.slowEndpoint.p99Alone.toFixed(2)} ms without (${result.slowEndpoint.ratio.toFixed(2)}x)`,
    );
    await store.close().catch(() => undefined);
  }
} finally {
  await bridge.close();
  await redis.stop();
}
emit(result);
