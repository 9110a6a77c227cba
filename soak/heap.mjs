/** Heap in use after full garbage collection (node --expose-gc). */
export async function settledHeap() {
  if (typeof global.gc !== 'function') throw new Error('run with node --expose-gc');
  for (let i = 0; i < 3; i++) {
    global.gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

export const kb = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`;
export const signedKb = (bytes) => `${bytes >= 0 ? '+' : ''}${(bytes / 1024).toFixed(0)} KiB`;

/** A small deterministic generator, so every run makes the same mix. */
export function lcg(seed = 12345) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
