import type { RedisClient } from '../ops/redis.js';
import type { RedisKeys } from '../ops/redis-keys.js';

/**
 * What the bot remembers about a thread of Slack's AI-assistant panel, in one Redis hash per
 * thread (shared by every process, surviving restarts): the context the person was viewing when
 * it started or last changed, and whether the thread already has a title. Its existence is how a
 * DM thread is known to be an assistant thread.
 */
export interface AssistantThreadContext {
  channel_id?: string;
  team_id?: string;
  enterprise_id?: string | null;
}

export interface AssistantThreadRef {
  teamId: string;
  channel: string;
  threadTs: string;
}

const CONTEXT_FIELD = 'context';
const TITLED_FIELD = 'titled';
/** Assistant threads are conversations people come back to, like the threads the bot joins. */
const KEEP_SECONDS = 30 * 24 * 3600;

export class AssistantThreads {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  async saveContext(thread: AssistantThreadRef, context: AssistantThreadContext): Promise<void> {
    const key = this.key(thread);
    await this.redis.multi().hset(key, CONTEXT_FIELD, JSON.stringify(context)).expire(key, KEEP_SECONDS).exec();
  }

  async context(thread: AssistantThreadRef): Promise<AssistantThreadContext> {
    const raw = await this.redis.hget(this.key(thread), CONTEXT_FIELD);
    return raw ? (JSON.parse(raw) as AssistantThreadContext) : {};
  }

  async isAssistantThread(thread: AssistantThreadRef): Promise<boolean> {
    return (await this.redis.exists(this.key(thread))) === 1;
  }

  /** True exactly once per thread, whichever worker asks first: that question names the thread. */
  async claimTitle(thread: AssistantThreadRef): Promise<boolean> {
    const key = this.key(thread);
    const results = await this.redis.multi().hsetnx(key, TITLED_FIELD, '1').expire(key, KEEP_SECONDS).exec();
    return results?.[0]?.[1] === 1;
  }

  private key(thread: AssistantThreadRef): string {
    return this.keys.assistantThread(thread.teamId, thread.channel, thread.threadTs);
  }
}
