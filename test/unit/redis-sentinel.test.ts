import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/ops/logger.js';
import { createRedis, type RedisClient } from '../../src/ops/redis.js';
import { RedisKeys } from '../../src/ops/redis-keys.js';
import { SlackBudget, slackWriteBudgets } from '../../src/publish/slack-budget.js';
import { atExit } from '../support/children.js';
import { onFreePort } from '../support/ports.js';
import { findRedisServer, launchRedisServer, startRedis, type RedisServer } from '../support/redis.js';

/**
 * REDIS_SENTINELS + REDIS_SENTINEL_NAME: the connection asks a real Sentinel (redis-server
 * --sentinel, started here) for the primary and works as a single node does, scripts included.
 */
const logger = createLogger({ logLevel: 'silent', logFormat: 'json' });
let primary: RedisServer;
let sentinel: ChildProcess;
let sentinelPort: number;
let client: RedisClient | undefined;

beforeAll(async () => {
  primary = await startRedis();
  const dir = mkdtempSync(join(tmpdir(), 'redis-sentinel-test-'));
  atExit(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'sentinel.conf');
  writeFileSync(config, ['bind 127.0.0.1', `dir ${dir}`, `sentinel monitor primary-one 127.0.0.1 ${primary.port} 1`, ''].join('\n'));
  [sentinel, sentinelPort] = await onFreePort(async (port) => [await launchRedisServer(findRedisServer(), [config, '--sentinel', '--port', String(port)], port), port] as const);
}, 30_000);
afterAll(async () => {
  client?.disconnect();
  sentinel?.kill('SIGKILL');
  await primary?.stop();
});

describe('a connection through Sentinel', () => {
  it('finds the primary by name and runs commands and the Slack scheduler’s scripts on it', async () => {
    client = createRedis({ redisUrl: 'redis://127.0.0.1:6379', clusterNodes: [], sentinels: [{ host: '127.0.0.1', port: sentinelPort }], sentinelName: 'primary-one' }, 'worker', logger, 'sentinel-test');
    await client.set('through-sentinel', 'yes');
    expect(await client.get('through-sentinel')).toBe('yes');
    const budget = new SlackBudget(client, new RedisKeys('sentinel-test'), slackWriteBudgets(50, 60_000));
    expect(await budget.take({ method: 'chat.update', scope: 'T1', teamId: 'T1', priority: 'final' })).toMatchObject({ granted: true, waitMs: 0 });
    // The key is on the primary the Sentinel named.
    const direct = createRedis({ redisUrl: primary.url, clusterNodes: [], sentinels: [], sentinelName: undefined }, 'worker', logger, 'direct');
    try {
      expect(await direct.get('through-sentinel')).toBe('yes');
    } finally {
      direct.disconnect();
    }
  }, 30_000);
});
