import type { AssistantConfig } from '@slack/bolt';
import type { AssistantThreadContext, AssistantThreadRef, AssistantThreads } from '../../../answer/assistant-threads.js';

type ThreadContextStore = NonNullable<AssistantConfig['threadContextStore']>;
type StoreArgs = Parameters<ThreadContextStore['save']>[0];

/**
 * Bolt's thread-context store backed by Redis (ops/assistant-threads.ts): one record per
 * assistant thread, shared by every web process and surviving restarts.
 *
 * Bolt's default store would keep the context in process memory (one value for all threads)
 * and write it into the bot's first message with chat.update from the listener: a write outside
 * the publisher, and Slack calls where listeners should only enqueue.
 */
export class RedisThreadContextStore implements ThreadContextStore {
  constructor(private readonly threads: AssistantThreads) {}

  async get(args: StoreArgs): Promise<AssistantThreadContext> {
    const thread = threadOf(args);
    return thread ? this.threads.context(thread) : {};
  }

  async save(args: StoreArgs): Promise<void> {
    const thread = threadOf(args);
    if (thread) await this.threads.saveContext(thread, thread.context ?? {});
  }
}

/** The assistant thread an event is about: thread events name it, messages are replies in it. */
function threadOf(args: StoreArgs): (AssistantThreadRef & { context?: AssistantThreadContext }) | undefined {
  const payload = args.payload as {
    assistant_thread?: { channel_id: string; thread_ts: string; context?: AssistantThreadContext };
    channel?: string;
    thread_ts?: string;
    team?: string;
  };
  const teamId = args.context.teamId ?? payload.assistant_thread?.context?.team_id ?? payload.team ?? '';
  if (payload.assistant_thread) {
    const { channel_id: channel, thread_ts: threadTs, context } = payload.assistant_thread;
    return { teamId, channel, threadTs, ...(context ? { context } : {}) };
  }
  if (payload.channel && payload.thread_ts) return { teamId, channel: payload.channel, threadTs: payload.thread_ts };
  return undefined;
}
