/**
 * Slack's rate limits as the fake enforces them: per method, per workspace (or per channel for
 * chat.postMessage), over a sliding 60-second window, answered with HTTP 429 + Retry-After.
 */

export type RateLimitScope = 'workspace' | 'channel';

export interface RateLimitRule {
  perMinute: number;
  scope: RateLimitScope;
  /** At most this many calls within any one second (Slack tolerates bursts, but not unbounded ones). */
  burst?: number;
}

/**
 * Slack's published limits for the methods this product uses.
 * Source: https://docs.slack.dev/apis/web-api/rate-limits (tiers: Tier 2 20+/min, Tier 3 50+/min,
 * Tier 4 100+/min; chat.postMessage is "special": about 1 message per second per channel, short
 * bursts allowed) and each method's reference page ("Rate limits" fact): chat.startStream and
 * chat.stopStream are Tier 2, chat.appendStream and views.publish Tier 4.
 */
export const SLACK_PUBLISHED_LIMITS: Readonly<Record<string, RateLimitRule>> = {
  'chat.postMessage': { perMinute: 60, scope: 'channel', burst: 3 }, // special tier
  'chat.update': { perMinute: 50, scope: 'workspace' }, // Tier 3
  'chat.delete': { perMinute: 50, scope: 'workspace' }, // Tier 3
  'chat.postEphemeral': { perMinute: 100, scope: 'workspace' }, // Tier 4
  'conversations.replies': { perMinute: 50, scope: 'workspace' }, // Tier 3 (internal apps)
  'conversations.info': { perMinute: 50, scope: 'workspace' }, // Tier 3
  'users.info': { perMinute: 100, scope: 'workspace' }, // Tier 4
  'reactions.add': { perMinute: 50, scope: 'workspace' }, // Tier 3
  'chat.startStream': { perMinute: 20, scope: 'workspace' }, // Tier 2
  'chat.appendStream': { perMinute: 100, scope: 'workspace' }, // Tier 4
  'chat.stopStream': { perMinute: 20, scope: 'workspace' }, // Tier 2
  'views.publish': { perMinute: 100, scope: 'workspace' }, // Tier 4
};

const WINDOW_MS = 60_000;
const BURST_WINDOW_MS = 1_000;

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export class SlackRateLimiter {
  private readonly rules = new Map<string, RateLimitRule>();
  /** Accepted-call times per `${method}|${channel or *}`, pruned to the last window. */
  private readonly hits = new Map<string, number[]>();
  private readonly windowMs: number;
  private readonly burstWindowMs: number;

  /**
   * `timeScale` > 1 compresses time for benchmarks: the same counts per window, in windows of
   * 60 s / timeScale and 1 s / timeScale. Retry-After stays whole seconds (at least 1), as Slack sends it.
   */
  constructor(timeScale = 1) {
    this.windowMs = WINDOW_MS / timeScale;
    this.burstWindowMs = BURST_WINDOW_MS / timeScale;
  }

  set(method: string, rule: RateLimitRule | undefined): void {
    if (rule) this.rules.set(method, rule);
    else this.rules.delete(method);
  }

  clear(): void {
    this.rules.clear();
    this.hits.clear();
  }

  /** Decides and, when allowed, counts the call; a refused call does not use up the budget. */
  take(method: string, channel: string | undefined, now = Date.now()): RateDecision {
    const rule = this.rules.get(method);
    if (!rule) return { allowed: true };
    const key = `${method}|${rule.scope === 'channel' && channel ? channel : '*'}`;
    const times = (this.hits.get(key) ?? []).filter((t) => now - t < this.windowMs);
    this.hits.set(key, times);

    const waits: number[] = [];
    if (times.length >= rule.perMinute) waits.push(waitUntilSlotFrees(times, rule.perMinute, this.windowMs, now));
    if (rule.burst !== undefined) {
      const recent = times.filter((t) => now - t < this.burstWindowMs);
      if (recent.length >= rule.burst) waits.push(waitUntilSlotFrees(recent, rule.burst, this.burstWindowMs, now));
    }
    if (waits.length > 0) {
      // Retry-After is whole seconds, rounded up, at least 1 — as Slack sends it.
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(Math.max(...waits) / 1000)) };
    }
    times.push(now);
    return { allowed: true };
  }
}

/** Milliseconds until the window holds fewer than `limit` calls again. */
function waitUntilSlotFrees(sortedTimes: number[], limit: number, windowMs: number, now: number): number {
  const blocking = sortedTimes[sortedTimes.length - limit] ?? now;
  return blocking + windowMs - now;
}
