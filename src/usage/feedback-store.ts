import type { Redis } from 'ioredis';
import type { RedisKeys } from '../ops/redis-keys.js';
import { expiryOfDay, lastDays, utcDay } from './days.js';

/**
 * 👍/👎 on answers: one vote per person per answer (the answer's question job id), which they can
 * change. Each vote is counted on the UTC day it was cast in a per-workspace day hash; changing
 * it moves the count, so the totals are always one per person and answer. Vote and counts change
 * together in one Lua script.
 */
export type Vote = 'up' | 'down';

export interface FeedbackCounts {
  up: number;
  down: number;
}

export interface VoteChange {
  previous: Vote | undefined;
  current: Vote;
}

/**
 * KEYS: votes hash, today's counts hash. ARGV: user, vote, today, counts-key prefix (the day is
 * appended for the day of a previous vote), votes ttl, counts expiry (unix seconds).
 * Returns the previous vote ('' when none).
 */
const VOTE_SCRIPT = `
local previous = redis.call('HGET', KEYS[1], ARGV[1])
local previousVote = ''
if previous then
  local bar = string.find(previous, '|', 1, true)
  previousVote = string.sub(previous, 1, bar - 1)
  local previousDay = string.sub(previous, bar + 1)
  if previousVote == ARGV[2] then return previousVote end
  local previousKey = ARGV[4] .. previousDay
  if redis.call('HINCRBY', previousKey, previousVote, -1) < 0 then redis.call('HSET', previousKey, previousVote, 0) end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '|' .. ARGV[3])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[5]))
redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
redis.call('EXPIREAT', KEYS[2], tonumber(ARGV[6]))
return previousVote
`;

export class FeedbackStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly retentionDays: number,
  ) {
    redis.defineCommand('feedbackVote', { numberOfKeys: 2, lua: VOTE_SCRIPT });
  }

  async vote(input: { teamId: string; jobId: string; userId: string; vote: Vote }, atMs = Date.now()): Promise<VoteChange> {
    const today = utcDay(atMs);
    const previous = await (this.redis as unknown as VoteCommand).feedbackVote(
      this.keys.feedbackVotes(input.jobId),
      this.keys.feedback(input.teamId, today),
      input.userId,
      input.vote,
      today,
      this.keys.feedback(input.teamId, ''),
      (this.retentionDays + 1) * 24 * 3600,
      expiryOfDay(today, this.retentionDays),
    );
    return { previous: previous === 'up' || previous === 'down' ? previous : undefined, current: input.vote };
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

interface VoteCommand {
  feedbackVote(...args: Array<string | number>): Promise<string>;
}
