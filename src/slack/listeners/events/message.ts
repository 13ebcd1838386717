import type { App } from '@slack/bolt';
import type { RedisClient } from '../../../ops/redis.js';
import type { RedisKeys } from '../../../ops/redis-keys.js';
import type { QuestionSource } from '../../../core/jobs.js';
import { questionFrom, takeQuestion, type IntakeDeps } from '../../intake.js';
import { maskQuestion, warnAboutSecrets } from '../../secret-warning.js';
import { isClaimedByAssistant } from '../assistant/claims.js';

export interface MessageListenerDeps extends IntakeDeps {
  redis: RedisClient;
  keys: RedisKeys;
}

/** Subtypes that are a person writing; edits, deletions, joins and bot posts are not questions. */
const QUESTION_SUBTYPES = new Set([undefined, 'file_share', 'thread_broadcast']);

export interface PlainMessage {
  subtype?: string;
  bot_id?: string;
  user?: string;
  text?: string;
  ts: string;
  thread_ts?: string;
  channel: string;
  channel_type?: string;
  files?: unknown[];
  team?: string;
}

/**
 * Every message the app can see. It answers top-level direct messages (in their thread; replies
 * there go to the Assistant listener); a mention that also arrives as
 * `app_mention` (same ts, so the same job: answered once); and replies in a thread the bot has
 * answered in, unless the reply is addressed to someone else. Such a reply is still read as
 * context by the next answer in the thread: whoever pasted credentials in it is warned, like an
 * asker.
 */
export function registerMessage(app: App, deps: MessageListenerDeps): void {
  app.event('message', async ({ event, context, client }) => {
    const message = event as unknown as PlainMessage;
    if (!QUESTION_SUBTYPES.has(message.subtype) || message.bot_id || !message.user || !context.botUserId) return;
    // Replies in DM threads are the Assistant listener's (Bolt hands them to it and not here);
    // skipping them here too keeps one owner per message whatever Bolt's routing does.
    if (isClaimedByAssistant(message)) return;
    const botUserId = context.botUserId;
    const teamId = context.teamId ?? message.team ?? '';
    const text = message.text ?? '';
    const reading = await readingOf(message, text, botUserId, teamId, deps);
    if (reading === 'context') {
      await warnIfSecrets(message, message.user, text, teamId, deps);
      return;
    }
    if (!reading) return;
    await takeQuestion(
      questionFrom({ ...message, user: message.user }, reading, teamId),
      botUserId,
      client,
      deps,
    );
  });
}

/** A question for the bot (its source), a reply the bot will read as context, or nothing for the bot. */
async function readingOf(message: PlainMessage, text: string, botUserId: string, teamId: string, deps: MessageListenerDeps): Promise<QuestionSource | 'context' | undefined> {
  if (message.channel_type === 'im') return 'dm';
  if (text.includes(`<@${botUserId}`)) return 'mention';
  if (!message.thread_ts || message.thread_ts === message.ts) return undefined;
  const joined = await deps.redis.exists(deps.keys.joinedThread(teamId, message.channel, message.thread_ts));
  if (!joined) return undefined;
  return addressedToSomeoneElse(text, botUserId) ? 'context' : 'thread-reply';
}

async function warnIfSecrets(message: PlainMessage, user: string, text: string, teamId: string, deps: MessageListenerDeps): Promise<void> {
  const masked = maskQuestion(text, deps.maxQuestionChars);
  if (masked.found.length === 0) return;
  await warnAboutSecrets({ teamId, channel: message.channel, userId: user, threadTs: message.thread_ts, messageTs: message.ts }, masked.found, deps);
}

/** "@alice what do you think?" in a thread the bot is in is for Alice, not for the bot. */
function addressedToSomeoneElse(text: string, botUserId: string): boolean {
  const leading = /^\s*<@([A-Z0-9]+)(?:\|[^>]*)?>/.exec(text);
  return leading !== null && leading[1] !== botUserId;
}
