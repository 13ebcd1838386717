/**
 * How many commands Redis has processed so far (INFO stats and commandstats), so a scenario can
 * state Redis round trips per answer or per request, and which commands they are. Counts every
 * client, BullMQ's blocking polls included.
 */
import { Redis } from 'ioredis';

export async function redisCommandsProcessed(url: string): Promise<number> {
  return (await redisStats(url)).total;
}

export interface RedisStats {
  /** Commands processed, those run inside Lua scripts included (Redis 7 counts them too). */
  total: number;
  /** Calls per command name, on the same terms. */
  byCommand: Record<string, number>;
}

export async function redisStats(url: string): Promise<RedisStats> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    const [stats, commandStats] = await Promise.all([client.info('stats'), client.info('commandstats')]);
    const byCommand: Record<string, number> = {};
    for (const match of commandStats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) byCommand[match[1]!] = Number(match[2]);
    return { total: Number(/total_commands_processed:(\d+)/.exec(stats)?.[1] ?? Number.NaN), byCommand };
  } finally {
    client.disconnect();
  }
}

/** Calls per command between two readings, divided by `per` (answers, requests), most first. */
export function commandsPer(before: RedisStats, after: RedisStats, per: number): Array<{ command: string; calls: number }> {
  return Object.entries(after.byCommand)
    .map(([command, calls]) => ({ command, calls: (calls - (before.byCommand[command] ?? 0)) / Math.max(1, per) }))
    .filter((entry) => entry.calls > 0)
    .sort((a, b) => b.calls - a.calls);
}
