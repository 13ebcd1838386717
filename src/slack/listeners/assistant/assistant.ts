import { Assistant, type App } from '@slack/bolt';
import { AssistantThreads } from '../../../answer/assistant-threads.js';
import { assistantGreetingJobId } from '../../../core/job-ids.js';
import { questionFrom, takeQuestion } from '../../intake.js';
import type { MessageListenerDeps, PlainMessage } from '../events/message.js';
import { RedisThreadContextStore } from './thread-context-store.js';

/**
 * Slack's AI-assistant panel, with Bolt's Assistant class. Like every listener it only records,
 * acknowledges (Bolt acks events before listeners run) and enqueues; the greeting, the suggested
 * prompts, the status line and the title are Slack calls made by workers.
 *
 * - `assistant_thread_started`: the thread is recorded as an assistant thread (with the context
 *   the person is viewing) and a greeting job is queued.
 * - `assistant_thread_context_changed`: Bolt's default handler saves the new context through our
 *   store.
 * - a message in a DM thread: Bolt routes every one of them here (see claims.ts). A message in an
 *   assistant thread is a question of source `assistant` (status and title); a reply in an
 *   ordinary DM thread is a `dm` question like the top-level DM that started it.
 */
export function registerAssistant(app: App, deps: MessageListenerDeps): void {
  const threads = new AssistantThreads(deps.redis, deps.keys);
  const assistant = new Assistant({
    threadContextStore: new RedisThreadContextStore(threads),

    threadStarted: async ({ event, context, saveThreadContext }) => {
      const thread = event.assistant_thread;
      const teamId = context.teamId ?? thread.context.team_id ?? '';
      try {
        await saveThreadContext();
        await deps.queue.enqueue(assistantGreetingJobId(teamId, thread.channel_id, thread.thread_ts), {
          kind: 'assistant-greeting',
          teamId,
          channel: thread.channel_id,
          threadTs: thread.thread_ts,
          userId: thread.user_id,
          receivedAt: Date.now(),
        });
      } catch (error) {
        // Nobody asked anything yet: without a greeting the panel still takes questions.
        deps.logger.error({ err: error, channel: thread.channel_id }, 'could not queue the assistant greeting');
      }
    },

    userMessage: async ({ message, context, client }) => {
      const reply = message as unknown as PlainMessage;
      if (reply.bot_id || !reply.user || !reply.thread_ts || !context.botUserId) return;
      const teamId = context.teamId ?? reply.team ?? '';
      const inAssistantPanel = await threads.isAssistantThread({ teamId, channel: reply.channel, threadTs: reply.thread_ts });
      await takeQuestion(
        questionFrom({ ...reply, user: reply.user, thread_ts: reply.thread_ts }, inAssistantPanel ? 'assistant' : 'dm', teamId),
        context.botUserId,
        client,
        deps,
      );
    },
  });
  app.assistant(assistant);
}
