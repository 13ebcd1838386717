import type { RedisClient } from '../ops/redis.js';
import type { RedisKeys } from '../ops/redis-keys.js';

/**
 * The per-person limit on reads of the team's AWS account (USER_ACCOUNT_CALLS_PER_HOUR): each
 * person's calls are counted per clock hour, in Redis, so every worker sees the same count.
 */
const HOUR_MS = 3_600_000;

export class AccountCallLimit {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly perHour: number,
  ) {}

  /** Counts one call; undefined when it may go ahead, else the sentence the model is told. */
  async refusal(asker: { teamId: string; userId: string }, nowMs = Date.now()): Promise<string | undefined> {
    if (this.perHour === 0) return undefined;
    const hour = Math.floor(nowMs / HOUR_MS);
    const key = this.keys.accountCalls(asker.teamId, asker.userId, hour);
    const results = await this.redis.multi().incr(key).pexpire(key, HOUR_MS * 2).exec();
    const count = Number(results?.[0]?.[1] ?? 0);
    if (count <= this.perHour) return undefined;
    const minutes = Math.ceil(((hour + 1) * HOUR_MS - nowMs) / 60_000);
    return `This person has reached the limit of ${this.perHour} AWS account reads an hour; the next is possible in ${minutes} minute${minutes === 1 ? '' : 's'}. Answer from what you already know and say so.`;
  }
}
