import type { Runner } from '../redis/runner.js';

/**
 * The runner, with every write waiting for the first reading of Redis's clock. A write
 * carries a deadline on that clock; before the runner has read it, a second write sent while
 * the first reading is in flight would carry an expired one and be refused (`LATE`). The
 * Redis store reads the clock when it connects; a store with no connection reads it before
 * its first write (one request, none when a read came first).
 */
export function clocked(base: Runner): Runner {
  let known = false;
  let reading: Promise<void> | undefined;
  const clock = (): Promise<void> => {
    if (known) return Promise.resolve();
    reading ??= base.ping().then((ok) => {
      known ||= ok;
      reading = undefined;
    });
    return reading;
  };
  const runner: Runner = Object.create(base);
  const learn = <T>(task: Promise<T>): Promise<T> =>
    task.then((value) => {
      known = true;
      return value;
    });
  runner.run = (keys, name, op, args, parse) =>
    op === 'read' ? learn(base.run(keys, name, op, args, parse)) : clock().then(() => base.run(keys, name, op, args, parse));
  runner.names = () => learn(base.names());
  runner.index = (name, fleet, seen) => clock().then(() => base.index(name, fleet, seen));
  return runner;
}
