import type { Redis } from 'ioredis';
import type { RedisKeys } from '../ops/redis-keys.js';

/**
 * Slack rate-limits write methods per workspace (chat.update is Tier 3: about 50 a minute) and
 * chat.postMessage per channel (about one a second), no matter how many answers stream at once.
 * Every worker draws from one token bucket per workspace and method in Redis:
 *  - the bucket never allows more than `perMinute` calls in any 60 seconds (Slack counts over a
 *    sliding minute): it holds `burst` tokens and refills at perMinute − burst a minute;
 *  - every answer being written is registered as "in flight" in the workspace, because each of
 *    them will need one final update. An intermediate update takes a token only when at least
 *    one token per answer in flight stays behind, and is simply skipped otherwise (the next one
 *    carries the newer text anyway). So intermediate updates thin out as concurrency grows, and
 *    the finals find their tokens waiting;
 *  - a final update always gets a slot: it reserves the next free token, even into debt, and
 *    waits until then; while finals are in debt no intermediate update goes out.
 * A 429 from Slack empties the bucket until its Retry-After, for every worker.
 */
export interface BucketSpec {
  /** Most calls Slack accepts in any 60 seconds. */
  perMinute: number;
  /** Tokens that may be spent at once after a quiet spell (at most half of perMinute is used). */
  burst: number;
}

export type SlackWriteKind = 'intermediate' | 'final';

/**
 * An answer's registration lapses this long after its last intermediate update, so that an
 * answer whose worker died stops holding back everyone else's updates.
 */
const IN_FLIGHT_TTL_MS = 120_000;

const TAKE_SCRIPT = `
local key = KEYS[1]
local now = tonumber(ARGV[1])
local ratePerMs = tonumber(ARGV[2])
local capacity = tonumber(ARGV[3])
local final = ARGV[4] == 'final'
local answer = ARGV[5]
local inFlightTtl = tonumber(ARGV[6])
local blockedUntil = tonumber(redis.call('GET', KEYS[2]) or '0')
local state = redis.call('HMGET', key, 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
if now > at then tokens = math.min(capacity, tokens + (now - at) * ratePerMs) end
local inFlight = 0
if answer ~= '' then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
  if final then
    redis.call('ZREM', KEYS[3], answer)
  else
    redis.call('ZADD', KEYS[3], now + inFlightTtl, answer)
    redis.call('PEXPIRE', KEYS[3], inFlightTtl)
    inFlight = redis.call('ZCARD', KEYS[3])
  end
end
local waitMs = -1
if final then
  tokens = tokens - 1
  waitMs = 0
  if tokens < 0 then waitMs = math.ceil(-tokens / ratePerMs) end
  if blockedUntil > now + waitMs then waitMs = blockedUntil - now end
else
  -- One token per answer in flight (this one included) stays for the finals; with more answers
  -- than the bucket holds, intermediate updates only use a full bucket's last token.
  local reserve = math.max(1, math.min(inFlight, capacity - 1))
  if blockedUntil <= now and tokens - 1 >= reserve then
    tokens = tokens - 1
    waitMs = 0
  end
end
redis.call('HSET', key, 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', key, 600000)
return waitMs
`;

const START_SCRIPT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]))
redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[3]), ARGV[2])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
`;

/** Slack's text-streaming methods have tiers of their own (answer/native-stream.ts). */
type StreamMethod = 'chat.startStream' | 'chat.appendStream' | 'chat.stopStream';
type Method = 'chat.update' | 'chat.postMessage' | StreamMethod;

/**
 * Slack's published limits for the methods an answer writes with, in one table. chat.update is
 * configurable (SLACK_UPDATES_PER_MINUTE) because apps outside the Marketplace and Enterprise
 * grids see other numbers; half a minute's calls may go at once, since many answers can end
 * together and each needs its final update.
 */
export function slackWriteBudgets(updatesPerMinute: number): ConstructorParameters<typeof SlackBudget>[2] {
  return {
    'chat.update': { perMinute: updatesPerMinute, burst: Math.floor(updatesPerMinute / 2) },
    // About one message a second per channel, with short bursts.
    'chat.postMessage': { perMinute: 60, burst: 5 },
    // Native text streaming: starting and stopping a stream are Tier 2, appending is Tier 4.
    'chat.startStream': { perMinute: 20, burst: 5 },
    'chat.appendStream': { perMinute: 100, burst: 20 },
    'chat.stopStream': { perMinute: 20, burst: 5 },
  };
}

export class SlackBudget {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    /** A streaming method without a spec is not budgeted. */
    private readonly specs: Record<'chat.update' | 'chat.postMessage', BucketSpec> & Partial<Record<StreamMethod, BucketSpec>>,
  ) {
    redis.defineCommand('slackBudgetTake', { numberOfKeys: 3, lua: TAKE_SCRIPT });
    redis.defineCommand('slackBudgetStart', { numberOfKeys: 1, lua: START_SCRIPT });
  }

  /**
   * An answer starts being written in `scope` (a workspace): from now on a token is kept for its
   * final update. The final take (with the same `answer`) ends the registration.
   */
  async answerStarted(scope: string, answer: string): Promise<void> {
    await (this.redis as unknown as BudgetCommands).slackBudgetStart(this.keys.slackAnswersInFlight(scope), Date.now(), answer, IN_FLIGHT_TTL_MS);
  }

  /**
   * For an intermediate write: 0 when it may go now, undefined when it should be skipped.
   * For a final write: how long to wait before sending (its slot is reserved).
   * `answer` names the answer the write belongs to (see answerStarted).
   */
  async take(method: Method, scope: string, kind: SlackWriteKind, answer = ''): Promise<number | undefined> {
    const spec = this.specs[method];
    if (!spec) return 0;
    const { capacity, ratePerMs } = bucketOf(spec);
    const waitMs = (await (this.redis as unknown as BudgetCommands).slackBudgetTake(
      this.keys.slackBudget(scope, method),
      this.keys.slackBackoff(scope, method),
      this.keys.slackAnswersInFlight(scope),
      Date.now(),
      ratePerMs,
      capacity,
      kind,
      answer,
      IN_FLIGHT_TTL_MS,
    )) as number;
    return waitMs < 0 ? undefined : waitMs;
  }

  /** Slack answered 429: nobody in this scope calls the method again before Retry-After. */
  async rateLimited(method: Method, scope: string, retryAfterMs: number): Promise<void> {
    await this.redis.set(this.keys.slackBackoff(scope, method), String(Date.now() + retryAfterMs), 'PX', retryAfterMs + 1000);
  }
}

/** A bucket of `capacity` refilling so that capacity + a minute's refill = perMinute. */
export function bucketOf(spec: BucketSpec): { capacity: number; ratePerMs: number } {
  const capacity = Math.max(1, Math.min(spec.burst, Math.floor(spec.perMinute / 2)));
  const refillPerMinute = Math.max(1, spec.perMinute - capacity);
  return { capacity, ratePerMs: refillPerMinute / 60_000 };
}

interface BudgetCommands {
  slackBudgetTake(...args: Array<string | number>): Promise<number>;
  slackBudgetStart(...args: Array<string | number>): Promise<number>;
}
