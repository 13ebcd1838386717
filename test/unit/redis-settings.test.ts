import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { MINIMAL_ENV, configProblems } from '../support/config.js';

/** What the bot refuses to start with on Redis Cluster and Sentinel, in words for the person who set it. */
describe('the Redis settings', () => {
  it('take one node, a Cluster with a hash-tagged prefix, and Sentinels with a name', () => {
    expect(loadConfig(MINIMAL_ENV).queue).toMatchObject({ redisUrl: 'redis://127.0.0.1:6379', clusterNodes: [], sentinels: [] });
    expect(loadConfig({ ...MINIMAL_ENV, REDIS_CLUSTER_NODES: '10.0.0.1:6379, cache.example.com:7000', QUEUE_PREFIX: '{aws-orchestrator}' }).queue.clusterNodes).toEqual([
      { host: '10.0.0.1', port: 6379 },
      { host: 'cache.example.com', port: 7000 },
    ]);
    expect(loadConfig({ ...MINIMAL_ENV, REDIS_SENTINELS: '10.0.0.1:26379,[fd00::1]:26379', REDIS_SENTINEL_NAME: 'mymaster' }).queue.sentinels).toEqual([
      { host: '10.0.0.1', port: 26379 },
      { host: 'fd00::1', port: 26379 },
    ]);
  });

  it('ask for a hash tag on a Cluster, a name for the Sentinels, host:port addresses, and one of the two', () => {
    expect(configProblems({ REDIS_CLUSTER_NODES: '10.0.0.1:6379' })).toEqual([expect.stringMatching(/^REDIS_CLUSTER_NODES needs a hash-tagged QUEUE_PREFIX/)]);
    expect(configProblems({ REDIS_CLUSTER_NODES: '10.0.0.1:6379', QUEUE_PREFIX: '{}x' })).toEqual([expect.stringMatching(/hash-tagged QUEUE_PREFIX/)]);
    expect(configProblems({ REDIS_SENTINELS: '10.0.0.1:26379' })).toEqual([expect.stringMatching(/^REDIS_SENTINELS needs REDIS_SENTINEL_NAME/)]);
    expect(configProblems({ REDIS_CLUSTER_NODES: '10.0.0.1', QUEUE_PREFIX: '{x}' })).toEqual([expect.stringMatching(/^REDIS_CLUSTER_NODES must be a comma-separated list of host:port/)]);
    expect(configProblems({ REDIS_CLUSTER_NODES: 'a:1', REDIS_SENTINELS: 'b:2', REDIS_SENTINEL_NAME: 'm', QUEUE_PREFIX: '{x}' })).toContain(
      'REDIS_CLUSTER_NODES and REDIS_SENTINELS are two different deployments: set one of them',
    );
  });
});
