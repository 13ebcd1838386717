import type { RedisClient } from '../ops/redis.js';
import type { RedisKeys } from '../ops/redis-keys.js';
import { expiryOfDay, lastDays, utcDay } from '../core/days.js';
import { incrementsFor, tallyOf, type AnswerUsage, type UsageTally } from '../core/usage-tally.js';

/**
 * Daily usage aggregates in Redis: one hash per workspace and UTC day, incremented once per
 * answer in a MULTI (all counters of an answer or none), kept for USAGE_RETENTION_DAYS after the
 * day ends. Nothing is stored per call: the hash fields are counters.
 */
export class UsageStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly retentionDays: number,
  ) {}

  async record(answer: AnswerUsage, atMs = Date.now()): Promise<void> {
    const day = utcDay(atMs);
    const key = this.keys.usageDay(answer.teamId, day);
    const transaction = this.redis.multi();
    for (const [field, by] of incrementsFor(answer)) transaction.hincrby(key, field, by);
    transaction.expireat(key, expiryOfDay(day, this.retentionDays));
    const results = await transaction.exec();
    const failed = results?.find(([error]) => error);
    if (failed) throw failed[0];
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
