import { joinFleet } from '../../fleet.js';
import type { FleetState, StoreLink, StoreMember, Transition } from '../../store.js';
import { parseCountMessage, tell } from './counts.js';
import { StoreHandlers } from './handlers.js';
import { KnownStates } from './known.js';
import { limiter } from './limiter.js';
import { adoptFleet, type Entry, type LinkContext, linkOf } from './link.js';
import { type RedisStoreOptions, resolveOptions } from './options.js';
import { PACE, Pace } from './pace.js';
import { channelOf, keysOf, parseMessage, transitionArgs, wireName } from './protocol.js';
import { reconciler } from './reconcile.js';
import { Resync } from './resync.js';
import { isLate, Runner } from './runner.js';
import type { RedisStore } from './types.js';
import { undelivered } from './undelivered.js';
import { Votes } from './votes.js';

export type { RedisStore, RedisStoreEvent } from './types.js';

/** Background scripts (syncs, transitions) in flight at once; leases, which a call waits for, skip the queue. */
const CONCURRENCY = 64;
/** Lease ids withdrawn per name at most when the store closes. */
const MAX_WITHDRAWN = 64;

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
  const monotonic = () => performance.now();
  const known = new KnownStates(monotonic);
  const votes = new Votes(monotonic);
  /** `starting` until the first resynchronization, then `up` or `down`. */
  let phase: 'starting' | 'up' | 'down' = 'starting';
  let lastError: unknown;
  let closed = false;
  let closing: Promise<void> | undefined;
  // Lease ids differ between two runs of a process under one instanceId.
  const incarnation = Math.random().toString(36).slice(2, 8);
  let leaseSeq = 0;
  let connectTimer: ReturnType<typeof setTimeout> | undefined;
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
    resync.down();
  };
  /**
   * A store operation failed. A late reply (a slow moment, one long script) only makes the
   * store check Redis's health, and it stays available if Redis answers; any other error, or
   * a failed check, makes it unavailable.
   */
  const fail = (error: unknown) => {
    if (closed) return;
    counts.errors++;
    if (phase === 'up' && isLate(error)) {
      lastError = error;
      resync.suspect();
    } else markUnavailable(error);
  };

  const adopt = (entry: Entry, fleet: FleetState) => adoptFleet(entry, fleet, instanceId);
  /**
   * A script's answer goes to the member that asked, then to the other members of its name in
   * this process: the message of our own transition is skipped when it comes back.
   */
  const answer = (entry: Entry, fleet: FleetState) => {
    known.learn(entry.name, fleet);
    adopt(entry, fleet);
    for (const other of byName.get(entry.name) ?? []) if (other !== entry) adopt(other, fleet);
  };
  /**
   * Keeps the index of names not closed up to date after a state the fleet took or holds;
   * `seen`, the epoch the index listed a name found closed at (prunes it). A write that fails
   * is retried by the resynchronization.
   */
  const index = (name: string, fleet: FleetState, seen?: string) => {
    const write = (): Promise<boolean> =>
      runner.index(name, fleet, seen).then(
        () => true,
        (error: unknown) => {
          fail(error);
          return false;
        },
      );
    track(
      limited(async () => {
        if (!(await write())) resync.add(`index:${name}`, write);
      }),
    );
  };

  const publish = (entry: Entry, transition: Transition) =>
    runner.run(entry.keys, entry.name, 'publish', [...transitionArgs(transition), String(quorum)]).then((reply) => {
      counts.published++;
      votes.cast(entry.name, entry.keys, transition);
      answer(entry, reply.fleet);
      index(entry.name, reply.fleet);
    });

  /** Keeps a transition not delivered, the latest only, for the resynchronization. */
  const keep = (entry: Entry, transition: Transition) => {
    if (entry.latest !== transition) return;
    entry.pending = transition;
    resync.add(entry, () => reconcile(entry));
  };

  const send = (entry: Entry, transition: Transition) => {
    entry.latest = transition;
    track(
      limited(async () => {
        // Queued behind an outage: kept for the resync instead of timing out in turn.
        if (phase !== 'up') return keep(entry, transition);
        try {
          await publish(entry, transition);
          if (entry.pending === transition) entry.pending = undefined;
        } catch (error) {
          keep(entry, transition);
          fail(error);
        }
      }),
    );
  };

  const { reconcile, sweep } = reconciler({
    runner,
    instanceId,
    prefix: ownPrefix,
    known,
    closed: () => closed,
    held: (name) => byName.get(name),
    entries: () => entries(),
    publish,
    answer,
    index,
    fail,
    add: (key, task) => resync.add(key, task),
  });
  /** Reconciles one member with the fleet, now (a breaker attached while the store is up). */
  const sync = (entry: Entry): Promise<boolean> => limited(() => reconcile(entry));

  /** Every task of the resynchronization is done: the store is up, and shares what changed meanwhile. */
  const synced = () => {
    if (closed || phase === 'up') return;
    const was = phase;
    phase = 'up';
    clearTimeout(connectTimer);
    connectTimer = undefined;
    for (const entry of entries()) {
      const pending = entry.pending;
      entry.pending = undefined;
      if (pending) send(entry, pending);
    }
    if (was === 'down') handlers.emit('available', {});
    settleWaiters();
  };

  const resync = new Resync(
    { up: () => phase === 'up', check: () => runner.ping().then((ok) => ok || checkFailed()), sweep, synced },
    new Pace(PACE),
    Math.min(1000, Math.max(100, timeoutMs)),
  );
  const checkFailed = (): false => {
    if (phase === 'up') markUnavailable(lastError ?? new Error('tripswitch/redis: no answer to a health check'));
    return false;
  };

  /** What each breaker's link uses of the store. */
  const context: LinkContext = {
    runner,
    quorum,
    counting,
    counts,
    up: () => phase === 'up',
    leaseId: () => `${instanceId}:${incarnation}:${++leaseSeq}`,
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
   * deadline), runs a round now when Redis was unavailable or something waits for one, then
   * waits for every command in flight. Returns the error naming what could not be delivered.
   */
  const deliver = async (closing: boolean): Promise<Error | undefined> => {
    if (phase === 'starting')
      await Promise.race([new Promise<void>((resolve) => waiters.push({ resolve, reject: resolve })), started]);
    if (phase !== 'up' || resync.pending > 0) await resync.run(closing);
    while (inflight.size > 0) await Promise.allSettled([...inflight]);
    const left = entries().filter((entry) => entry.pending !== undefined);
    return left.length > 0
      ? undelivered(
          left.map((entry) => entry.member.name),
          lastError,
        )
      : undefined;
  };

  /**
   * A step of `close()` of its own: this process's votes (of the names it tripped within their
   * open period) and the probe leases its breakers hold leave with it, so that quorum counts
   * only live processes and another process may probe at once. Best effort, within `timeoutMs`.
   */
  const withdraw = async (): Promise<void> => {
    if (phase !== 'up') return;
    const names = new Map<string, { keys: string[]; leases: string[] }>();
    for (const [name, keys] of votes.live()) names.set(name, { keys, leases: [] });
    // Names this instance sent count reports for: the same operation takes its share of the run and its report.
    for (const entry of entries())
      if (entry.reported === true && !names.has(entry.name)) names.set(entry.name, { keys: entry.keys, leases: [] });
    for (const entry of entries()) {
      if (entry.leases.length === 0) continue;
      let held = names.get(entry.name);
      if (held === undefined) names.set(entry.name, (held = { keys: entry.keys, leases: [] }));
      held.leases.push(...entry.leases.slice(-MAX_WITHDRAWN));
    }
    await Promise.all(
      [...names].map(([name, { keys, leases }]) =>
        limited(() => runner.run(keys, name, 'withdraw', leases.slice(-MAX_WITHDRAWN))).catch(() => {
          counts.errors++;
        }),
      ),
    );
  };

  const close = (): Promise<void> => {
    if (closing) return closing;
    closing = (async () => {
      let error: unknown;
      try {
        error = await deliver(true);
        await withdraw();
      } finally {
        closed = true;
        resync.close();
        clearTimeout(connectTimer);
        connectTimer = undefined;
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
      onReady: () => resync.reconnect(),
      onError: markUnavailable,
      onEnd: () => void close().catch(() => undefined),
      onOpen: () => {
        connectTimer = setTimeout(() => {
          if (phase === 'starting') markUnavailable(new Error(`tripswitch/redis: not connected within ${connectMs} ms`));
        }, connectMs);
        (connectTimer as { unref?: () => void }).unref?.();
      },
    })
    .then(() => resync.start());

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
      else resync.add(entry, () => reconcile(entry));
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
      const error = await deliver(false);
      if (error !== undefined) throw error;
    },
    close,
  };
}
