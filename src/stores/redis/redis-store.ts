import { joinFleet } from '../../fleet.js';
import type { FleetState, StoreLink, StoreMember, Transition } from '../../store.js';
import { parseCountMessage, tell } from './counts.js';
import { StoreHandlers } from './handlers.js';
import { KnownStates } from './known.js';
import { limiter } from './limiter.js';
import { type Entry, type LinkContext, linkOf, withdrawCounts } from './link.js';
import { type RedisStoreOptions, resolveOptions } from './options.js';
import { channelOf, keysOf, parseMessage, transitionArgs, wireName } from './protocol.js';
import { Runner } from './runner.js';
import type { RedisStore } from './types.js';
import { undelivered } from './undelivered.js';

export type { RedisStore, RedisStoreEvent } from './types.js';

/** Background scripts (syncs, transitions) in flight at once; leases, which a call waits for, skip the queue. */
const CONCURRENCY = 64;

/**
 * Shares breaker state across processes through Redis: transitions, probe leases and votes go
 * through one Lua script each, on the server's clock; breakers follow each other through one
 * pub/sub channel. The call path never waits on Redis, except a would-be probe for its lease
 * (at most `timeoutMs`). When Redis fails, breakers decide alone and resynchronize afterwards.
 *
 * The store runs on connections of its own, duplicated from `client` once the user has
 * connected it, and closes itself when that client ends.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { createBreaker } from 'tripswitch';
 * import { redisStore } from 'tripswitch/redis';
 *
 * const store = redisStore({ client: new Redis(process.env.REDIS_URL), quorum: 2 });
 * await store.ready().catch(() => undefined); // the fleet's states are known (or Redis is down: breakers decide alone)
 * const payments = createBreaker({ name: 'payments', store });
 * // ... on shutdown
 * await store.close();
 * ```
 */
export function redisStore(options: RedisStoreOptions): RedisStore {
  const { shim, prefix: ownPrefix, quorum, timeoutMs, instanceId, counting } = resolveOptions(options);
  const { keyPrefix, database } = shim.namespace;
  const channel = channelOf(keyPrefix + ownPrefix, database);
  const runner = new Runner(shim, channel, instanceId, timeoutMs, ownPrefix);
  const counts: LinkContext['counts'] = { published: 0, applied: 0, ignored: 0, errors: 0, leasesGranted: 0, leasesRefused: 0 };
  if (counting === 'fleet') counts.reported = 0;
  const handlers = new StoreHandlers();
  const byName = new Map<string, Set<Entry>>();
  const known = new KnownStates(() => performance.now());
  /** `starting` until the first resynchronization, then `up` or `down`. */
  let phase: 'starting' | 'up' | 'down' = 'starting';
  let lastError: unknown;
  let closed = false;
  let closing: Promise<void> | undefined;
  let leaseSeq = 0;
  let retryTimer: ReturnType<typeof setInterval> | undefined;
  let connectTimer: ReturnType<typeof setTimeout> | undefined;
  let resyncing: Promise<void> | undefined;
  let resyncAgain = false;
  const limited = limiter(CONCURRENCY);
  const inflight = new Set<Promise<unknown>>();
  const waiters: { resolve(): void; reject(error: unknown): void }[] = [];

  /** Keeps a background task for `flush()` until it settles. */
  const track = (task: Promise<unknown>): void => {
    inflight.add(task);
    const done = () => inflight.delete(task);
    task.then(done, done);
  };

  const settleWaiters = (error?: unknown) => {
    for (const w of waiters.splice(0)) error === undefined ? w.resolve() : w.reject(error);
  };

  const markUnavailable = (error: unknown) => {
    if (closed) return;
    lastError = error;
    if (phase !== 'down') {
      phase = 'down';
      handlers.emit('unavailable', { error });
    }
    settleWaiters(new Error('tripswitch/redis: Redis is unavailable; breakers decide alone until it is back', { cause: error }));
    if (retryTimer === undefined) {
      // No tick starts a round during another: a health check may last the whole interval, and
      // rounds asked for at every tick would never end (nor would `close()`, which awaits them).
      retryTimer = setInterval(
        () => {
          if (!resyncing) void resync();
        },
        Math.min(1000, Math.max(100, timeoutMs)),
      );
      (retryTimer as { unref?: () => void }).unref?.();
    }
  };
  const fail = (error: unknown) => {
    if (closed) return;
    counts.errors++;
    markUnavailable(error);
  };

  const adopt = (entry: Entry, fleet: FleetState) => {
    if (!entry.attached) return;
    try {
      entry.member.adopt(fleet, fleet.instance !== instanceId);
    } catch {
      // The breaker reports its own listeners' errors; nothing may escape into the store.
    }
  };
  /**
   * A script's answer goes to the member that asked, then to the other members of its name in
   * this process: the message of our own transition is skipped when it comes back.
   */
  const answer = (entry: Entry, fleet: FleetState) => {
    known.learn(entry.name, fleet);
    adopt(entry, fleet);
    for (const other of byName.get(entry.name) ?? []) if (other !== entry) adopt(other, fleet);
  };
  /** Keeps the index of names not closed up to date after a state the fleet took or holds. */
  const index = (name: string, fleet: FleetState) => {
    track(limited(() => runner.index(name, fleet)).catch(fail));
  };

  const publish = (entry: Entry, transition: Transition) =>
    runner.run(entry.keys, entry.name, 'publish', [...transitionArgs(transition), String(quorum)]).then((reply) => {
      counts.published++;
      answer(entry, reply.fleet);
      index(entry.name, reply.fleet);
    });

  const send = (entry: Entry, transition: Transition) => {
    entry.latest = transition;
    const keep = () => {
      if (entry.latest === transition && entry.pending === undefined) entry.pending = transition;
    };
    track(
      limited(async () => {
        // Queued behind an outage: kept for the resync instead of timing out in turn.
        if (phase !== 'up') return keep();
        try {
          await publish(entry, transition);
        } catch (error) {
          keep();
          fail(error);
        }
      }),
    );
  };

  /** Reconciles one member with the fleet: its own change made while unavailable wins, else the newer epoch. */
  const sync = (entry: Entry): Promise<boolean> => limited(() => (closed ? Promise.resolve(true) : reconcile(entry)));

  const reconcile = async (entry: Entry): Promise<boolean> => {
    const pending = entry.pending;
    entry.pending = undefined;
    let local: ReturnType<StoreMember['local']>;
    try {
      local = pending ? undefined : entry.member.local();
    } catch {
      local = undefined;
    }
    const transition = pending ?? (local?.epoch === 0 ? local.transition : undefined);
    try {
      if (transition) {
        await publish(entry, transition);
        return true;
      }
      const restore = local && local.transition.state !== 'closed' && Number.isSafeInteger(local.epoch) && local.epoch > 0;
      const reply = restore
        ? await runner.run(entry.keys, entry.name, 'restore', [
            String(local?.epoch),
            ...transitionArgs((local as { transition: Transition }).transition),
          ])
        : await runner.run(entry.keys, entry.name, 'read', []);
      answer(entry, reply.fleet);
      if (restore) index(entry.name, reply.fleet);
      return true;
    } catch (error) {
      if (pending && entry.pending === undefined) entry.pending = pending;
      fail(error);
      return false;
    }
  };

  /** Learns the fleet's states not closed, for breakers not created yet; a closed name is pruned from the index. */
  const load = async (): Promise<boolean> => {
    let names: string[];
    try {
      names = await runner.names();
    } catch (error) {
      fail(error);
      return false;
    }
    const results = await Promise.all(
      names
        .filter((name) => !byName.has(name))
        .map((name) =>
          limited(async () => {
            try {
              const reply = await runner.run(keysOf(ownPrefix, name), name, 'read', []);
              known.learn(name, reply.fleet);
              for (const entry of byName.get(name) ?? []) adopt(entry, reply.fleet);
              if (reply.fleet.state === 'closed') index(name, reply.fleet);
              return true;
            } catch (error) {
              fail(error);
              return false;
            }
          }),
        ),
    );
    return results.every(Boolean);
  };

  /** What each breaker's link uses of the store. */
  const context: LinkContext = {
    runner,
    quorum,
    counting,
    counts,
    up: () => phase === 'up',
    leaseId: () => `${instanceId}:${++leaseSeq}`,
    send,
    answer,
    index,
    fail,
    track,
    remove(entry) {
      const set = byName.get(entry.name);
      set?.delete(entry);
      if (set?.size === 0) byName.delete(entry.name);
    },
  };

  const entries = (): Entry[] => [...byName.values()].flatMap((set) => [...set]);

  /** After a failure or a reconnect: checks Redis answers, reconciles every member, then reports `available`. */
  const resync = (): Promise<void> => {
    if (closed) return Promise.resolve();
    if (resyncing) {
      resyncAgain = true;
      return resyncing;
    }
    const current = (async () => {
      do {
        resyncAgain = false;
        if (phase !== 'up' && !(await runner.ping())) continue;
        const round = entries();
        const results = await Promise.all([load(), ...round.map(sync)]);
        if (closed || !results.every(Boolean)) continue;
        if (phase !== 'up') {
          const was = phase;
          phase = 'up';
          clearInterval(retryTimer);
          clearTimeout(connectTimer);
          retryTimer = connectTimer = undefined;
          for (const entry of entries()) if (entry.pending) send(entry, entry.pending);
          for (const entry of entries()) entry.pending = undefined;
          // Breakers attached during this round were not part of it.
          const synced = new Set(round);
          for (const entry of entries()) if (!synced.has(entry)) track(sync(entry));
          if (was === 'down') handlers.emit('available', {});
          settleWaiters();
        }
      } while (resyncAgain && !closed);
    })().finally(() => {
      resyncing = undefined;
    });
    resyncing = current;
    return current;
  };

  const onMessage = (message: unknown) => {
    if (closed) return;
    const told = parseCountMessage(message);
    if (told !== undefined) {
      for (const entry of byName.get(told.name) ?? []) tell(entry.member, told);
      return;
    }
    const announcement = parseMessage(message);
    if (announcement === undefined) {
      counts.ignored++;
      return;
    }
    known.learn(announcement.name, announcement.fleet);
    if (announcement.fleet.instance === instanceId) return;
    for (const entry of byName.get(announcement.name) ?? []) {
      counts.applied++;
      adopt(entry, announcement.fleet);
    }
  };

  /**
   * Delivers what is pending if Redis answers: waits for the start (at most until its
   * deadline), tries once more when Redis was unavailable, then waits for every command in
   * flight. Returns the error naming what could not be delivered, if anything.
   */
  const deliver = async (): Promise<Error | undefined> => {
    if (phase === 'starting')
      await Promise.race([new Promise<void>((resolve) => waiters.push({ resolve, reject: resolve })), started]);
    if (phase === 'down') await resync();
    while (inflight.size > 0) await Promise.allSettled([...inflight]);
    const left = entries().filter((entry) => entry.pending !== undefined);
    return left.length > 0
      ? undelivered(
          left.map((entry) => entry.member.name),
          lastError,
        )
      : undefined;
  };

  const close = (): Promise<void> => {
    if (closing) return closing;
    closing = (async () => {
      let error: unknown;
      try {
        error = await deliver();
        if (phase === 'up') await withdrawCounts(runner, entries());
      } finally {
        closed = true;
        clearInterval(retryTimer);
        clearTimeout(connectTimer);
        retryTimer = connectTimer = undefined;
        for (const entry of entries()) entry.attached = false;
        byName.clear();
        settleWaiters(new Error('tripswitch/redis: the store is closed'));
        await shim.close(timeoutMs);
      }
      if (error !== undefined) throw error;
    })();
    return closing;
  };

  /** Connecting and the first resynchronization may take this long before the store counts as unavailable. */
  const connectMs = Math.max(1000, 4 * timeoutMs);
  const started = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, connectMs);
    (timer as { unref?: () => void }).unref?.();
  });
  void shim
    .start({
      channel,
      onMessage,
      onReady: () => void resync(),
      onError: markUnavailable,
      onEnd: () => void close().catch(() => undefined),
      onOpen: () => {
        connectTimer = setTimeout(() => {
          if (phase === 'starting') markUnavailable(new Error(`tripswitch/redis: not connected within ${connectMs} ms`));
        }, connectMs);
        (connectTimer as { unref?: () => void }).unref?.();
      },
    })
    .then(() => resync());

  return {
    instanceId,
    join: joinFleet,
    attach(member: StoreMember): StoreLink {
      if (closing) throw new Error('tripswitch/redis: the store is closed; a breaker cannot attach to it');
      const name = wireName(member.name);
      const entry: Entry = {
        member,
        name,
        keys: keysOf(ownPrefix, name),
        pending: undefined,
        latest: undefined,
        leases: [],
        attached: true,
      };
      let set = byName.get(name);
      if (set === undefined) byName.set(name, (set = new Set()));
      set.add(entry);
      // The fleet's state as this process knows it, before the breaker's first call.
      const fleet = known.get(name);
      if (fleet !== undefined) adopt(entry, fleet);
      if (phase === 'up') track(sync(entry));
      return linkOf(context, entry);
    },
    stats: () => ({ available: phase === 'up' && !closed, ...counts }),
    on: (type, handler) => handlers.on(type, handler),
    ready() {
      if (closing) return Promise.reject(new Error('tripswitch/redis: the store is closed'));
      if (phase === 'up') return Promise.resolve();
      if (phase === 'down') {
        return Promise.reject(
          new Error('tripswitch/redis: Redis is unavailable; breakers decide alone until it is back', { cause: lastError }),
        );
      }
      return new Promise<void>((resolve, reject) => waiters.push({ resolve, reject }));
    },
    async flush() {
      if (closing) return closing;
      const error = await deliver();
      if (error !== undefined) throw error;
    },
    close,
  };
}
