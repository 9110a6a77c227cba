// The fleet child's background traffic (child.ts, commands 'background*'): S stores in one
// process, each its own instance on a client of its own, counting across the fleet, each holding
// the same K breakers; every breaker called c times a second with a fraction f of its calls
// failing. Outcomes come from a seeded generator per breaker, so that each breaker's n-th call
// fails or not the same way on every run, whatever the timing.
import { type Breaker, type BreakerOptions, createBreaker } from '../../src/index.js';
import { type RedisStore, redisStore } from '../../src/stores/redis/index.js';

export type BackgroundCommand =
  | {
      cmd: 'backgroundStart';
      prefix: string;
      /** Stores (instances) in this process. */
      stores: number;
      /** Breakers per store, named `key-0` ... */
      breakers: number;
      options: Omit<BreakerOptions, 'name' | 'store'>;
      /** This process's seed; each breaker's generator is derived from it. */
      seed: number;
      /** Prefix of the stable instance ids, `${instance}-${store}`. */
      instance: string;
    }
  | { cmd: 'backgroundPrime'; gapMs: number }
  | { cmd: 'background'; callsPerSecond: number; failureRate: number; forMs: number }
  | { cmd: 'backgroundClose' };

/** What one `background` period did, summed over this process's breakers. */
export interface BackgroundReply {
  calls: number;
  failures: number;
  /** Calls refused by a breaker that was not closed. */
  rejected: number;
  /** Breakers that opened on their own counts, and breakers that followed the fleet's opening. */
  trips: number;
  adopted: number;
  notClosed: number;
  stores: { available: boolean; reported: number; errors: number; published: number }[];
}

/** mulberry32: a small seeded generator. */
function generator(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Member {
  /** The index of its store. */
  s: number;
  breaker: Breaker;
  next: () => number;
}

const down = new Error('down');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The background fleet of one process. */
export class Background {
  private readonly stores: { store: RedisStore; quit(): Promise<unknown> }[] = [];
  private readonly members: Member[] = [];
  private readonly count = { trips: 0, adopted: 0 };

  private constructor() {}

  /** Makes the stores and breakers; resolves once every store is ready. */
  static async start(
    command: Extract<BackgroundCommand, { cmd: 'backgroundStart' }>,
    connect: () => Promise<{ client: unknown; quit(): Promise<unknown> }>,
  ): Promise<Background> {
    const bg = new Background();
    for (let s = 0; s < command.stores; s++) {
      const { client, quit } = await connect();
      const store = redisStore({
        client: client as never,
        prefix: command.prefix,
        counting: 'fleet',
        instanceId: `${command.instance}-${s}`,
      });
      bg.stores.push({ store, quit });
      for (let k = 0; k < command.breakers; k++) {
        const breaker = createBreaker({ ...command.options, name: `key-${k}`, store });
        breaker.on('stateChange', ({ to, remote }) => {
          if (to !== 'open') return;
          if (remote === true) bg.count.adopted++;
          else bg.count.trips++;
        });
        bg.members.push({ s, breaker, next: generator(command.seed ^ Math.imul(s * 4096 + k + 1, 0x9e3779b9)) });
      }
    }
    await Promise.all(bg.stores.map(({ store }) => store.ready()));
    return bg;
  }

  /**
   * A fleet that has been running a while: each breaker has met a failure in its last 1,000
   * calls. One failure, then a success, on every breaker of one store, then the next store
   * `gapMs` later (so that no two instances' failures meet in one run). Outcomes not drawn.
   */
  async prime(gapMs: number): Promise<void> {
    for (let s = 0; s < this.stores.length; s++) {
      const held = this.members.filter((m) => m.s === s);
      await Promise.all(
        held.map(async ({ breaker }) => {
          await breaker.execute(() => Promise.reject(down)).catch(() => undefined);
          await breaker.execute(() => Promise.resolve());
        }),
      );
      await sleep(gapMs);
    }
  }

  /**
   * Calls every breaker `callsPerSecond` times a second for `forMs`, each out of step with the
   * others: exactly callsPerSecond * forMs / 1000 calls per breaker (late ones are made late, none
   * skipped), so that the outcomes are the same on every run.
   */
  async run(callsPerSecond: number, failureRate: number, forMs: number): Promise<BackgroundReply> {
    const gap = 1000 / callsPerSecond;
    const each = Math.round((callsPerSecond * forMs) / 1000);
    const tally = { calls: 0, failures: 0, rejected: 0 };
    const before = { ...this.count };
    const start = Date.now();
    const plan = this.members.map((m, i) => ({ m, nextAt: start + ((i * 0.618034) % 1) * gap, made: 0 }));
    const pending: Promise<unknown>[] = [];
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const now = Date.now();
        let left = 0;
        for (const p of plan) {
          while (p.made < each && p.nextAt <= now) {
            p.made++;
            p.nextAt += gap;
            const failed = p.m.next() < failureRate;
            pending.push(
              p.m.breaker
                .execute(() => {
                  tally.calls++;
                  if (!failed) return Promise.resolve();
                  tally.failures++;
                  return Promise.reject(down);
                })
                .catch((error) => {
                  if (error !== down) tally.rejected++;
                }),
            );
          }
          left += each - p.made;
        }
        if (left > 0) return;
        clearInterval(timer);
        resolve();
      }, 10);
    });
    await Promise.all(pending);
    return {
      ...tally,
      trips: this.count.trips - before.trips,
      adopted: this.count.adopted - before.adopted,
      notClosed: this.members.filter((m) => m.breaker.state !== 'closed').length,
      stores: this.stores.map(({ store }) => {
        const s = store.stats();
        return {
          available: s.available,
          reported: (s.reported as number | undefined) ?? 0,
          errors: (s.errors as number | undefined) ?? 0,
          published: (s.published as number | undefined) ?? 0,
        };
      }),
    };
  }

  /** Closes every store (withdrawing what it reported) and its client. */
  async close(): Promise<void> {
    for (const { store, quit } of this.stores.splice(0)) {
      await store.close();
      await quit();
    }
  }
}
