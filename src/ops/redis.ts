import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { Logger } from './logger.js';

/**
 * The deployment's Redis: one node (REDIS_URL), a Redis Cluster (REDIS_CLUSTER_NODES: ElastiCache
 * in cluster mode, Memorystore for Redis Cluster…) or a primary found through Sentinel
 * (REDIS_SENTINELS and REDIS_SENTINEL_NAME). On a Cluster every key the bot and BullMQ write must
 * hash to one slot: the queue prefix carries a hash tag (`{aws-orchestrator}`), every Lua script
 * declares its keys, and multi-key commands only ever name keys under the prefix.
 *
 * Two kinds of connection: BullMQ's workers block on Redis and must retry for ever
 * (maxRetriesPerRequest: null), while anything on Slack's 3-second path must fail fast when
 * Redis is down so that the user can be told at once instead of waiting on an offline queue.
 */
/** A connection to the deployment's Redis: one node (or Sentinel-managed), or a Cluster. */
export type RedisClient = Redis | Cluster;

/**
 * `worker`: BullMQ's (it blocks, and must retry for ever); `answers`: everything else a worker
 * process does, retrying like BullMQ's and auto-pipelined: the commands its answers in flight
 * issue in one turn of the event loop go to Redis in one write, which is most of the per-command
 * cost with hundreds of answers at once. BullMQ's own connection is left without it, as its
 * maintainers run it; `fail-fast`: Slack's 3-second path.
 */
export type RedisPurpose = 'worker' | 'answers' | 'fail-fast';

export interface RedisAddress {
  host: string;
  port: number;
}

/** As validated by config.ts (REDIS_URL, REDIS_CLUSTER_NODES, REDIS_SENTINELS, REDIS_SENTINEL_NAME). */
export interface RedisSettings {
  /** One node; with a Cluster or Sentinel, only its user, password, TLS (rediss:) and database are used. */
  redisUrl: string;
  /** Some of the Cluster's nodes (the client discovers the rest); empty: not a Cluster. */
  clusterNodes: readonly RedisAddress[];
  /** The Sentinels; empty: no Sentinel. */
  sentinels: readonly RedisAddress[];
  /** The name the Sentinels know the primary by. */
  sentinelName: string | undefined;
}

/** What a redis:// URL says about how to connect, beyond its host. */
interface Credentials {
  username?: string;
  password?: string;
  tls?: object;
  db?: number;
}

export function createRedis(settings: RedisSettings, purpose: RedisPurpose, logger: Logger, name: string): RedisClient {
  const perRequest: RedisOptions =
    purpose === 'fail-fast'
      ? { maxRetriesPerRequest: 1, connectTimeout: 2000 }
      : { maxRetriesPerRequest: null, enableReadyCheck: true };
  const enableAutoPipelining = purpose === 'answers';
  const common = { ...perRequest, enableAutoPipelining, connectionName: `aws-orchestrator:${name}` };
  const retry = (attempt: number) => Math.min(200 * 2 ** attempt, 5000);
  let redis: RedisClient;
  if (settings.clusterNodes.length > 0) {
    const { db: _db, ...credentials } = credentialsOf(settings.redisUrl);
    const options: ClusterOptions = {
      // Over TLS ioredis would resolve each node's host name and check the certificate against the
      // IP, which managed clusters' certificates (ElastiCache) do not name: ioredis's documented remedy.
      ...(credentials.tls ? { dnsLookup: (address: string, callback: (error: null, address: string) => void) => callback(null, address) } : {}),
      enableReadyCheck: true,
      enableAutoPipelining,
      enableOfflineQueue: purpose !== 'fail-fast',
      clusterRetryStrategy: retry,
      redisOptions: { ...common, ...credentials },
    };
    redis = new Cluster([...settings.clusterNodes], options);
  } else if (settings.sentinels.length > 0) {
    const credentials = credentialsOf(settings.redisUrl);
    redis = new Redis({
      ...common,
      ...credentials,
      ...(credentials.password ? { sentinelPassword: credentials.password } : {}),
      // ioredis opens the primary's connection over TLS only when told that Sentinel mode uses it.
      ...(credentials.tls ? { enableTLSForSentinelMode: true } : {}),
      sentinels: [...settings.sentinels],
      name: settings.sentinelName,
      enableOfflineQueue: purpose !== 'fail-fast',
      retryStrategy: retry,
      sentinelRetryStrategy: retry,
    });
  } else {
    redis = new Redis(settings.redisUrl, { ...common, enableOfflineQueue: purpose !== 'fail-fast', retryStrategy: retry, lazyConnect: false });
  }
  let down = false;
  redis.on('error', (error: Error) => {
    if (!down) logger.warn({ err: error, connection: name }, 'redis connection error');
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger.info({ connection: name }, 'redis connection restored');
    down = false;
  });
  return redis;
}

function credentialsOf(url: string): Credentials {
  const parsed = new URL(url);
  const db = Number(parsed.pathname.slice(1));
  return {
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
    ...(parsed.pathname.length > 1 && Number.isInteger(db) ? { db } : {}),
  };
}

export async function redisIsReachable(redis: RedisClient, timeoutMs = 1000): Promise<boolean> {
  if (redis.status !== 'ready') return false;
  const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref());
  const ping = redis.ping().then(
    (reply) => reply === 'PONG',
    () => false,
  );
  return Promise.race([ping, timeout]);
}

/**
 * Waits, at most `timeoutMs`, for a connection's first `ready`: a process that takes Slack's
 * requests before its queue connection is up would turn the first questions away (a cluster
 * client, for one, learns the slot map before it is ready). Past the wait the process starts
 * anyway and says the queue is unavailable until Redis answers.
 */
export async function firstReady(redis: RedisClient, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return true;
  return new Promise<boolean>((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      resolve(ready);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    redis.once('ready', onReady);
  });
}
