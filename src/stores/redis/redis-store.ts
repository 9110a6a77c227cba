import { joinFleet } from '../../fleet.js';
import type { BreakerStore, FleetState, StoreLink, StoreMember, StoreStats, Transition } from '../../store.js';
import { limiter } from './limiter.js';
import { SCRIPT, SCRIPT_SHA } from './lua.js';
import { type RedisStoreOptions, resolveOptions } from './options.js';
import { channelOf, encodeName, keysOf, parseMessage, parseReply, type Reply, transitionArgs } from './protocol.js';
import { within } from './shim.js';

/**
 * The payload of a store's `available` and `unavailable` events.
 *
 * @example
 * ```ts
 * import type { RedisStoreEvent } from 'tripswitch/redis';
 *
 * const log = (e: RedisStoreEvent) => console.warn('store down', e.error);
 * ```
 */
export interface RedisStoreEvent {
  /** `unavailable`: the error or timeout that made the store fail. */
  readonly error?: unknown;
}

/**
 * A {@link BreakerStore} on Redis, returned by {@link redisStore}.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { redisStore } from 'tripswitch/redis';
 *
 * const store = redisStore({ client: new Redis() });
 * const off = store.on('unavailable', ({ error }) => console.warn('breakers deciding alone', error));
 * console.log(store.stats().available);
 * off();
 * await store.close();
 * ```
 */
export interface RedisStore extends BreakerStore {
  /**
   * `unavailable`: emitted once when the store starts failing (breakers then decide alone);
   * `available`: once it has resynchronized. Returns a function that removes the handler.
   * A handler that throws is ignored.
   */
  on(type: 'available' | 'unavailable', handler: (event: RedisStoreEvent) => void): () => void;
  /** Health and counters. */
  stats(): StoreStats;
  /** Unsubscribes, releases the subscriber connection and stops every timer. The user's client stays open. */
  close(): Promise<void>;
}

interface Entry {
  readonly member: StoreMember;
  readonly keys: string[];
  /** The latest transition not yet accepted by Redis, kept while the store is unavailable. */
  pending: Transition | undefined;
  latest: Transition | undefined;
  /** Ids of the leases this member holds, oldest first. */
  readonly leases: string[];
  attached: boolean;
}

/** Background scripts (syncs, transitions) in flight at once; leases, which a call waits for, skip the queue. */
const CONCURRENCY = 64;

/** Lease ids kept per breaker for its probeDone calls; a breaker holds at most halfOpenMaxCalls. */
const MAX_HELD = 1024;

const isNoScript = (error: unknown): boolean =>
  typeof (error as { message?: unknown } | null)?.message === 'string' &&
  (error as { message: string }).message.includes('NOSCRIPT');

/**
 * Shares breaker state across processes through Redis: transitions, probe leases and votes go
 * through one Lua script each, on the server's clock; breakers follow each other through one
 * pub/sub channel. The call path never waits on Redis, except a would-be probe for its lease
 * (at most `timeoutMs`). When Redis fails, breakers decide alone and resynchronize afterwards.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { createBreaker } from 'tripswitch';
 * import { redisStore } from 'tripswitch/redis';
 *
 * const store = redisStore({ client: new Redis(process.env.REDIS_URL), quorum: 2 });
 * const payments = createBreaker({ name: 'payments', store });
 * // ... on shutdown
 * await store.close();
 * ```
 */
export function redisStore(options: RedisStoreOptions): RedisStore {
  const { shim, prefix, quorum, timeoutMs, instanceId } = resolveOptions(options);
  const channel = channelOf(prefix);
  const healthKeys = keysOf(prefix, '').map((key) => key.replace(`{${encodeName('')}}`, '{~}'));
  const counts = { published: 0, applied: 0, ignored: 0, errors: 0, leasesGranted: 0, leasesRefused: 0 };
  const handlers = { available: new Set<(e: RedisStoreEvent) => void>(), unavailable: new Set<(e: RedisStoreEvent) => void>() };
  const byName = new Map<string, Set<Entry>>();
  let available = true;
  let closed = false;
  let leaseSeq = 0;
  let retryTimer: ReturnType<typeof setInterval> | undefined;
  let resyncing = false;
  let resyncAgain = false;
  const limited = limiter(CONCURRENCY);

  const emit = (type: 'available' | 'unavailable', event: RedisStoreEvent) => {
    for (const handler of [...handlers[type]]) {
      try {
        handler(event);
      } catch {
        // A user's handler never breaks the store.
      }
    }
  };

  const markUnavailable = (error: unknown) => {
    if (closed) return;
    if (available) {
      available = false;
      emit('unavailable', { error });
    }
    if (retryTimer === undefined) {
      retryTimer = setInterval(() => void resync(), Math.min(1000, Math.max(100, timeoutMs)));
      (retryTimer as { unref?: () => void }).unref?.();
    }
  };
  const fail = (error: unknown) => {
    if (closed) return;
    counts.errors++;
    markUnavailable(error);
  };

  /** Runs the script; a server that lost its script cache gets it again with EVAL. */
  const call = (keys: string[], argv: string[]): Promise<unknown> =>
    Promise.resolve()
      .then(() => shim.evalsha(SCRIPT_SHA, keys, argv))
      .catch((error: unknown) => {
        if (isNoScript(error)) return shim.eval(SCRIPT, keys, argv);
        throw error;
      });
  /** Runs the script for one name within the deadline. */
  const run = (keys: string[], name: string, op: string, args: string[]): Promise<Reply> =>
    within(call(keys, [op, channel, name, instanceId, ...args]), timeoutMs).then(parseReply);
  /** A health check; at most one is ever outstanding, so a client's offline queue never fills with them. */
  let pingCall: Promise<unknown> | undefined;
  const ping = (): Promise<boolean> => {
    if (pingCall) return Promise.resolve(false);
    const current = call(healthKeys, ['read', channel, '', instanceId]);
    pingCall = current;
    const clear = () => {
      pingCall = undefined;
    };
    current.then(clear, clear);
    return within(current, timeoutMs)
      .then(parseReply)
      .then(
        () => true,
        () => false,
      );
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
    adopt(entry, fleet);
    for (const other of byName.get(entry.member.name) ?? []) if (other !== entry) adopt(other, fleet);
  };

  const send = (entry: Entry, transition: Transition) => {
    entry.latest = transition;
    const keep = () => {
      if (entry.latest === transition && entry.pending === undefined) entry.pending = transition;
    };
    void limited(async () => {
      // Queued behind an outage: kept for the resync instead of timing out in turn.
      if (!available) return keep();
      try {
        const reply = await run(entry.keys, entry.member.name, 'publish', [...transitionArgs(transition), String(quorum)]);
        counts.published++;
        answer(entry, reply.fleet);
      } catch (error) {
        keep();
        fail(error);
      }
    });
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
      let reply: Reply;
      if (transition) {
        reply = await run(entry.keys, entry.member.name, 'publish', [...transitionArgs(transition), String(quorum)]);
        counts.published++;
      } else if (local && local.transition.state !== 'closed' && Number.isSafeInteger(local.epoch) && local.epoch > 0) {
        reply = await run(entry.keys, entry.member.name, 'restore', [String(local.epoch), ...transitionArgs(local.transition)]);
      } else {
        reply = await run(entry.keys, entry.member.name, 'read', []);
      }
      answer(entry, reply.fleet);
      return true;
    } catch (error) {
      if (pending && entry.pending === undefined) entry.pending = pending;
      fail(error);
      return false;
    }
  };

  const entries = (): Entry[] => [...byName.values()].flatMap((set) => [...set]);

  /** After a failure or a reconnect: checks Redis answers, reconciles every member, then reports `available`. */
  const resync = async (): Promise<void> => {
    if (closed) return;
    if (resyncing) {
      resyncAgain = true;
      return;
    }
    resyncing = true;
    try {
      do {
        resyncAgain = false;
        if (!available && !(await ping())) continue;
        const results = await Promise.all(entries().map(sync));
        if (closed || !results.every(Boolean)) continue;
        if (!available) {
          available = true;
          clearInterval(retryTimer);
          retryTimer = undefined;
          for (const entry of entries()) if (entry.pending) send(entry, entry.pending);
          for (const entry of entries()) entry.pending = undefined;
          emit('available', {});
        }
      } while (resyncAgain && !closed);
    } finally {
      resyncing = false;
    }
  };

  const onMessage = (message: unknown) => {
    if (closed) return;
    const announcement = parseMessage(message);
    if (announcement === undefined) {
      counts.ignored++;
      return;
    }
    if (announcement.fleet.instance === instanceId) return;
    for (const entry of byName.get(announcement.name) ?? []) {
      counts.applied++;
      adopt(entry, announcement.fleet);
    }
  };

  // Breakers attached before the subscription was in place may have missed a message:
  // once it is, every one of them is reconciled with the fleet.
  void shim.subscribe(channel, onMessage, () => void resync(), markUnavailable).then(() => resync());

  return {
    instanceId,
    join: joinFleet,
    attach(member: StoreMember): StoreLink {
      const name = member.name;
      const entry: Entry = {
        member,
        keys: keysOf(prefix, name),
        pending: undefined,
        latest: undefined,
        leases: [],
        attached: !closed,
      };
      if (!closed) {
        let set = byName.get(name);
        if (set === undefined) byName.set(name, (set = new Set()));
        set.add(entry);
        if (available) void sync(entry);
      }
      return {
        publish(transition) {
          if (!entry.attached) return;
          if (!available) {
            entry.pending = transition;
            return;
          }
          send(entry, transition);
        },
        lease(ttlMs) {
          // Every lease granted, by Redis or for want of an answer, is paired with the next probeDone.
          const id = `${instanceId}:${++leaseSeq}`;
          entry.leases.push(id);
          if (entry.leases.length > MAX_HELD) entry.leases.shift();
          if (!entry.attached || !available) return Promise.resolve(true);
          const ttl = String(Math.min(2 ** 31, Math.max(1, Math.round(ttlMs) || 1)));
          return run(entry.keys, name, 'lease', [id, ttl, String(member.halfOpenMaxCalls)]).then(
            (reply) => {
              if (reply.granted) {
                counts.leasesGranted++;
                return true;
              }
              counts.leasesRefused++;
              entry.leases.splice(entry.leases.indexOf(id), 1);
              answer(entry, reply.fleet);
              return false;
            },
            (error: unknown) => {
              fail(error);
              return true;
            },
          );
        },
        probeDone(outcome) {
          const id = entry.leases.shift() ?? '';
          if (!entry.attached || !available) return;
          run(entry.keys, name, 'done', [id, outcome, String(member.halfOpenMaxCalls)]).then(
            (reply) => answer(entry, reply.fleet),
            fail,
          );
        },
        detach() {
          if (!entry.attached) return;
          entry.attached = false;
          const set = byName.get(name);
          set?.delete(entry);
          if (set?.size === 0) byName.delete(name);
        },
      };
    },
    stats: () => ({ available, ...counts }),
    on(type, handler) {
      const set = handlers[type];
      if (set === undefined) throw new TypeError(`event must be 'available' or 'unavailable', got ${String(type)}`);
      if (typeof handler !== 'function') throw new TypeError(`handler must be a function, got ${typeof handler}`);
      const own = (event: RedisStoreEvent) => handler(event);
      set.add(own);
      return () => {
        set.delete(own);
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(retryTimer);
      retryTimer = undefined;
      for (const entry of entries()) entry.attached = false;
      byName.clear();
      await shim.close(timeoutMs);
    },
  };
}
