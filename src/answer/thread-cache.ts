import type { WebClient } from '@slack/web-api';
import type { RedisClient } from '../ops/redis.js';
import { compareTs, type ThreadMessage } from '../core/conversation.js';
import type { RedisKeys } from '../ops/redis-keys.js';
import { luaScript, type ScriptCommand } from '../ops/redis-scripts.js';
import { METADATA_EVENT, type MessageMetadataPayload, type WrittenMessages } from '../publish/slack-messages.js';
import { readThread, toThreadMessage } from './thread-reader.js';

/**
 * conversations.replies is rate-limited (Tier 3, about 50 a minute per workspace; far lower for
 * commercially distributed apps outside the Marketplace), so a busy thread must not cost a read
 * per question. A read is kept in Redis (a hash of the thread's messages by ts) for
 * THREAD_CACHE_TTL_SECONDS and reused by the jobs that follow it closely:
 *  - a cached copy is valid for a question only if it contains that question's message: then it
 *    holds every message written before it, which is all the question's context needs;
 *  - everything the bot itself writes in the thread afterwards (answers, notices) is added to the
 *    cached copy as Slack will return it, so the next question sees the previous answer.
 * Edits made during the TTL are not seen until the next fresh read; the TTL is short for that.
 * Questions of one thread are answered one at a time (queue/thread-order.ts), so a job never
 * reads a copy another job is still adding to.
 */
export interface ThreadPlace {
  teamId: string;
  channel: string;
  threadTs: string;
}

export interface BotAuthor {
  userId: string;
  botId: string | undefined;
}


export class ThreadCache implements WrittenMessages {
  private readonly addIfCached: ScriptCommand<number>;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly ttlSeconds: number,
    private readonly bot: BotAuthor,
  ) {
    this.addIfCached = luaScript(redis, 'threadCacheAdd', new URL('./thread-cache-add.lua', import.meta.url), 1);
  }

  /** The cached thread, if there is a fresh copy containing message `mustContainTs`. */
  async get(place: ThreadPlace, mustContainTs: string): Promise<ThreadMessage[] | undefined> {
    if (this.ttlSeconds === 0) return undefined;
    const stored = await this.redis.hgetall(this.key(place));
    if (!(mustContainTs in stored)) return undefined;
    return Object.values(stored)
      .map((json) => JSON.parse(json) as ThreadMessage)
      .sort((a, b) => compareTs(a.ts, b.ts));
  }

  /** Replaces the cached copy with a fresh read; its TTL starts now. */
  async put(place: ThreadPlace, thread: readonly ThreadMessage[]): Promise<void> {
    if (this.ttlSeconds === 0 || thread.length === 0) return;
    const key = this.key(place);
    await this.redis
      .multi()
      .del(key)
      .hset(key, ...thread.flatMap((message) => [message.ts, JSON.stringify(message)]))
      .expire(key, this.ttlSeconds)
      .exec();
  }

  /** What the bot has just written in a thread, as a read of the thread would return it. */
  async written(place: Partial<ThreadPlace> & { channel: string }, ts: string, text: string, metadata: MessageMetadataPayload): Promise<void> {
    if (this.ttlSeconds === 0 || !place.teamId || !place.threadTs) return;
    const message = toThreadMessage({
      ts,
      user: this.bot.userId,
      ...(this.bot.botId ? { bot_id: this.bot.botId } : {}),
      text,
      metadata: { event_type: METADATA_EVENT, event_payload: { ...metadata } },
    });
    if (!message) return;
    await this.addIfCached([this.key(place as ThreadPlace)], [ts, JSON.stringify(message)]);
  }

  /** A message the bot deleted: a read of the thread would no longer return it. */
  async deleted(place: Partial<ThreadPlace> & { channel: string }, ts: string): Promise<void> {
    if (this.ttlSeconds === 0 || !place.teamId || !place.threadTs) return;
    await this.redis.hdel(this.key(place as ThreadPlace), ts);
  }

  private key(place: ThreadPlace): string {
    return this.keys.threadCache(place.teamId, place.channel, place.threadTs);
  }
}

/**
 * The thread for a question: the cached copy when it is fresh and contains the question,
 * otherwise one read of the whole thread (which then becomes the cached copy).
 */
export async function readThreadOnce(slack: WebClient, cache: ThreadCache, place: ThreadPlace, questionTs: string): Promise<ThreadMessage[]> {
  const cached = await cache.get(place, questionTs);
  if (cached) return cached;
  const thread = await readThread(slack, place.channel, place.threadTs);
  await cache.put(place, thread);
  return thread;
}
