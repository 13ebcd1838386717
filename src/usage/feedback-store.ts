import type { FeedbackVote } from '../core/answer-blocks.js';
import type { RedisClient } from '../ops/redis.js';
import type { RedisKeys } from '../ops/redis-keys.js';
import { luaScript, type ScriptCommand } from '../ops/redis-scripts.js';
import { expiryOfDay, lastDays, utcDay } from '../core/days.js';
import type { FeedbackCounts } from '../core/usage-tally.js';

/**
 * 👍/👎 on answers: one vote per person per answer (the answer's question job id), which they can
 * change. Each vote is counted on the UTC day it was cast in a per-workspace day hash; changing
 * it moves the count, so the totals are always one per person and answer. Vote and counts change
 * together in one Lua script.
 */
export type Vote = FeedbackVote;

/** Two clicks of one person on one answer racing each other settle within a few reads. */
const MAX_VOTE_ATTEMPTS = 5;


export interface VoteChange {
  previous: Vote | undefined;
  current: Vote;
}

export class FeedbackStore {
  private readonly castVote: ScriptCommand<string>;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly retentionDays: number,
  ) {
    this.castVote = luaScript(redis, 'feedbackVote', new URL('./feedback-vote.lua', import.meta.url), 3);
  }

  /**
   * The day of the vote a new one replaces names a key of its own, which a script on Redis Cluster
   * must be given: the previous vote is read first, and the script casts the new one only if it
   * is still the same (else it is read again).
   */
  async vote(input: { teamId: string; jobId: string; userId: string; vote: Vote }, atMs = Date.now()): Promise<VoteChange> {
    const today = utcDay(atMs);
    const votesKey = this.keys.feedbackVotes(input.jobId);
    for (let attempt = 1; ; attempt += 1) {
      const read = (await this.redis.hget(votesKey, input.userId)) ?? '';
      const previousDay = read.includes('|') ? read.slice(read.indexOf('|') + 1) : today;
      const previous = await this.castVote(
        [votesKey, this.keys.feedback(input.teamId, today), this.keys.feedback(input.teamId, previousDay)],
        [input.userId, input.vote, today, read, (this.retentionDays + 1) * 24 * 3600, expiryOfDay(today, this.retentionDays)],
      );
      if (previous === 'moved' && attempt < MAX_VOTE_ATTEMPTS) continue;
      if (previous === 'moved') throw new Error('the vote kept changing while it was cast');
      return { previous: previous === 'up' || previous === 'down' ? previous : undefined, current: input.vote };
    }
  }

  /** Votes counted over the last `days` UTC days (today included). */
  async counts(teamId: string, days: number, atMs = Date.now()): Promise<FeedbackCounts> {
    const pipeline = this.redis.pipeline();
    for (const day of lastDays(atMs, days)) pipeline.hmget(this.keys.feedback(teamId, day), 'up', 'down');
    const totals: FeedbackCounts = { up: 0, down: 0 };
    for (const [error, values] of (await pipeline.exec()) ?? []) {
      if (error) throw error;
      const [up, down] = (values ?? []) as Array<string | null>;
      totals.up += Number(up ?? 0);
      totals.down += Number(down ?? 0);
    }
    return totals;
  }
}
