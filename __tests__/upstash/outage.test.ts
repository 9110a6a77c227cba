import { createBreaker } from '../../src/index.js';
import { type UpstashStore, upstashStore } from '../../src/stores/upstash/index.js';
import { cli, sleep } from '../redis/server.js';
import { useBridge } from './bridge.js';

jest.setTimeout(60_000);

const env = useBridge();

let prefixes = 0;
const fresh = () => `o${++prefixes}:`;

/** The error a promise rejects with (the test fails if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<Error & { names?: string[] }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

/** The store's 'unavailable' and 'available' events, in order. */
function watch(store: UpstashStore): [string, Error | undefined][] {
  const events: [string, Error | undefined][] = [];
  store.on('unavailable', ({ error }) => events.push(['unavailable', error]));
  store.on('available', () => events.push(['available', undefined]));
  return events;
}

describe('ready() and the endpoint', () => {
  it('during an outage rejects with a clean error; once it answers loads and recovers; then sends nothing more', async () => {
    await env.bridge.fault('500');
    const store = upstashStore({ client: env.bridge.client(), prefix: fresh(), timeoutMs: 500 });
    const events = watch(store);
    const failed = await rejection(store.ready());
    expect(failed.message).toBe('tripswitch/upstash: the endpoint is unavailable; breakers decide alone until it answers');
    const cause = failed.cause as Error;
    expect(cause.message).toMatch(/^tripswitch\/upstash: .*Internal Server Error/);
    expect(cause.message).not.toContain(env.bridge.token);
    expect(events).toEqual([['unavailable', cause]]);
    expect(store.stats()).toMatchObject({ available: false, errors: 1 });

    await env.bridge.fault('none');
    await store.ready();
    await store.flush();
    expect(events.map(([type]) => type)).toEqual(['unavailable', 'available']);
    expect(store.stats().available).toBe(true);
    // Loaded: a further ready() is answered from memory.
    const before = (await env.bridge.stats()).requests;
    await store.ready();
    expect((await env.bridge.stats()).requests).toBe(before);
    await store.close();
  });

  it('close() while ready() waits on a slow endpoint: close resolves, ready rejects, nothing is reported after close', async () => {
    await env.bridge.fault('slow', 2000);
    const store = upstashStore({ client: env.bridge.client(), prefix: fresh(), timeoutMs: 300 });
    const events = watch(store);
    const ready = rejection(store.ready());
    await store.close();
    const failed = await ready;
    expect(failed.message).toMatch(/the endpoint is unavailable/);
    expect((failed.cause as Error).message).toBe('tripswitch/upstash: no reply within 300 ms');
    expect(events).toEqual([]);
    expect(store.stats()).toMatchObject({ available: false, errors: 0 });
  });
});

describe('transitions made as the endpoint goes down', () => {
  it('100 at once: flush() names them while it is down, all reach the fleet once it answers', async () => {
    const prefix = fresh();
    const store = upstashStore({ client: env.bridge.client(), prefix, timeoutMs: 500, counting: 'local' });
    const events = watch(store);
    const names = Array.from({ length: 100 }, (_, i) => `d${i}`);
    const breakers = names.map((name) => createBreaker({ name, store }));
    await env.bridge.fault('down');
    // The store still believes the endpoint up: every opening is sent, more than run at once.
    for (const breaker of breakers) breaker.open();
    const failed = await rejection(store.flush());
    expect(failed.message).toBe(
      'tripswitch/upstash: the latest transition of 100 breakers "d0", "d1", "d2", "d3", "d4" and 95 more could not be delivered: the endpoint is unavailable',
    );
    expect(failed.names).toEqual(names);
    expect(failed.cause).toBe(events[0][1]);
    expect(events.map(([type]) => type)).toEqual(['unavailable']);

    await env.bridge.fault('none');
    await store.flush();
    expect(events.map(([type]) => type)).toEqual(['unavailable', 'available']);
    expect(store.stats()).toMatchObject({ available: true, published: 100 });
    // Another instance finds every one open; two breakers of one name there both take it up.
    const other = upstashStore({ client: env.bridge.client(), prefix });
    await other.ready();
    for (const name of names) expect(createBreaker({ name, store: other }).state).toBe('open');
    expect(createBreaker({ name: 'd0', store: other }).state).toBe('open');
    await other.close();
    await store.close();
  });
});

describe('only the latest transition', () => {
  it('three made while the endpoint goes down: once it answers, the last alone is sent', async () => {
    const prefix = fresh();
    const store = upstashStore({ client: env.bridge.client(), prefix, timeoutMs: 500, counting: 'local' });
    const breaker = createBreaker({ name: 'dep', store });
    await env.bridge.fault('down');
    breaker.open();
    breaker.close();
    breaker.isolate();
    await expect(store.flush()).rejects.toThrow(/breaker "dep" could not be delivered/);
    await env.bridge.fault('none');
    await store.flush();
    expect(store.stats()).toMatchObject({ available: true, published: 1 });
    const other = upstashStore({ client: env.bridge.client(), prefix });
    await other.ready();
    expect(createBreaker({ name: 'dep', store: other }).state).toBe('isolated');
    await other.close();
    await store.close();
  });
});

describe('ready() and the index of names not closed', () => {
  it('a listed name whose record is gone is found closed and leaves the index', async () => {
    const prefix = fresh();
    const first = upstashStore({ client: env.bridge.client(), prefix });
    createBreaker({ name: 'gone', store: first }).open();
    createBreaker({ name: 'kept', store: first }).open();
    await first.close();
    const index = `${prefix}{~}:index`;
    expect((await cli(env.server.port, 'hkeys', index)).split('\n').sort()).toEqual(['gone', 'kept']);
    await cli(env.server.port, 'del', `${prefix}{gone}:s`);
    const store = upstashStore({ client: env.bridge.client(), prefix });
    await store.ready();
    await store.flush();
    expect(await cli(env.server.port, 'hkeys', index)).toBe('kept');
    expect(createBreaker({ name: 'gone', store }).state).toBe('closed');
    expect(createBreaker({ name: 'kept', store }).state).toBe('open');
    await store.close();
  });
});

describe('disposed breakers', () => {
  it('no longer follow the fleet, even with a read under way; the others of their name still do', async () => {
    const prefix = fresh();
    const opener = upstashStore({ client: env.bridge.client(), prefix });
    createBreaker({ name: 'dep', store: opener }).open();
    createBreaker({ name: 'solo', store: opener }).open();
    await opener.close();
    const store = upstashStore({ client: env.bridge.client(), prefix, refreshMs: 20 });
    const gone = createBreaker({ name: 'dep', store });
    const reading = createBreaker({ name: 'dep', store });
    const stays = createBreaker({ name: 'dep', store });
    const solo = createBreaker({ name: 'solo', store });
    gone.dispose();
    // A call starts a read of the fleet's state; the breaker is disposed before its answer.
    await reading.execute(() => 1);
    reading.dispose();
    await solo.execute(() => 1);
    solo.dispose();
    await store.flush();
    expect([gone.state, reading.state, solo.state]).toEqual(['closed', 'closed', 'closed']);
    expect(stays.state).toBe('open');
    expect(store.stats()).toMatchObject({ errors: 0, applied: 2 });
    await store.close();
  });
});

describe('close() during an outage', () => {
  it('rejects naming what was not delivered; afterwards the store is closed to everything and sends nothing', async () => {
    const prefix = fresh();
    const store = upstashStore({ client: env.bridge.client(), prefix, refreshMs: 20, timeoutMs: 500 });
    const events = watch(store);
    const breaker = createBreaker({ name: 'dep', store });
    await breaker.execute(() => 1);
    await store.flush();
    await env.bridge.fault('down');
    breaker.open();
    const closing = store.close();
    await expect(closing).rejects.toThrow(
      'tripswitch/upstash: the latest transition of breaker "dep" could not be delivered: the endpoint is unavailable',
    );
    expect(events.map(([type]) => type)).toEqual(['unavailable']);
    // The same answer however asked, and nothing new accepted.
    expect(store.close()).toBe(closing);
    await expect(store.flush()).rejects.toThrow(/breaker "dep" could not be delivered/);
    await expect(store.ready()).rejects.toThrow('tripswitch/upstash: the store is closed');
    expect(() => createBreaker({ name: 'late', store })).toThrow(
      'tripswitch/upstash: the store is closed; a breaker cannot attach to it',
    );
    expect(store.stats().available).toBe(false);

    // The endpoint answers again: the closed store's breaker goes on alone and sends nothing.
    await env.bridge.fault('none');
    const before = (await env.bridge.stats()).requests;
    breaker.close();
    for (let i = 0; i < 20; i++) {
      for (let c = 0; c < 64; c++) await breaker.execute(() => 1);
      await sleep(10);
    }
    expect(breaker.state).toBe('closed');
    expect((await env.bridge.stats()).requests).toBe(before);
    expect(await cli(env.server.port, 'keys', `${prefix}*dep*`)).toBe('');
    expect(events.map(([type]) => type)).toEqual(['unavailable']);
  });
});

describe('a client without its own requester', () => {
  it('loads the script with EVAL when Redis does not know it', async () => {
    await cli(env.server.port, 'script', 'flush');
    const prefix = fresh();
    const inner = env.bridge.client();
    const bare = { eval: inner.eval.bind(inner), evalsha: inner.evalsha.bind(inner) };
    const store = upstashStore({ client: bare as never, prefix });
    const breaker = createBreaker({ name: 'dep', store });
    breaker.open();
    await store.flush();
    expect(store.stats()).toMatchObject({ published: 1, errors: 0, available: true });
    const other = upstashStore({ client: env.bridge.client(), prefix });
    await other.ready();
    expect(createBreaker({ name: 'dep', store: other }).state).toBe('open');
    await other.close();
    await store.close();
  });
});

describe('a transition made while the store reconciles after an outage', () => {
  it('is sent once the endpoint answers, and wins over the one being reconciled', async () => {
    const prefix = fresh();
    const store = upstashStore({ client: env.bridge.client(), prefix, timeoutMs: 10_000, counting: 'local' });
    const breaker = createBreaker({ name: 'dep', store });
    await store.ready();
    await env.bridge.fault('down');
    breaker.open();
    await expect(store.flush()).rejects.toThrow(/breaker "dep" could not be delivered/);
    // Every request is held 1.5 s: the health check, then the opening the reconcile publishes.
    await env.bridge.fault('slow', 1500);
    const before = (await env.bridge.stats()).requests;
    const flushed = store.flush();
    const deadline = Date.now() + 20_000;
    while ((await env.bridge.stats()).requests < before + 2) {
      if (Date.now() > deadline) throw new Error('the reconcile sent no request');
      await sleep(20);
    }
    // The opening is under way; the breaker moves on meanwhile.
    expect(store.stats().available).toBe(false);
    breaker.close();
    await env.bridge.fault('none');
    await flushed;
    await store.flush();
    expect(breaker.state).toBe('closed');
    expect(store.stats()).toMatchObject({ available: true, published: 2 });
    const other = upstashStore({ client: env.bridge.client(), prefix });
    await other.ready();
    expect(createBreaker({ name: 'dep', store: other }).state).toBe('closed');
    await other.close();
    await store.close();
  });
});
