// The CommonJS view of the same declarations (`.d.cts`), checked by TypeScript 5.4.
import tripswitch = require('tripswitch');

const breaker = tripswitch.createBreaker({ failureThreshold: 3 });
const guarded = tripswitch.wrap((n: number) => n * 2, { breaker });
export const doubled: Promise<number> = guarded(21);
