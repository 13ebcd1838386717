import type { Redis } from 'ioredis';
import type { RedisKeys } from '../ops/redis-keys.js';

/**
 * Recent complete answers to first questions, by answer-reuse key (answer-reuse.ts), kept for
 * ANSWER_CACHE_TTL_SECONDS. Only the answer text is stored, never the question.
 */
export interface CachedAnswer {
  /** The model's Markdown, as it was shown. */
  text: string;
  model: string;
  /** Who the answer was written for (mentions of them are re-addressed on reuse). */
  askedBy: string;
  at: number;
}

export class AnswerCache {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly ttlSeconds: number,
  ) {}

  async get(hash: string): Promise<CachedAnswer | undefined> {
    const raw = await this.redis.get(this.keys.answerCache(hash));
    if (!raw) return undefined;
    try {
      const value = JSON.parse(raw) as Partial<CachedAnswer>;
      if (typeof value.text !== 'string' || typeof value.model !== 'string' || typeof value.askedBy !== 'string') return undefined;
      return { text: value.text, model: value.model, askedBy: value.askedBy, at: Number(value.at) || 0 };
    } catch {
      return undefined;
    }
  }

  async set(hash: string, answer: CachedAnswer): Promise<void> {
    await this.redis.set(this.keys.answerCache(hash), JSON.stringify(answer), 'EX', this.ttlSeconds);
  }
}
