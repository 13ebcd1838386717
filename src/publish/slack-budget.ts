import type { RedisClient } from '../ops/redis.js';
import type { RedisKeys } from '../ops/redis-keys.js';
import { luaScript, type ScriptCommand } from '../ops/redis-scripts.js';

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



/** Slack's text-streaming methods have tiers of their own (publish/native-stream.ts). */
type StreamMethod = 'chat.startStream' | 'chat.appendStream' | 'chat.stopStream';
export type SlackWriteMethod = 'chat.update' | 'chat.postMessage' | StreamMethod;
type Method = SlackWriteMethod;

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
  private readonly takeScript: ScriptCommand<number>;
  private readonly startScript: ScriptCommand<number>;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    /** A streaming method without a spec is not budgeted. */
    private readonly specs: Record<'chat.update' | 'chat.postMessage', BucketSpec> & Partial<Record<StreamMethod, BucketSpec>>,
  ) {
    this.takeScript = luaScript(redis, 'slackBudgetTake', new URL('./slack-budget-take.lua', import.meta.url), 3);
    this.startScript = luaScript(redis, 'slackBudgetStart', new URL('./slack-budget-start.lua', import.meta.url), 1);
  }

  /**
   * An answer starts being written in `scope` (a workspace): from now on a token is kept for its
   * final update. The final take (with the same `answer`) ends the registration.
   */
  async answerStarted(scope: string, answer: string): Promise<void> {
    await this.startScript([this.keys.slackAnswersInFlight(scope)], [Date.now(), answer, IN_FLIGHT_TTL_MS]);
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
    const waitMs = await this.takeScript(
      [this.keys.slackBudget(scope, method), this.keys.slackBackoff(scope, method), this.keys.slackAnswersInFlight(scope)],
      [
      Date.now(),
      ratePerMs,
      capacity,
      kind,
      answer,
      IN_FLIGHT_TTL_MS,
      ],
    );
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
