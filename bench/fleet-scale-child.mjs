// One process of the scale benchmark (bench/fleet-scale.mjs): several stores, each its own
// instance on a client of its own, each holding the same K breakers, driven over IPC. Calls are
// simulated: a breaker's execute on a function that fails at random with the background rate.
// Every pub/sub message the stores' subscribers receive is counted here.
import { Redis } from 'ioredis';
import { createBreaker } from '../dist/index.js';
import { redisStore } from '../dist/stores/redis/index.js';

const now = () => performance.timeOrigin + performance.now();
const send = (message) => process.send?.(message);
const down = new Error('down');
const TICK_MS = 10;

/** The fleet this process holds now: `{ members, pairs, timer, counters }`. */
let fleet;

function counters() {
  return { calls: 0, failures: 0, rejected: 0, trips: 0, adopted: 0, messages: 0 };
}

/**
 * A client whose duplicates (the store opens its command connection and its subscriber with
 * `duplicate()`) count every pub/sub message they receive, whatever the channel or kind.
 */
function countingClient(url, count) {
  const client = new Redis(url, { lazyConnect: false });
  client.on('error', () => {});
  const duplicate = client.duplicate.bind(client);
  client.duplicate = (...args) => {
    const copy = duplicate(...args);
    for (const kind of ['message', 'pmessage', 'smessage']) copy.on(kind, () => count.messages++);
    return copy;
  };
  return client;
}

async function start({ url, prefix, instances, breakers, options, callsPerSecond, failureRate, readyMs }) {
  const count = counters();
  const members = instances.map((instanceId) => {
    const client = countingClient(url, count);
    const store = redisStore({ client, prefix, instanceId });
    store.on('unavailable', () => send({ type: 'event', instance: instanceId, kind: 'unavailable', at: now() }));
    store.on('available', () => send({ type: 'event', instance: instanceId, kind: 'available', at: now() }));
    return { instanceId, client, store, breakers: [] };
  });
  const ready = await Promise.all(
    members.map((m) =>
      Promise.race([
        m.store.ready().then(
          () => true,
          () => false,
        ),
        new Promise((resolve) => setTimeout(() => resolve(false), readyMs)),
      ]),
    ),
  );
  for (const m of members) {
    for (let k = 0; k < breakers; k++) {
      const breaker = createBreaker({ ...options, name: `key-${k}`, store: m.store });
      breaker.on('stateChange', ({ to, remote }) => {
        if (to !== 'open') return;
        if (remote === true) count.adopted++;
        else count.trips++;
      });
      m.breakers.push(breaker);
    }
  }
  const fn = () => {
    count.calls++;
    if (Math.random() < failureRate) {
      count.failures++;
      return Promise.reject(down);
    }
    return Promise.resolve();
  };
  const rejectedOrFailed = (error) => {
    if (error !== down) count.rejected++;
  };
  const gap = 1000 / callsPerSecond;
  const pairs = members.flatMap((m) => m.breakers.map((breaker) => ({ breaker, nextAt: 0 })));
  fleet = { members, pairs, count, fn, rejectedOrFailed, gap, timer: undefined };
  return { ready: ready.filter(Boolean).length };
}

/** Calls every breaker of every instance `callsPerSecond` times a second, each out of step. */
function go() {
  const { pairs, gap, fn, rejectedOrFailed } = fleet;
  const t0 = now();
  for (const p of pairs) p.nextAt = t0 + Math.random() * gap;
  clearInterval(fleet.timer);
  fleet.timer = setInterval(() => {
    const t = now();
    for (const p of pairs) {
      // After a stall the calls that were due are made, but never more than a second's worth.
      if (p.nextAt < t - 1000) p.nextAt = t - 1000;
      while (p.nextAt <= t) {
        p.nextAt += gap;
        p.breaker.execute(fn).catch(rejectedOrFailed);
      }
    }
  }, TICK_MS);
}

function snapshot() {
  const notClosed = fleet.pairs.filter((p) => p.breaker.state !== 'closed').length;
  const stats = fleet.members.map((m) => m.store.stats());
  return {
    at: now(),
    ...fleet.count,
    notClosed,
    available: stats.filter((s) => s.available).length,
    storeErrors: stats.reduce((sum, s) => sum + (s.errors ?? 0), 0),
  };
}

async function stop(closeMs) {
  if (fleet === undefined) return {};
  clearInterval(fleet.timer);
  const last = snapshot();
  const { members } = fleet;
  fleet = undefined;
  const deadline = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  await Promise.all(
    members.map(async (m) => {
      await Promise.race([m.store.close().catch(() => {}), deadline(closeMs)]);
      await Promise.race([m.client.quit().catch(() => {}), deadline(closeMs)]);
      m.client.disconnect();
    }),
  );
  return last;
}

process.on('message', async ({ id, cmd, ...args }) => {
  const reply = (body = {}) => send({ type: 'reply', id, ...body });
  try {
    if (cmd === 'start') return reply(await start(args));
    if (cmd === 'go') {
      go();
      return reply();
    }
    if (cmd === 'pause') {
      clearInterval(fleet.timer);
      return reply();
    }
    if (cmd === 'snapshot') return reply(snapshot());
    if (cmd === 'stop') return reply(await stop(args.closeMs));
    if (cmd === 'exit') {
      await stop(args.closeMs ?? 1000);
      reply();
      process.disconnect();
      return;
    }
    reply({ error: `unknown command ${cmd}` });
  } catch (error) {
    reply({ error: String(error?.stack ?? error) });
  }
});
// The benchmark's process going away takes this one with it.
process.on('disconnect', () => setTimeout(() => process.exit(0), 2000).unref());
send({ type: 'ready' });
