import type { RedisClient } from '../ops/redis.js';
import type { RedisKeys } from '../ops/redis-keys.js';
import { luaScript, type ScriptCommand } from '../ops/redis-scripts.js';
import { expiryOfDay, lastDays, utcDay } from '../core/days.js';
import { incrementsFor, tallyOf, type AnswerUsage, type UsageTally } from '../core/usage-tally.js';

/**
 * Daily usage aggregates in Redis: one hash per workspace and UTC day, kept for
 * USAGE_RETENTION_DAYS after the day ends. Nothing is stored per call: the hash fields are
 * counters. An answer adds its twenty-odd counters in one round trip and one script (all of them
 * or none), which reads them, adds and writes them back: three commands, where an HINCRBY each
 * made the counters the largest share of Redis's work per answer.
 */
export class UsageStore {
  private readonly addCounters: ScriptCommand<number>;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly retentionDays: number,
  ) {
    this.addCounters = luaScript(redis, 'usageRecord', new URL('./usage-record.lua', import.meta.url), 1);
  }

  async record(answer: AnswerUsage, atMs = Date.now()): Promise<void> {
    const day = utcDay(atMs);
    const increments = incrementsFor(answer);
    await this.addCounters([this.keys.usageDay(answer.teamId, day)], [expiryOfDay(day, this.retentionDays), ...increments.flat()]);
  }

  /** The last `days` UTC days (today included) of a workspace, summed. */
  async tally(teamId: string, days: number, atMs = Date.now()): Promise<UsageTally> {
    return tallyOf(await this.readDays(teamId, lastDays(atMs, days)));
  }

  async readDays(teamId: string, days: readonly string[]): Promise<Array<Record<string, string>>> {
    const pipeline = this.redis.pipeline();
    for (const day of days) pipeline.hgetall(this.keys.usageDay(teamId, day));
    const results = (await pipeline.exec()) ?? [];
    return results.map(([error, hash]) => {
      if (error) throw error;
      return (hash ?? {}) as Record<string, string>;
    });
  }
}
