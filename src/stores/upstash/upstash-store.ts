import { joinFleet } from '../../fleet.js';
import type { FleetState, StoreLink, StoreMember, Transition } from '../../store.js';
import { parseCountReply, tell } from '../redis/counts.js';
import { StoreHandlers } from '../redis/handlers.js';
import { KnownStates } from '../redis/known.js';
import { limiter } from '../redis/limiter.js';
import { adoptFleet, type Entry, type LinkContext, linkOf, withdrawCounts } from '../redis/link.js';
import { channelOf, keysOf, transitionArgs, wireName } from '../redis/protocol.js';
import { Runner } from '../redis/runner.js';
import { undelivered } from '../redis/undelivered.js';
import { clocked } from './clock.js';
import { cleanError } from './errors.js';
import { resolveOptions, type UpstashStoreOptions } from './options.js';
import { calledHook, dueAfter, type Paced, reportSlot, stopAll, type Timers } from './refresh.js';
import { restTransport, tokenOf } from './transport.js';
import type { UpstashStore } from './types.js';

/** Scripts waiting for their request at once (transitions, reads); leases, which a call waits for, skip the queue. */
const CONCURRENCY = 64;

type Member = Entry &
  Paced & {
    /** Whether a refresh last told the breaker of counts that were not all zero. */
    told: boolean;
    /** The newest fleet epoch a read brought this breaker. */
    seen: number;
  };

const unavailable = (cause: unknown) =>
  new Error('tripswitch/upstash: the endpoint is unavailable; breakers decide alone until it answers', { cause });

/**
 * Shares breaker state across instances through Redis's REST protocol (Upstash, or a REST
 * bridge in front of any Redis), for runtimes that hold no connection: Workers, Vercel,
 * Deno Deploy, Lambda. The same script, keys and semantics as `redisStore`: the two on one
 * Redis and prefix are one fleet. No call waits on a request (but a would-be probe for its
 * lease); a called breaker reads the fleet's state at most once per `refreshMs` in the
 * background; an idle breaker sends nothing; transitions are sent at once.
 *
 * @example
 * ```ts
 * import { Redis } from '@upstash/redis';
 * import { createBreaker } from 'tripswitch';
 * import { upstashStore } from 'tripswitch/upstash';
 *
 * const store = upstashStore({ client: Redis.fromEnv(), refreshMs: 1000 });
 * await store.ready().catch(() => undefined); // the fleet's open breakers are known (or the endpoint is down)
 * const payments = createBreaker({ name: 'payments', store });
 * ```
 */
export function upstashStore(options: UpstashStoreOptions): UpstashStore {
  const { client, prefix, refreshMs, timeoutMs, quorum, instanceId, counting, waitUntil } = resolveOptions(options);
  const token = tokenOf(client);
  const runner = clocked(new Runner(restTransport(client), channelOf(prefix), instanceId, timeoutMs, prefix));
  const counts: LinkContext['counts'] = { published: 0, applied: 0, ignored: 0, errors: 0, leasesGranted: 0, leasesRefused: 0 };
  if (counting === 'fleet') counts.reported = 0;
  const handlers = new StoreHandlers();
  const byName = new Map<string, Set<Member>>();
  const known = new KnownStates(() => performance.now());
  const limited = limiter(CONCURRENCY);
  const inflight = new Set<Promise<unknown>>();
  const timers: Timers = new Map();
  let up = true;
  let lastError: Error | undefined;
  let closed = false;
  let closing: Promise<void> | undefined;
  let leaseSeq = 0;
  let recovering: Promise<boolean> | undefined;
  /** When the next health check may start while unavailable (monotonic ms). */
  let recoverAt = 0;
  let loading: Promise<void> | undefined;
  /** When `ready()` last loaded the fleet (monotonic ms): breakers attached then start fresh. */
  let loadedAt: number | undefined;

  /** Hands a promise that never rejects to `waitUntil`, which keeps it alive past the response. */
  const keepAlive = (task: Promise<unknown>): void => {
    try {
      waitUntil?.(task);
    } catch {
      // A platform refusing the promise (outside a request) leaves it running.
    }
  };
  /** Keeps a background task for `flush()`, and alive past the response. */
  const track = (task: Promise<unknown>): void => {
    const settled: Promise<unknown> = task.then(
      () => inflight.delete(settled),
      () => inflight.delete(settled),
    );
    inflight.add(settled);
    keepAlive(settled);
  };

  const fail = (error: unknown) => {
    if (closed) return;
    counts.errors++;
    if (!up) return;
    up = false;
    lastError = cleanError(error, token);
    handlers.emit('unavailable', { error: lastError });
  };

  const adopt = (entry: Member, fleet: FleetState) => adoptFleet(entry, fleet, instanceId);
  const answer = (entry: Entry, fleet: FleetState) => {
    known.learn(entry.name, fleet);
    for (const member of byName.get(entry.name) ?? []) adopt(member, fleet);
  };
  const index = (name: string, fleet: FleetState, seen?: string) => {
    track(limited(() => runner.index(name, fleet, seen)).catch(fail));
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
        if (!up) return keep();
        try {
          await publish(entry, transition);
        } catch (error) {
          keep();
          fail(error);
        }
      }),
    );
  };

  /** Counts a state another instance made that this breaker had not seen yet. */
  const applied = (entry: Member, fleet: FleetState) => {
    if (fleet.instance !== instanceId && fleet.epoch > entry.seen) counts.applied++;
    entry.seen = Math.max(entry.seen, fleet.epoch);
  };

  /** Reads the fleet's state of one name; a state made elsewhere is taken up (`remote`). */
  const read = (entry: Member): Promise<void> => {
    const mode = counting === 'fleet' ? entry.member.reports : undefined;
    if (mode !== undefined) return readCounts(entry, mode);
    return runner.run(entry.keys, entry.name, 'read', []).then((reply) => {
      applied(entry, reply.fleet);
      answer(entry, reply.fleet);
    });
  };

  /**
   * Counting across the fleet, what an instance with a subscription hears (a run announced or
   * ended, the fleet counting a name's windows or not) this one reads at its refresh, in the
   * same request: a read given the counting mode answers the fleet's counts, and whether it
   * wants every outcome from this instance, without reporting or changing anything.
   */
  const readCounts = (entry: Member, mode: 'run' | 'window'): Promise<void> =>
    runner.run(entry.keys, entry.name, 'read', [mode], parseCountReply).then((reply) => {
      applied(entry, reply.fleet);
      // Counts of nothing are news only to a breaker that was told of a run: it ended.
      const { calls, failures, slowCalls } = reply.counts;
      const counted = reply.counting || calls + failures + slowCalls > 0;
      const news = counted || entry.told;
      entry.told = counted;
      if (reply.fleet.state === 'closed' && news) for (const member of byName.get(entry.name) ?? []) tell(member.member, reply);
      answer(entry, reply.fleet);
    });

  /** Reconciles one breaker after an outage: its own change made meanwhile wins, else the fleet's newer state. */
  const reconcile = async (entry: Member): Promise<void> => {
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
      if (transition) return await publish(entry, transition);
      await read(entry);
    } catch (error) {
      if (pending && entry.pending === undefined) entry.pending = pending;
      throw error;
    }
  };

  const entries = (): Member[] => [...byName.values()].flatMap((set) => [...set]);

  /** While unavailable: checks the endpoint answers, reconciles every breaker here, then reports `available`. */
  const recover = (force = false): Promise<boolean> => {
    if (recovering) return recovering;
    // Many called breakers share one health check per period.
    const now = performance.now();
    if (!force && now < recoverAt) return Promise.resolve(false);
    recoverAt = now + refreshMs;
    recovering = (async () => {
      if (!(await runner.ping())) return false;
      try {
        await Promise.all(entries().map((entry) => limited(() => reconcile(entry))));
      } catch (error) {
        counts.errors++;
        lastError = cleanError(error, token);
        return false;
      }
      if (closed) return false;
      up = true;
      // Transitions made while the breakers were being reconciled.
      for (const entry of entries()) {
        const pending = entry.pending;
        entry.pending = undefined;
        if (pending !== undefined) send(entry, pending);
      }
      handlers.emit('available', {});
      return true;
    })().finally(() => {
      recovering = undefined;
    });
    return recovering;
  };

  /** A called breaker's background refresh: a read, or while unavailable a health check. */
  const refresh = (entry: Member) => {
    if (closed || !entry.attached) return;
    track(up ? limited(() => read(entry)).catch(fail) : recover());
    keepAlive(dueAfter(entry, refreshMs, timers));
  };

  const context: LinkContext = {
    runner,
    quorum,
    counting,
    counts,
    up: () => up && !closed,
    leaseId: () => `${instanceId}:${++leaseSeq}`,
    send,
    answer,
    index,
    fail,
    track,
    remove(entry) {
      const set = byName.get(entry.name);
      set?.delete(entry as Member);
      if (set?.size === 0) byName.delete(entry.name);
    },
  };

  /** Loads the index of names not closed, then reads them all (one pipeline); a closed name leaves the index. */
  const load = async (): Promise<void> => {
    const listed = await runner.names();
    await Promise.all(
      [...listed].map(async ([name, seen]) => {
        const reply = await runner.run(keysOf(prefix, name), name, 'read', []);
        known.learn(name, reply.fleet);
        for (const entry of byName.get(name) ?? []) adopt(entry, reply.fleet);
        // Found closed at the epoch it was listed at (a record gone, say): the entry is pruned.
        if (reply.fleet.state === 'closed') index(name, reply.fleet, seen);
      }),
    );
    loadedAt = performance.now();
    if (!up) track(recover(true));
  };

  const deliver = async (): Promise<Error | undefined> => {
    while (inflight.size > 0) await Promise.allSettled([...inflight]);
    if (!up) await recover(true);
    while (inflight.size > 0) await Promise.allSettled([...inflight]);
    const left = entries().filter((entry) => entry.pending !== undefined);
    if (left.length === 0) return undefined;
    const error = undelivered(
      left.map((entry) => entry.member.name),
      lastError,
    );
    error.message = error.message.replace('tripswitch/redis', 'tripswitch/upstash').replace('Redis is', 'the endpoint is');
    return error;
  };

  return {
    instanceId,
    join: joinFleet,
    attach(member: StoreMember): StoreLink {
      if (closing) throw new Error('tripswitch/upstash: the store is closed; a breaker cannot attach to it');
      const name = wireName(member.name);
      // Loaded by `ready()` less than a period ago: the first read waits for the period's end.
      const fresh = loadedAt === undefined ? 0 : loadedAt + refreshMs;
      const wait = fresh - performance.now();
      const entry: Member = {
        member,
        name,
        keys: keysOf(prefix, name),
        pending: undefined,
        latest: undefined,
        leases: [],
        attached: true,
        due: wait <= 0,
        nextAt: fresh,
        calls: 0,
        reportAt: 0,
        told: false,
        seen: 0,
      };
      if (wait > 0) keepAlive(dueAfter(entry, wait, timers));
      let set = byName.get(name);
      if (set === undefined) byName.set(name, (set = new Set()));
      set.add(entry);
      // The fleet's state as this instance knows it (from `ready()` or another breaker's read), before the first call.
      const fleet = known.get(name);
      if (fleet !== undefined) adopt(entry, fleet);
      const link = linkOf(context, entry);
      const report = link.report;
      return {
        ...link,
        called: calledHook(entry, refreshMs, () => refresh(entry)),
        report:
          report &&
          ((counted) => reportSlot(entry, refreshMs, timers).then(() => (entry.attached ? report(counted) : undefined))),
      };
    },
    stats: () => ({ available: up && !closed, ...counts }),
    on: (type, handler) => handlers.on(type, handler as (event: { error?: unknown }) => void),
    ready() {
      if (closing) return Promise.reject(new Error('tripswitch/upstash: the store is closed'));
      if (loadedAt !== undefined) return Promise.resolve();
      loading ??= load()
        .catch((error: unknown) => {
          fail(error);
          throw unavailable(lastError ?? cleanError(error, token));
        })
        .finally(() => {
          loading = undefined;
        });
      return loading;
    },
    async flush() {
      if (closing) return closing;
      const error = await deliver();
      if (error !== undefined) throw error;
    },
    close() {
      closing ??= (async () => {
        let error: Error | undefined;
        try {
          error = await deliver();
          if (up) await withdrawCounts(runner, entries());
        } finally {
          closed = true;
          stopAll(timers);
          for (const entry of entries()) entry.attached = false;
          byName.clear();
        }
        if (error !== undefined) throw error;
      })();
      return closing;
    },
  };
}
