import type { RedisClient } from '../ops/redis.js';
import type { ToolSource } from '../model/tools.js';
import type { RedisKeys } from '../ops/redis-keys.js';

/**
 * Recent complete answers to first questions, by answer-reuse key (answer-reuse.ts), kept for
 * ANSWER_CACHE_TTL_SECONDS, or less when the answer relied on tool results that go stale sooner.
 * Only the answer text and its sources are stored, never the question.
 */
export interface CachedAnswer {
  /** The model's Markdown, as it was shown. */
  text: string;
  model: string;
  /** Who the answer was written for (mentions of them are re-addressed on reuse). */
  askedBy: string;
  at: number;
  sources: ToolSource[];
}

export class AnswerCache {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly ttlSeconds: number,
  ) {}

  async get(hash: string): Promise<CachedAnswer | undefined> {
    const raw = await this.redis.get(this.keys.answerCache(hash));
    if (!raw) return undefined;
    try {
      const value = JSON.parse(raw) as Partial<CachedAnswer>;
      if (typeof value.text !== 'string' || typeof value.model !== 'string' || typeof value.askedBy !== 'string') return undefined;
      const sources = Array.isArray(value.sources) ? value.sources.filter((source) => typeof source?.url === 'string' && typeof source.title === 'string') : [];
      return { text: value.text, model: value.model, askedBy: value.askedBy, at: Number(value.at) || 0, sources };
    } catch {
      return undefined;
    }
  }

  /** Kept for the cache's TTL, or `maxSeconds` when shorter. */
  async set(hash: string, answer: CachedAnswer, maxSeconds = Number.POSITIVE_INFINITY): Promise<void> {
    const seconds = Math.floor(Math.min(this.ttlSeconds, maxSeconds));
    if (seconds < 1) return;
    await this.redis.set(this.keys.answerCache(hash), JSON.stringify(answer), 'EX', seconds);
  }
}
