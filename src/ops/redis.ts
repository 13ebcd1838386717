import { Redis, type Cluster, type RedisOptions } from 'ioredis';
import type { Logger } from './logger.js';

/**
 * Two kinds of connection: BullMQ's workers block on Redis and must retry for ever
 * (maxRetriesPerRequest: null), while anything on Slack's 3-second path must fail fast when
 * Redis is down so that the user can be told at once instead of waiting on an offline queue.
 */
/** A connection to the deployment's Redis: one node (or Sentinel-managed), or a Cluster. */
export type RedisClient = Redis | Cluster;

export type RedisPurpose = 'worker' | 'fail-fast';

export function createRedis(url: string, purpose: RedisPurpose, logger: Logger, name: string): Redis {
  const options: RedisOptions =
    purpose === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 };
  const redis = new Redis(url, {
    ...options,
    connectionName: `aws-orchestrator:${name}`,
    retryStrategy: (attempt) => Math.min(200 * 2 ** attempt, 5000),
    lazyConnect: false,
  });
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

export async function redisIsReachable(redis: RedisClient, timeoutMs = 1000): Promise<boolean> {
  if (redis.status !== 'ready') return false;
  const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref());
  const ping = redis.ping().then(
    (reply) => reply === 'PONG',
    () => false,
  );
  return Promise.race([ping, timeout]);
}
