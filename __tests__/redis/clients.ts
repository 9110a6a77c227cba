import { Cluster, Redis } from 'ioredis';
import { Cluster as Cluster5, Redis as Redis5 } from 'ioredis5';
import { createClient, createCluster } from 'redis';
import { createClient as createClient5, createCluster as createCluster5 } from 'redis5';
import type { RedisStoreOptions } from '../../src/stores/redis/index.js';
import { until } from './server.js';

/** A connected client of one library, and how to let it go. */
export interface TestClient {
  readonly client: RedisStoreOptions['client'];
  close(): Promise<void>;
}

/** One Redis library (and major version) the store must work with. */
export interface ClientKind {
  readonly name: string;
  connect(port: number): Promise<TestClient>;
  cluster(ports: number[]): Promise<TestClient>;
}

const host = '127.0.0.1';
const quickRetry = (attempt: number) => Math.min(attempt * 50, 500);

interface Ioredis {
  readonly status: string;
  on(event: string, listener: () => void): unknown;
  disconnect(): void;
}
type IoredisClass = new (options: object) => Ioredis;
type IoclusterClass = new (nodes: object[], options: object) => Ioredis;

function ioredis(name: string, RedisClass: IoredisClass, ClusterClass: IoclusterClass): ClientKind {
  const settle = async (client: Ioredis): Promise<TestClient> => {
    client.on('error', () => undefined);
    await until(() => client.status === 'ready', 10_000, `${name} ready`);
    return {
      client: client as unknown as RedisStoreOptions['client'],
      async close() {
        client.disconnect();
      },
    };
  };
  return {
    name,
    connect: (port) => settle(new RedisClass({ host, port, retryStrategy: quickRetry })),
    cluster: (ports) =>
      settle(
        new ClusterClass(
          ports.map((port) => ({ host, port })),
          { clusterRetryStrategy: quickRetry },
        ),
      ),
  };
}

type Connectable = {
  on(event: string, listener: () => void): unknown;
  connect(): Promise<unknown>;
  destroy(): void;
  isOpen?: boolean;
};

function nodeRedis(name: string, client: typeof createClient, cluster: typeof createCluster): ClientKind {
  const settle = async (c: Connectable): Promise<TestClient> => {
    c.on('error', () => undefined);
    await c.connect();
    return {
      client: c as unknown as RedisStoreOptions['client'],
      async close() {
        try {
          c.destroy();
        } catch {
          // already closed
        }
      },
    };
  };
  return {
    name,
    connect: (port) => settle(client({ socket: { host, port, reconnectStrategy: quickRetry } }) as unknown as Connectable),
    cluster: (ports) =>
      settle(
        cluster({
          rootNodes: ports.map((port) => ({ socket: { host, port } })),
          defaults: { socket: { reconnectStrategy: quickRetry } },
        }) as unknown as Connectable,
      ),
  };
}

/** ioredis 6 and 5, node-redis 6 and 5. */
export const KINDS: ClientKind[] = [
  ioredis('ioredis 6', Redis as unknown as IoredisClass, Cluster as unknown as IoclusterClass),
  nodeRedis('node-redis 6', createClient, createCluster),
  ioredis('ioredis 5', Redis5 as unknown as IoredisClass, Cluster5 as unknown as IoclusterClass),
  nodeRedis('node-redis 5', createClient5 as unknown as typeof createClient, createCluster5 as unknown as typeof createCluster),
];
