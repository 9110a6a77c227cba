/**
 * Runs tasks `concurrency` at a time, in the order given. The store's background scripts
 * (syncs, transitions) go through one, so that thousands of breakers attached, tripping or
 * resynced at once (a registry warming up, a reconnect) are not timed out by their own queue.
 */
export function limiter(concurrency: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  // A queue with a moving head: shifting a long array is linear each time.
  let queue: (() => void)[] = [];
  let head = 0;
  const release = () => {
    if (head < queue.length) {
      const next = queue[head++];
      if (head > 1024 && head * 2 > queue.length) {
        queue = queue.slice(head);
        head = 0;
      }
      next();
    } else running--;
  };
  return async (task) => {
    if (running < concurrency) running++;
    else await new Promise<void>((resolve) => queue.push(resolve));
    try {
      return await task();
    } finally {
      release();
    }
  };
}
