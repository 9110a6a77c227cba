export type { ManualClock } from './manual-clock.js';
export { manualClock } from './manual-clock.js';
export type { MemoryStore, MemoryStoreOptions } from './memory-store.js';
export { memoryStore } from './memory-store.js';
