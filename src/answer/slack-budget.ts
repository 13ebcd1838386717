import type { Redis } from 'ioredis';
import type { RedisKeys } from '../ops/redis-keys.js';

/**
 * Slack rate-limits write methods per workspace (chat.update is Tier 3: about 50 a minute) and
 * chat.postMessage per channel (about one a second), no matter how many answers stream at once.
 * Every worker draws from one token bucket per workspace and method in Redis:
 *  - an intermediate update takes a token only when more than a reserve is left, and is simply
 *    skipped otherwise (the next one carries the newer text anyway);
 *  - a final update always gets a slot: it reserves the next free token, even into debt, and
 *    waits until then. While finals are in debt no intermediate update goes out, so final
 *    answers come first and intermediate updates slow down as concurrency grows.
 * A 429 from Slack empties the bucket until its Retry-After, for every worker.
 */
export interface BucketSpec {
  perMinute: number;
  /** Tokens that may be spent at once after a quiet spell. */
  burst: number;
}

export type SlackWriteKind = 'intermediate' | 'final';

const TAKE_SCRIPT = `
local key = KEYS[1]
local now = tonumber(ARGV[1])
local ratePerMs = tonumber(ARGV[2])
local capacity = tonumber(ARGV[3])
local reserve = tonumber(ARGV[4])
local final = ARGV[5] == 'final'
local blockedUntil = tonumber(redis.call('GET', KEYS[2]) or '0')
local state = redis.call('HMGET', key, 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
if now > at then tokens = math.min(capacity, tokens + (now - at) * ratePerMs) end
local waitMs = -1
if final then
  tokens = tokens - 1
  waitMs = 0
  if tokens < 0 then waitMs = math.ceil(-tokens / ratePerMs) end
  if blockedUntil > now + waitMs then waitMs = blockedUntil - now end
elseif blockedUntil <= now and tokens - 1 >= reserve then
  tokens = tokens - 1
  waitMs = 0
end
redis.call('HSET', key, 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', key, 600000)
return waitMs
`;

export class SlackBudget {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly specs: Record<'chat.update' | 'chat.postMessage', BucketSpec>,
  ) {
    redis.defineCommand('slackBudgetTake', { numberOfKeys: 2, lua: TAKE_SCRIPT });
  }

  /**
   * For an intermediate write: 0 when it may go now, undefined when it should be skipped.
   * For a final write: how long to wait before sending (its slot is reserved).
   */
  async take(method: keyof SlackBudget['specs'], scope: string, kind: SlackWriteKind): Promise<number | undefined> {
    const spec = this.specs[method];
    const ratePerMs = spec.perMinute / 60_000;
    const reserve = Math.max(1, Math.floor(spec.burst / 4));
    const waitMs = (await (this.redis as unknown as BudgetCommands).slackBudgetTake(
      this.keys.slackBudget(scope, method),
      this.keys.slackBackoff(scope, method),
      Date.now(),
      ratePerMs,
      spec.burst,
      reserve,
      kind,
    )) as number;
    return waitMs < 0 ? undefined : waitMs;
  }

  /** Slack answered 429: nobody in this scope calls the method again before Retry-After. */
  async rateLimited(method: keyof SlackBudget['specs'], scope: string, retryAfterMs: number): Promise<void> {
    await this.redis.set(this.keys.slackBackoff(scope, method), String(Date.now() + retryAfterMs), 'PX', retryAfterMs + 1000);
  }
}

interface BudgetCommands {
  slackBudgetTake(...args: Array<string | number>): Promise<number>;
}
