import type { FleetState, StoreMember, Transition } from '../../store.js';
import type { KnownStates } from './known.js';
import type { Entry } from './link.js';
import { keysOf, transitionArgs } from './protocol.js';
import type { Task } from './resync.js';
import type { Runner } from './runner.js';

/** What reconciling members with the fleet uses of the store. */
export interface ReconcileContext {
  readonly runner: Runner;
  readonly instanceId: string;
  readonly prefix: string;
  readonly known: KnownStates;
  closed(): boolean;
  /** The members of a name here. */
  held(name: string): ReadonlySet<Entry> | undefined;
  entries(): Entry[];
  /** Shares a transition now (rejects when Redis did not take it). */
  publish(entry: Entry, transition: Transition): Promise<void>;
  answer(entry: Entry, fleet: FleetState): void;
  index(name: string, fleet: FleetState, seen?: string): void;
  fail(error: unknown): void;
  /** Adds a task to the next round of the resynchronization. */
  add(key: unknown, task: Task): void;
}

/**
 * Reconciling the members of a store with the fleet: one member at a time (`reconcile`), and
 * after a reconnect only what may differ (`sweep`, which reads the index of names not closed
 * once and adds a task for each member or name it calls for).
 */
export function reconciler(ctx: ReconcileContext) {
  const { runner, instanceId, known } = ctx;
  /** The index as last read: name -> the epoch it is listed at. */
  let listed: ReadonlyMap<string, string> = new Map();

  /** Its own change made while unavailable wins, else the newer epoch. Resolves whether it is done; a failure keeps it for the next round. */
  const reconcile = async (entry: Entry): Promise<boolean> => {
    if (ctx.closed() || !entry.attached) return true;
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
        await ctx.publish(entry, transition);
        return true;
      }
      const restore = local && local.transition.state !== 'closed' && Number.isSafeInteger(local.epoch) && local.epoch > 0;
      const reply = restore
        ? await runner.run(entry.keys, entry.name, 'restore', [
            String(local?.epoch),
            ...transitionArgs((local as { transition: Transition }).transition),
          ])
        : await runner.run(entry.keys, entry.name, 'read', []);
      ctx.answer(entry, reply.fleet);
      const seen = listed.get(entry.name);
      // The process whose restore wrote the record indexes it; a name listed but closed leaves the index.
      if (restore && reply.fleet.instance === instanceId && reply.fleet.epoch === local?.epoch)
        ctx.index(entry.name, reply.fleet);
      else if (reply.fleet.state === 'closed' && seen !== undefined) ctx.index(entry.name, reply.fleet, seen);
      return true;
    } catch (error) {
      if (pending && entry.pending === undefined) entry.pending = pending;
      ctx.add(entry, () => reconcile(entry));
      ctx.fail(error);
      return false;
    }
  };

  /** A name the index lists and no breaker here holds, at start: learnt for breakers created later, pruned when closed. */
  const visit =
    (name: string, seen: string): Task =>
    async () => {
      // Attached meanwhile: the breaker's own sync reads it.
      if (ctx.closed() || ctx.held(name) !== undefined) return true;
      try {
        const reply = await runner.run(keysOf(ctx.prefix, name), name, 'read', []);
        known.learn(name, reply.fleet);
        if (reply.fleet.state === 'closed') ctx.index(name, reply.fleet, seen);
        return true;
      } catch (error) {
        ctx.fail(error);
        return false;
      }
    };

  /** Whether a member may differ from the fleet although the index does not list its name. */
  const differs = (entry: Entry): boolean => {
    if (entry.pending !== undefined) return true;
    try {
      const local = entry.member.local();
      return local !== undefined && (local.epoch === 0 || local.transition.state !== 'closed');
    } catch {
      return true;
    }
  };

  /**
   * Reads the index once and adds a task for what may differ: every member of a name it
   * lists, every member not closed here (or with a change not shared yet), and at start the
   * names it lists that no breaker here holds. A member closed here whose name is not listed
   * costs nothing. After a reconnect, what was learnt of names the index no longer lists is
   * forgotten.
   */
  const sweep = async (first: boolean): Promise<boolean> => {
    const since = performance.now();
    try {
      listed = await runner.names();
    } catch (error) {
      ctx.fail(error);
      return false;
    }
    if (!first) known.retain(listed, since);
    for (const [name, seen] of listed) {
      const held = ctx.held(name);
      if (held !== undefined) for (const entry of held) ctx.add(entry, () => reconcile(entry));
      else if (first) ctx.add(`visit:${name}`, visit(name, seen));
    }
    for (const entry of ctx.entries()) if (differs(entry)) ctx.add(entry, () => reconcile(entry));
    return true;
  };

  return { reconcile, sweep };
}
