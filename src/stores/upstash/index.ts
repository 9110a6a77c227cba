export type { UpstashClient, UpstashStoreOptions } from './options.js';
export type { UpstashStore, UpstashStoreEvent } from './types.js';
export { upstashStore } from './upstash-store.js';
