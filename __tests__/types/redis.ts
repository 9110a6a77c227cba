// Compiled by `tsc --noEmit`, never run: each `@ts-expect-error` must meet a type error.
import { Cluster, Redis } from 'ioredis';
import { Redis as Redis5 } from 'ioredis5';
import { createClient, createCluster } from 'redis';
import { createClient as createClient5 } from 'redis5';
import { type RedisStore, redisStore } from '../../src/stores/redis/index.js';

declare function expectType<T>(value: T): void;

// Every supported client type-checks: ioredis 5 and 6, Redis and Cluster, node-redis 5 and 6, client and cluster.
expectType<RedisStore>(redisStore({ client: new Redis({ lazyConnect: true }) }));
expectType<RedisStore>(redisStore({ client: new Cluster([], { lazyConnect: true }) }));
expectType<RedisStore>(redisStore({ client: new Redis5({ lazyConnect: true }) }));
expectType<RedisStore>(redisStore({ client: createClient() }));
expectType<RedisStore>(redisStore({ client: createCluster({ rootNodes: [] }) }));
expectType<RedisStore>(redisStore({ client: createClient5() }));
expectType<Promise<void>>(redisStore({ client: createClient(), counting: 'local' }).ready());

// @ts-expect-error a URL is not a client
redisStore({ client: 'redis://localhost:6379' });
// @ts-expect-error a connection promise is not a client
redisStore({ client: createClient().connect() });
// @ts-expect-error an options object is not a client
redisStore({ client: { host: 'localhost', port: 6379 } });
// @ts-expect-error quorum is misspelt
redisStore({ client: createClient(), quorom: 3 });
expectType<RedisStore>(redisStore({ client: createClient(), counting: 'fleet' }));
// @ts-expect-error counting is 'fleet' or 'local'
redisStore({ client: createClient(), counting: 'shared' });
