// The resynchronization's rounds and pace, without a server: one round for readies that come
// together, only what failed is done again, a paced round keeps its pace.
import { Pace, type PaceOptions } from '../../src/stores/redis/pace.js';
import { Resync, type ResyncHooks, type Task } from '../../src/stores/redis/resync.js';

const quick: PaceOptions = { jitterMinMs: 20, jitterMaxMs: 20, perSecond: 1_000_000, burst: 1_000, concurrency: 4 };

/** A store as the rounds see it: counts checks and sweeps, and is up once synced. */
function store(options: { checks?: boolean[]; sweepTasks?: [string, Task][] } = {}) {
  const checks = [...(options.checks ?? [])];
  const seen = { checks: 0, sweeps: [] as boolean[], synced: 0 };
  let up = false;
  let resync: Resync;
  const hooks: ResyncHooks = {
    up: () => up,
    check: async () => {
      seen.checks++;
      return checks.shift() ?? true;
    },
    sweep: async (first) => {
      seen.sweeps.push(first);
      for (const [key, task] of options.sweepTasks ?? []) resync.add(key, task);
      return true;
    },
    synced: () => {
      seen.synced++;
      up = true;
    },
  };
  resync = new Resync(hooks, new Pace(quick), 5);
  const idle = async () => {
    for (let i = 0; i < 200 && (resync as unknown as { running?: unknown }).running !== undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  return { resync, seen, idle, down: () => (up = false) };
}

test('readies that come together make one round: one check, one sweep', async () => {
  const { resync, seen, idle, down } = store();
  resync.start();
  await idle();
  expect(seen).toEqual({ checks: 1, sweeps: [true], synced: 1 });
  down();
  resync.reconnect();
  resync.reconnect();
  resync.suspect();
  await new Promise((resolve) => setTimeout(resolve, 5));
  // During the jitter: one more ready still joins this round.
  resync.reconnect();
  await idle();
  expect(seen).toEqual({ checks: 2, sweeps: [true, false], synced: 2 });
});

test('only what failed is done again, in the next round', async () => {
  const runs: Record<string, number> = { a: 0, b: 0, c: 0 };
  let bFails = 2;
  const task =
    (key: string): Task =>
    async () => {
      runs[key]++;
      return key !== 'b' || bFails-- <= 0;
    };
  const { resync, seen, idle } = store({
    sweepTasks: [
      ['a', task('a')],
      ['b', task('b')],
      ['c', task('c')],
    ],
  });
  resync.start();
  await idle();
  for (let i = 0; i < 100 && seen.synced === 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    await idle();
  }
  expect(seen.synced).toBe(1);
  expect(runs).toEqual({ a: 1, b: 3, c: 1 });
  expect(seen.sweeps).toEqual([true]);
  expect(resync.pending).toBe(0);
});

test('a failed check leaves the tasks for later; close() stops every round and timer', async () => {
  const { resync, seen, idle } = store({ checks: [false, false] });
  let ran = 0;
  resync.add('x', async () => {
    ran++;
    return true;
  });
  resync.start();
  await idle();
  expect(ran).toBe(0);
  for (let i = 0; i < 100 && seen.synced === 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    await idle();
  }
  expect(seen.checks).toBe(3);
  expect(ran).toBe(1);
  resync.close();
  resync.reconnect();
  await idle();
  expect(seen.checks).toBe(3);
});

test('a paced round starts at most perSecond tasks a second after its burst, and stops at the first failure', async () => {
  let now = 0;
  const pace = new Pace({ ...quick, perSecond: 10, burst: 2, concurrency: 1, now: () => now });
  const started: number[] = [];
  const items = [1, 2, 3, 4];
  const run = pace.each(
    items,
    async (item) => {
      started.push(item);
      return true;
    },
    true,
  );
  // The burst goes at once; the third waits for a token (100 ms at 10 a second).
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(started).toEqual([1, 2]);
  now = 100;
  pace.hurry();
  await run;
  expect(started).toEqual([1, 2, 3, 4]);
  const failing: number[] = [];
  expect(
    await new Pace(quick).each(
      items,
      async (item) => {
        failing.push(item);
        return item !== 2;
      },
      false,
    ),
  ).toBe(false);
  expect(failing.length).toBeLessThanOrEqual(items.length);
  expect(failing).toContain(2);
});
