import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { startRedis, type RedisServer } from './redis.js';

/** A redis-server of the calling test file's own and a client to it, from before its first test to after its last. */
export function redisForThisFile(): { readonly client: Redis } {
  let server: RedisServer | undefined;
  let client: Redis | undefined;
  beforeAll(async () => {
    server = await startRedis();
    client = new Redis(server.url);
  });
  afterAll(async () => {
    client?.disconnect();
    await server?.stop();
  });
  return {
    get client(): Redis {
      if (!client) throw new Error('the Redis of this file is started before its first test');
      return client;
    },
  };
}
