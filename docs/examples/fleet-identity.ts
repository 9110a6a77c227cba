import cluster from 'node:cluster';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import { redisStore } from 'tripswitch/redis';

// A pod's name survives its restarts (Kubernetes sets HOSTNAME to it); add the worker's number
// when a pod runs several processes, so that no two processes share an id.
const pod = process.env.POD_NAME ?? hostname();
const instanceId = cluster.isWorker ? `${pod}#${cluster.worker?.id}` : pod;

const client = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const store = redisStore({ client, quorum: 3, instanceId });

// On shutdown: close() withdraws this process's votes and leases, then lets go.
process.once('SIGTERM', () => void store.close().finally(() => client.quit()));
