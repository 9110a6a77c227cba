import { Redis as IoRedis } from 'ioredis';
import { createBreaker } from '../../src/index.js';
import { redisStore } from '../../src/stores/redis/index.js';
import { type UpstashStore, upstashStore } from '../../src/stores/upstash/index.js';
import { boom } from '../helpers.js';
import { cli, sleep, until } from '../redis/server.js';
import { useBridge } from './bridge.js';

jest.setTimeout(60_000);

const env = useBridge();

let prefixes = 0;
const fresh = () => `t${++prefixes}:`;
const fail = () => Promise.reject(boom);

describe('options', () => {
  const client = () => env.bridge.client();
  it('names what is wrong', () => {
    expect(() => upstashStore(undefined as never)).toThrow(/options must be an object/);
    expect(() => upstashStore({} as never)).toThrow(TypeError);
    expect(() => upstashStore({} as never)).toThrow(/client is required/);
    expect(() => upstashStore({ client: {} as never })).toThrow(/client must be an @upstash\/redis client with eval and evalsha/);
    expect(() => upstashStore({ client: client(), refresh: 5 } as never)).toThrow(/unknown option "refresh"/);
    expect(() => upstashStore({ client: client(), refreshMs: 0 })).toThrow(RangeError);
    expect(() => upstashStore({ client: client(), refreshMs: 0 })).toThrow(/refreshMs must be in \[10, 2147483647\], got 0/);
    expect(() => upstashStore({ client: client(), timeoutMs: '5' as never })).toThrow(/timeoutMs must be a number, got "5"/);
    expect(() => upstashStore({ client: client(), waitUntil: 3 as never })).toThrow(/waitUntil must be a function, got 3/);
    expect(() => upstashStore({ client: client(), prefix: 'a{b' })).toThrow(/prefix must be/);
    expect(() => upstashStore({ client: client(), counting: 'all' as never })).toThrow(/counting must be 'fleet' or 'local'/);
  });
});

describe('requests', () => {
  it('no request on the call path; an idle breaker sends nothing; a called one reads at most once per refreshMs', async () => {
    const store = upstashStore({ client: env.bridge.client(), prefix: fresh(), refreshMs: 200, counting: 'local' });
    const idle = createBreaker({ name: 'idle', store });
    const called = createBreaker({ name: 'called', store });
    const before = (await env.bridge.stats()).requests;
    // 10,000 calls in one turn of the event loop: none of them sends a request before returning.
    for (let i = 0; i < 10_000; i++) await called.execute(() => 1);
    await store.flush();
    const burst = (await env.bridge.stats()).requests - before;
    // The first call started one read (the script's first run: a clock reading and EVALSHA, then EVAL).
    expect(burst).toBeLessThanOrEqual(3);
    const afterBurst = (await env.bridge.stats()).requests;
    await sleep(600);
    expect((await env.bridge.stats()).requests).toBe(afterBurst); // idle: nothing
    // Called for about 1 s with refreshMs 200: at most one read per period (6 with the edges).
    const start = Date.now();
    while (Date.now() - start < 1000) {
      await called.execute(() => 1);
      await sleep(5);
    }
    await store.flush();
    const reads = (await env.bridge.stats()).requests - afterBurst;
    expect(reads).toBeGreaterThanOrEqual(2);
    expect(reads).toBeLessThanOrEqual(6);
    expect(idle.state).toBe('closed');
    await store.close();
  });

  it('ready() loads the fleet in two requests whatever the number of open breakers', async () => {
    const prefix = fresh();
    const first = upstashStore({ client: env.bridge.client(), prefix });
    const names = Array.from({ length: 30 }, (_, i) => `dep-${i}`);
    for (const name of names) createBreaker({ name, store: first }).open();
    await first.flush();
    await first.close();
    const store = upstashStore({ client: env.bridge.client(), prefix });
    const before = (await env.bridge.stats()).requests;
    await store.ready();
    expect((await env.bridge.stats()).requests - before).toBe(2);
    for (const name of names) expect(createBreaker({ name, store }).state).toBe('open');
    await store.close();
  });
});

describe('one fleet with redisStore', () => {
  it('a Node redisStore breaker and an upstashStore breaker of one name see each other’s transitions', async () => {
    const prefix = fresh();
    const io = new IoRedis(env.server.port, '127.0.0.1');
    const node = redisStore({ client: io, prefix, instanceId: 'node' });
    await node.ready();
    const edge = upstashStore({ client: env.bridge.client(), prefix, instanceId: 'edge', refreshMs: 20 });
    const onNode = createBreaker({ name: 'payments', store: node, failureThreshold: 1 });
    const onEdge = createBreaker({ name: 'payments', store: edge, failureThreshold: 1 });
    try {
      // Edge trips: the Node process hears it on the channel.
      await onEdge.execute(fail).catch(() => undefined);
      await edge.flush();
      await until(() => onNode.state === 'open', 5000, 'the Node breaker to open');
      // Node closes it by hand: the edge breaker learns it at its next refresh, when called.
      onNode.close();
      await node.flush();
      await until(
        async () => {
          await onEdge.execute(() => 1).catch(() => undefined);
          await sleep(25);
          return onEdge.state === 'closed';
        },
        5000,
        'the edge breaker to close',
      );
      // And isolate() on the Node side reaches the edge the same way.
      onNode.isolate();
      await node.flush();
      await until(
        async () => {
          await onEdge.execute(() => 1).catch(() => undefined);
          await sleep(25);
          return onEdge.state === 'isolated';
        },
        5000,
        'the edge breaker to isolate',
      );
      expect(edge.stats().errors).toBe(0);
    } finally {
      await edge.close();
      await node.close();
      io.disconnect();
    }
  });
});

describe('faults', () => {
  for (const mode of ['down', 'slow', '500', 'token'] as const) {
    it(`endpoint ${mode}: the breaker decides alone; one 'unavailable' with a clean error, then one 'available'`, async () => {
      const store = upstashStore({ client: env.bridge.client(), prefix: fresh(), refreshMs: 50, timeoutMs: 500 });
      const events: [string, Error | undefined][] = [];
      store.on('unavailable', ({ error }) => events.push(['unavailable', error]));
      store.on('available', () => events.push(['available', undefined]));
      const breaker = createBreaker({ name: 'dep', store, failureThreshold: 3 });
      await breaker.execute(() => 1);
      await store.flush();
      await env.bridge.fault(mode);
      // Calls keep going while every refresh fails: no call waits for the store.
      for (let i = 0; i < 20; i++) {
        await expect(breaker.execute(() => 'ok')).resolves.toBe('ok');
        await sleep(30);
      }
      await until(() => events.length > 0, 5000, "'unavailable'");
      // The breaker trips on its own counts while the store is down.
      for (let i = 0; i < 3; i++) await breaker.execute(fail).catch(() => undefined);
      expect(breaker.state).toBe('open');
      await env.bridge.fault('none');
      await until(
        async () => {
          await breaker.execute(() => 1).catch(() => undefined);
          await sleep(20);
          return events.length >= 2;
        },
        10_000,
        "'available'",
      );
      await store.flush();
      expect(events.map(([type]) => type)).toEqual(['unavailable', 'available']);
      const error = events[0][1] as Error;
      expect(error).toBeInstanceOf(Error);
      expect(error.message).toMatch(/^tripswitch\/upstash: /);
      expect(error.message).not.toContain(env.bridge.token);
      expect(error.message).not.toMatch(/command was|EVALSHA|EVAL/i);
      const expected = {
        down: /fetch failed|ECONNREFUSED/,
        slow: /no reply within 500 ms/,
        500: /Internal Server Error/,
        token: /Unauthorized/,
      };
      expect(error.message).toMatch(expected[mode]);
      // The opening made while unavailable reached the fleet once it answered.
      expect(await cli(env.server.port, 'keys', '*dep*')).toContain('dep');
      await store.close();
    });
  }
});

describe('cold starts during an outage of the dependency', () => {
  it('50 instances, one after another, 5 calls each, threshold 5, ready() at start: at most 15 calls reach the dependency', async () => {
    const prefix = fresh();
    let reached = 0;
    const dependency = () => {
      reached++;
      return Promise.reject(boom);
    };
    for (let i = 0; i < 50; i++) {
      const store: UpstashStore = upstashStore({ client: env.bridge.client(), prefix, instanceId: `i${i}` });
      await store.ready();
      const breaker = createBreaker({ name: 'payments', store, failureThreshold: 5 });
      for (let c = 0; c < 5; c++) await breaker.execute(dependency).catch(() => undefined);
      await store.close();
    }
    expect(reached).toBeLessThanOrEqual(15);
  });
});

describe('clients and names', () => {
  it('a client without its own requester (only eval and evalsha, deserializing replies) works, with any instance id', async () => {
    const prefix = fresh();
    const inner = env.bridge.client();
    // What the store may be handed: a client exposing the public commands only (they JSON-parse replies).
    const bare = { eval: inner.eval.bind(inner), evalsha: inner.evalsha.bind(inner) };
    const a = upstashStore({ client: bare as never, prefix, instanceId: '123' });
    const b = upstashStore({ client: env.bridge.client(), prefix, instanceId: 'true' });
    const long = 'x'.repeat(20_000);
    const one = createBreaker({ name: long, store: a, failureThreshold: 1 });
    await one.execute(fail).catch(() => undefined);
    await a.flush();
    expect(a.stats()).toMatchObject({ errors: 0, published: 1 });
    await b.ready();
    const two = createBreaker({ name: long, store: b });
    expect(two.state).toBe('open');
    const seen: unknown[] = [];
    two.on('stateChange', (e) => seen.push(e));
    two.close();
    await b.flush();
    await until(
      async () => {
        await one.execute(() => 1).catch(() => undefined);
        await sleep(20);
        return one.state === 'closed';
      },
      5000,
      'the bare client to follow',
    );
    expect(a.stats().errors).toBe(0);
    await a.close();
    await b.close();
  });
});

describe('while unavailable', () => {
  it('many called breakers share one health check per refreshMs', async () => {
    const store = upstashStore({ client: env.bridge.client(), prefix: fresh(), refreshMs: 200, counting: 'local' });
    const breakers = Array.from({ length: 20 }, (_, i) => createBreaker({ name: `dep-${i}`, store }));
    for (const b of breakers) await b.execute(() => 1);
    await store.flush();
    await env.bridge.fault('500');
    await until(
      async () => {
        for (const b of breakers) await b.execute(() => 1);
        await sleep(10);
        return !store.stats().available;
      },
      5000,
      'the store to be unavailable',
    );
    const before = (await env.bridge.stats()).requests;
    const start = Date.now();
    while (Date.now() - start < 1000) {
      for (const b of breakers) await b.execute(() => 1);
      await sleep(10);
    }
    const checks = (await env.bridge.stats()).requests - before;
    // About 1000 / 200 health checks; one per breaker would be 100 and more.
    expect(checks).toBeLessThanOrEqual(8);
    expect(checks).toBeGreaterThanOrEqual(2);
    await env.bridge.fault('none');
    await store.close();
  });
});

describe('waitUntil', () => {
  it('is handed every background request, and one that throws breaks nothing', async () => {
    const kept: Promise<unknown>[] = [];
    const store = upstashStore({
      client: env.bridge.client(),
      prefix: fresh(),
      refreshMs: 50,
      waitUntil: (promise) => {
        kept.push(promise);
        throw new Error('outside a request');
      },
    });
    const breaker = createBreaker({ name: 'dep', store, failureThreshold: 1 });
    await breaker.execute(() => 1);
    expect(kept.length).toBeGreaterThan(0);
    await breaker.execute(fail).catch(() => undefined);
    await Promise.all(kept);
    expect(store.stats()).toMatchObject({ published: 1, errors: 0, available: true });
    await store.close();
    // Every promise handed over settles, the pacing timers' too once the store is closed.
    await Promise.all(kept);
  });
});

describe('counting across the fleet', () => {
  it('an instance that never failed, reading a run not announced, sends none of its successes: the run goes on', async () => {
    const prefix = fresh();
    const a = upstashStore({ client: env.bridge.client(), prefix, refreshMs: 20, instanceId: 'a' });
    const b = upstashStore({ client: env.bridge.client(), prefix, refreshMs: 20, instanceId: 'b' });
    const failing = createBreaker({ name: 'dep', store: a, failureThreshold: 5 });
    const healthy = createBreaker({ name: 'dep', store: b, failureThreshold: 5 });
    // A first failure, then one in a row: the fleet's run is 2, from one instance (not announced).
    await failing.execute(fail).catch(() => undefined);
    await failing.execute(fail).catch(() => undefined);
    await a.flush();
    await until(() => failing.stats().fleet?.failures === 2);
    // The healthy instance reads the fleet's counts at each of its refreshes, about 10 of them.
    const start = Date.now();
    while (Date.now() - start < 250) {
      await healthy.execute(() => 1);
      await sleep(5);
    }
    await b.flush();
    expect(healthy.stats().fleet).toEqual({ calls: 2, failures: 2, slowCalls: 0, instances: 1 });
    // Not told to count every outcome, it sent nothing: its successes did not end the run.
    expect(b.stats().reported).toBe(0);
    await a.close();
    await b.close();
  });
});

describe('stats', () => {
  it('counts a state made elsewhere once, however often it is read', async () => {
    const prefix = fresh();
    const a = upstashStore({ client: env.bridge.client(), prefix, refreshMs: 20 });
    const b = upstashStore({ client: env.bridge.client(), prefix, refreshMs: 20 });
    const one = createBreaker({ name: 'dep', store: a });
    one.open();
    await a.flush();
    one.close();
    await a.flush();
    // A closed state made elsewhere, read ten times.
    const two = createBreaker({ name: 'dep', store: b });
    for (let i = 0; i < 10; i++) {
      await two.execute(() => 1).catch(() => undefined);
      await sleep(30);
    }
    await b.flush();
    expect(two.state).toBe('closed');
    expect(b.stats().applied).toBe(1);
    await a.close();
    await b.close();
  });
});
