/**
 * startRedisCluster: three real redis-server masters joined into a cluster that ioredis' own
 * Cluster client can use, with keys spread over the nodes by hash slot, and nothing left behind.
 */
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { Cluster } from 'ioredis';
import { startRedisCluster, type RedisCluster } from '../support/redis-cluster.js';

const started: RedisCluster[] = [];
afterAll(async () => {
  await Promise.all(started.map((cluster) => cluster.stop()));
});

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function writeAcrossSlots(cluster: RedisCluster): Promise<void> {
  const client = new Cluster(cluster.nodes, { clusterRetryStrategy: () => null, redisOptions: { maxRetriesPerRequest: 1 } });
  try {
    const keys = Array.from({ length: 30 }, (_, i) => `key:${i}`);
    for (const [i, key] of keys.entries()) await client.set(key, `value ${i}`);
    expect(await Promise.all(keys.map((key) => client.get(key)))).toEqual(keys.map((_, i) => `value ${i}`));

    // The keys live in different slots, owned by different masters: each master holds some of them.
    const slots = new Set(await Promise.all(keys.map((key) => client.cluster('KEYSLOT', key))));
    expect(slots.size).toBeGreaterThan(10);
    const masters = client.nodes('master');
    expect(masters).toHaveLength(3);
    const sizes = await Promise.all(masters.map((node) => node.dbsize()));
    expect(sizes.every((size) => size > 0)).toBe(true);
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(keys.length);

    // A multi-key command across slots is refused, as a real cluster refuses it.
    await expect(client.mget('key:0', 'key:1')).rejects.toThrow(/CROSSSLOT/);
    // Hash tags keep related keys in one slot.
    await client.mset('{job:1}:a', '1', '{job:1}:b', '2');
    expect(await client.mget('{job:1}:a', '{job:1}:b')).toEqual(['1', '2']);
  } finally {
    await client.quit();
  }
}

describe('startRedisCluster', () => {
  it('starts three masters that an ioredis Cluster writes to across slots, and stops them all', async () => {
    const cluster = await startRedisCluster();
    started.push(cluster);
    expect(cluster.nodes).toHaveLength(3);
    expect(new Set(cluster.nodes.map((node) => node.port)).size).toBe(3);
    expect(cluster.nodes.every((node) => node.host === '127.0.0.1' && node.port !== 6379)).toBe(true);

    await writeAcrossSlots(cluster);

    await cluster.stop();
    const stillUp = await Promise.all(cluster.nodes.map((node) => accepts(node.port)));
    expect(stillUp).toEqual([false, false, false]);
    expect(existsSync(cluster.dir)).toBe(false);
    await cluster.stop();
  });

  it('also forms the cluster by hand (CLUSTER ADDSLOTSRANGE and MEET) where redis-cli is not used', async () => {
    const cluster = await startRedisCluster({ withoutRedisCli: true });
    started.push(cluster);
    await writeAcrossSlots(cluster);
    await cluster.stop();
    expect(await accepts(cluster.nodes[0]!.port)).toBe(false);
  });

  it('refuses a cluster of fewer than three masters', async () => {
    await expect(startRedisCluster({ masters: 2 })).rejects.toThrow(/at least 3/);
  });
});
