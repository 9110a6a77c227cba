import type { CountReport, FleetState, StoreLink, StoreMember, StoreStats, Transition } from '../../store.js';
import { countArgs, parseCountReply, tell } from './counts.js';
import type { Runner } from './runner.js';

/** One attached breaker, as the store keeps it. */
export interface Entry {
  readonly member: StoreMember;
  /** The name in keys, messages and the index (a digest for a very long name). */
  readonly name: string;
  readonly keys: string[];
  /** The latest transition not yet accepted by Redis, kept while the store is unavailable. */
  pending: Transition | undefined;
  latest: Transition | undefined;
  /** Ids of the leases this member holds, oldest first. */
  readonly leases: string[];
  attached: boolean;
  /** Whether this member sent a count report: the store withdraws its figures on close. */
  reported?: boolean;
}

/** What a breaker's link uses of its store. */
export interface LinkContext {
  readonly runner: Runner;
  readonly quorum: number;
  readonly counting: 'fleet' | 'local';
  readonly counts: { -readonly [K in keyof Omit<StoreStats, 'available'>]: StoreStats[K] };
  /** Whether Redis answers now (the store is up). */
  up(): boolean;
  /** A fresh lease id. */
  leaseId(): string;
  /** Shares a transition now. */
  send(entry: Entry, transition: Transition): void;
  /** A script's record, for the member that asked and the others of its name here. */
  answer(entry: Entry, fleet: FleetState): void;
  /** Keeps the index of names not closed up to date. */
  index(name: string, fleet: FleetState): void;
  fail(error: unknown): void;
  /** Keeps a background task for `flush()`. */
  track(task: Promise<unknown>): void;
  /** Forgets a member. */
  remove(entry: Entry): void;
}

/** Lease ids kept per breaker for its probeDone calls; a breaker holds at most halfOpenMaxCalls. */
const MAX_HELD = 1024;

/**
 * Hands an attached member the fleet's state (`remote` when another instance made it);
 * nothing may escape into the store: the breaker reports its own listeners' errors.
 */
export function adoptFleet(entry: Entry, fleet: FleetState, instanceId: string): void {
  if (!entry.attached) return;
  try {
    entry.member.adopt(fleet, fleet.instance !== instanceId);
  } catch {
    // Reported by the breaker.
  }
}

/** A breaker's link to the Redis store: transitions, probe leases and, counting across the fleet, its reports. */
export function linkOf(ctx: LinkContext, entry: Entry): StoreLink {
  const { runner, counts } = ctx;
  const { member, name, keys } = entry;
  return {
    report: ctx.counting === 'fleet' ? (report) => sendReport(ctx, entry, report) : undefined,
    publish(transition) {
      if (!entry.attached) return;
      if (!ctx.up()) {
        entry.pending = transition;
        return;
      }
      ctx.send(entry, transition);
    },
    lease(ttlMs) {
      // Every lease granted, by Redis or for want of an answer, is paired with the next probeDone.
      const id = ctx.leaseId();
      entry.leases.push(id);
      if (entry.leases.length > MAX_HELD) entry.leases.shift();
      if (!entry.attached || !ctx.up()) return Promise.resolve(true);
      const ttl = String(Math.min(2 ** 31, Math.max(1, Math.round(ttlMs) || 1)));
      return runner.run(keys, name, 'lease', [id, ttl, String(member.halfOpenMaxCalls)]).then(
        (reply) => {
          if (reply.granted) {
            counts.leasesGranted++;
            return true;
          }
          counts.leasesRefused++;
          entry.leases.splice(entry.leases.indexOf(id), 1);
          ctx.answer(entry, reply.fleet);
          return false;
        },
        (error: unknown) => {
          ctx.fail(error);
          return true;
        },
      );
    },
    probeDone(outcome) {
      const id = entry.leases.shift() ?? '';
      if (!entry.attached || !ctx.up()) return;
      ctx.track(
        runner.run(keys, name, 'done', [id, outcome, String(member.halfOpenMaxCalls)]).then((reply) => {
          ctx.answer(entry, reply.fleet);
          ctx.index(name, reply.fleet);
        }, ctx.fail),
      );
    },
    detach() {
      if (!entry.attached) return;
      entry.attached = false;
      ctx.remove(entry);
    },
  };
}

/**
 * A breaker's count report: one script call on Redis's clock, with the runner's deadline,
 * never queued while Redis is unavailable (the breaker counts alone meanwhile). The counts go
 * to the breaker that reported; when the fleet starts or stops counting a name (an announced
 * run, a sum of windows near a threshold) the script tells every process on the channel.
 */
function sendReport(ctx: LinkContext, entry: Entry, report: CountReport): Promise<void> {
  if (!entry.attached || !ctx.up()) return Promise.resolve();
  const [op, args] = countArgs(report, ctx.quorum);
  ctx.counts.reported = (ctx.counts.reported as number) + 1;
  entry.reported = true;
  const task = ctx.runner.run(entry.keys, entry.name, op, args, parseCountReply).then(
    (reply) => {
      if (reply.fleet.state === 'closed') tell(entry.member, reply);
      ctx.answer(entry, reply.fleet);
      if (reply.fleet.state !== 'closed') ctx.index(entry.name, reply.fleet);
    },
    (error: unknown) => ctx.fail(error),
  );
  ctx.track(task);
  return task;
}

/**
 * On close, for a store that keeps no list of its votes: withdraws this instance's vote, its
 * share of every run and its window reports, one script per name it reported for (an instance
 * that leaves no longer counts, and its failures cannot combine with others' after it has
 * gone). Never rejects; what Redis does not get expires.
 */
export async function withdrawCounts(runner: Runner, entries: readonly Entry[]): Promise<void> {
  const names = new Map<string, Entry>();
  for (const entry of entries) if (entry.reported === true) names.set(entry.name, entry);
  await Promise.allSettled([...names.values()].map((entry) => runner.run(entry.keys, entry.name, 'withdraw', [])));
}
