import type { WebClient } from '@slack/web-api';
import { LOADING_MESSAGES, SUGGESTED_PROMPTS, SUGGESTED_PROMPTS_TITLE, THINKING_STATUS, threadTitle } from '../core/assistant-copy.js';
import type { QuestionJob } from '../core/jobs.js';
import type { Logger } from '../ops/logger.js';
import type { RedisKeys } from '../ops/redis-keys.js';
import type { SlackMessages } from '../publish/slack-messages.js';
import { slackErrorCode, withRateLimitRetry } from '../publish/slack-web.js';
import { AssistantThreads } from './assistant-threads.js';
import type { RedisClient } from '../ops/redis.js';

/**
 * The extras of Slack's AI-assistant panel around an answer: the "is thinking…" status line, with
 * Slack's rotating loading messages, while it is written and a title from the thread's first question. They decorate the answer
 * and never hold it up: a failed or rate-limited call is logged and the answer goes on.
 * (Slack also clears the status by itself as soon as the bot posts in the thread.)
 */
interface AssistantDeps {
  messages: SlackMessages;
  redis: RedisClient;
  keys: RedisKeys;
  logger: Logger;
}

export async function answerInAssistantThread<T>(job: QuestionJob, deps: AssistantDeps, answer: () => Promise<T>): Promise<T> {
  const thread = { channel_id: job.channel, thread_ts: job.threadTs };
  const slack = deps.messages.slack;
  await quietly(deps.logger, 'assistant.threads.setStatus', () => slack.assistant.threads.setStatus({ ...thread, status: THINKING_STATUS, loading_messages: [...LOADING_MESSAGES] }));
  const threads = new AssistantThreads(deps.redis, deps.keys);
  if (await threads.claimTitle({ teamId: job.teamId, channel: job.channel, threadTs: job.threadTs })) {
    await quietly(deps.logger, 'assistant.threads.setTitle', () => slack.assistant.threads.setTitle({ ...thread, title: threadTitle(job.text) }));
  }
  try {
    return await answer();
  } finally {
    await quietly(deps.logger, 'assistant.threads.setStatus', () => slack.assistant.threads.setStatus({ ...thread, status: '' }));
  }
}

/** The prompts offered in a new assistant thread. */
export async function suggestPrompts(slack: WebClient, channel: string, threadTs: string): Promise<void> {
  await withRateLimitRetry(
    () =>
      slack.assistant.threads.setSuggestedPrompts({
        channel_id: channel,
        thread_ts: threadTs,
        title: SUGGESTED_PROMPTS_TITLE,
        prompts: SUGGESTED_PROMPTS.map((prompt) => ({ ...prompt })),
      }),
    undefined,
    3,
  );
}

async function quietly(logger: Logger, method: string, call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (error) {
    logger.warn({ err: error, slackError: slackErrorCode(error), method }, 'assistant thread call failed; answering anyway');
  }
}
