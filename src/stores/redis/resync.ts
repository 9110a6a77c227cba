import type { Pace } from './pace.js';

/** What a round asks of its store. */
export interface ResyncHooks {
  /** Whether the store is in sync and answering now. */
  up(): boolean;
  /** A health check: resolves whether the store answered. Never rejects. */
  check(): Promise<boolean>;
  /**
   * Reads what may differ (the index of names not closed) and adds the tasks it calls for;
   * `first`: the first sweep of the store. Resolves false when it failed. Never rejects.
   */
  sweep(first: boolean): Promise<boolean>;
  /** Every task is done: the store is in sync. Called after every round that leaves nothing to do. */
  synced(): void;
}

/** A piece of a resynchronization: resolves whether it is done. Never rejects. */
export type Task = () => Promise<boolean>;

/**
 * Resynchronization, proportional to what differs. The store adds a task for each thing that
 * must reach or be read from the fleet (a breaker not closed here, a transition not
 * delivered, an index entry not written); a round runs them, paced, and keeps those that
 * failed for the next round: nothing is done twice because something else failed. After a
 * reconnect or an outage a round first sweeps (reads the index once, which adds the tasks for
 * what it lists), after a jittered delay, so that a fleet's rounds spread out; readies that
 * come together (a store's connections) make one round. A round is a health check, at most
 * one sweep, then the tasks: nothing more. Transport-agnostic: a store over HTTP drives it
 * with its own hooks.
 */
export class Resync {
  private readonly todo = new Map<unknown, Task>();
  private sweepWanted = false;
  private checkWanted = false;
  private jitterWanted = false;
  private first = true;
  private closed = false;
  private running: Promise<void> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly hooks: ResyncHooks,
    private readonly pace: Pace,
    /** How long after a failed round the next one starts. */
    private readonly retryMs: number,
  ) {}

  /** Adds (or replaces) the task of `key`, for the next round. */
  add(key: unknown, task: Task): void {
    this.todo.set(key, task);
  }

  /** How many tasks wait. */
  get pending(): number {
    return this.todo.size;
  }

  /** The store's first round: a sweep at once. */
  start(): void {
    this.sweepWanted = true;
    this.request();
  }

  /** A connection is ready again: sweep, after the jitter (one round for readies that come together). */
  reconnect(): void {
    this.sweepWanted = this.jitterWanted = true;
    this.request();
  }

  /** The store went down: check every `retryMs`; sweep, after the jitter, once it answers. */
  down(): void {
    this.sweepWanted = this.jitterWanted = true;
    this.later();
  }

  /** A late reply: check the store's health, then retry the tasks. */
  suspect(): void {
    this.checkWanted = true;
    this.request();
  }

  /** Runs a round now (the store is flushing; closing: without any wait); resolves when it ends. */
  run(closing: boolean): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (closing) this.pace.hurry();
    this.request();
    return this.running ?? Promise.resolve();
  }

  /** Stops: no round starts any more, and no timer is left. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pace.hurry();
  }

  private request(): void {
    // A round in flight takes up what is asked meanwhile: its flags are read as it goes on.
    if (this.closed || this.running) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    const current = (async () => {
      // Again only for a ready that came after the sweep (messages may have been lost since).
      while ((await this.round()) && this.sweepWanted && !this.closed);
    })()
      // Hooks and tasks never reject; were one to, the round counts as failed, never as unhandled.
      .catch(() => {
        this.later();
      })
      .finally(() => {
        if (this.running === current) this.running = undefined;
      });
    this.running = current;
  }

  /** Schedules the next round after `retryMs`; returns false (the round failed). */
  private later(): false {
    if (this.closed || this.timer !== undefined) return false;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // A round in flight (a health check may last the whole interval) sets its own next one if it fails:
      // ticks asking for rounds during rounds would chain them without end.
      if (!this.running) this.request();
    }, this.retryMs);
    (this.timer as { unref?: () => void }).unref?.();
    return false;
  }

  /** Resolves whether the round did everything it had to. */
  private async round(): Promise<boolean> {
    const { hooks, pace } = this;
    // The first round (the store starting, `ready()` waiting) is not paced: processes start one by one.
    const paced = !this.first;
    if (this.checkWanted || !hooks.up()) {
      this.checkWanted = false;
      if (!(await hooks.check())) return this.later();
    }
    if (this.sweepWanted) {
      if (this.jitterWanted) {
        // Readies and checks that come during the wait join this round: the flag is taken after it.
        await pace.jitter();
        this.jitterWanted = false;
      }
      if (this.closed) return false;
      this.sweepWanted = false;
      if (!(await hooks.sweep(this.first))) {
        this.sweepWanted = true;
        return this.later();
      }
      this.first = false;
    }
    // Tasks added while a batch runs (a breaker attached meanwhile) run in the next batch.
    while (this.todo.size > 0 && !this.closed) {
      const batch = [...this.todo];
      const ok = await pace.each(
        batch,
        async ([key, task]) => {
          const done = await task();
          if (done && this.todo.get(key) === task) this.todo.delete(key);
          return done;
        },
        paced,
      );
      if (!ok) return this.later();
    }
    if (this.closed) return false;
    // Redis answered everything: a check asked for meanwhile is answered too.
    this.checkWanted = false;
    hooks.synced();
    return true;
  }
}
