import type { App, MessageShortcut } from '@slack/bolt';
import { composeJobId, questionJobId } from '../../../core/job-ids.js';
import type { NoticeJob, QuestionJob } from '../../../core/jobs.js';
import { ALREADY_ANSWERED_TEXT, messageAuthor, messageSubjectText, NO_TEXT_TEXT, OWN_MESSAGE_TEXT, SUBJECT_SECRET_TEXT, type StoredMessage } from '../../../core/message-subject.js';
import { maskQuestion } from '../../secret-warning.js';
import { postToResponseUrl } from '../../../publish/response-url.js';
import { QUEUE_DOWN_TEXT, type IntakeDeps } from '../../intake.js';

/**
 * The message shortcut "Ask aws-orchestrator": on any message (an alarm another app posted, a
 * teammate's stack trace), the message becomes a question answered in its thread, naming who
 * asked. This is the one way the bot answers another bot's message. The question job's id is the
 * message's, as for a mention: a message is answered once, however many people choose the
 * shortcut on it (or Slack delivers it twice); later askers are told privately that the answer is
 * in the thread, where a reply continues the conversation. A question that could not be answered
 * at all (the bot was not in the channel) runs again for whoever chooses the shortcut next.
 * Everything the person is told goes through the shortcut's response_url, which works in
 * conversations the bot cannot post in.
 */
export const ASK_ABOUT_MESSAGE = 'ask_about_message';

export type ShortcutListenerDeps = IntakeDeps;

type ShortcutMessage = MessageShortcut['message'] & StoredMessage & { thread_ts?: string; bot_id?: string };

export function registerAskAboutMessage(app: App, deps: ShortcutListenerDeps): void {
  app.shortcut({ type: 'message_action', callback_id: ASK_ABOUT_MESSAGE }, async ({ ack, shortcut, context }) => {
    await ack();
    await takeShortcut(shortcut, { botUserId: context.botUserId, botId: context.botId, teamId: context.teamId }, deps);
  });
}

interface BotIdentity {
  botUserId: string | undefined;
  botId: string | undefined;
  teamId: string | undefined;
}

async function takeShortcut(shortcut: MessageShortcut, bot: BotIdentity, deps: ShortcutListenerDeps): Promise<void> {
  const message = shortcut.message as ShortcutMessage;
  const teamId = shortcut.team?.id ?? shortcut.user.team_id ?? bot.teamId;
  const asker = shortcut.user.id;
  const channel = shortcut.channel.id;
  if (!teamId) return;
  const tell = (purpose: string, text: string) => tellPrivately(shortcut, teamId, purpose, text, deps);

  if (message.user === bot.botUserId || (bot.botId !== undefined && message.bot_id === bot.botId)) {
    await tell('own', OWN_MESSAGE_TEXT);
    return;
  }
  const subject = messageSubjectText(message);
  if (subject.length === 0) {
    await tell('notext', NO_TEXT_TEXT);
    return;
  }

  // The job (stored in Redis, logged, sent to the model) only ever holds what is read of it, masked.
  const masked = maskQuestion(subject, deps.maxQuestionChars);
  const job: QuestionJob = {
    kind: 'question',
    source: 'shortcut',
    teamId,
    channel,
    threadTs: message.thread_ts ?? message.ts,
    messageTs: message.ts,
    userId: asker,
    text: masked.text,
    responseUrl: shortcut.response_url,
    subjectAuthor: messageAuthor(message),
    receivedAt: Date.now(),
  };
  const jobId = questionJobId(teamId, channel, message.ts);
  let result: 'queued' | 'duplicate' | 'ran-again';
  try {
    result = await deps.queue.enqueue(jobId, job);
    if (result === 'duplicate' && (await runAgainIfUnanswered(jobId, job, deps))) result = 'ran-again';
  } catch (error) {
    deps.logger.error({ err: error, jobId }, 'could not queue the question');
    await postToResponseUrl(shortcut.response_url, { text: QUEUE_DOWN_TEXT }).catch((notifyError: unknown) =>
      deps.logger.error({ err: notifyError }, 'could not tell the user the queue is down'),
    );
    return;
  }
  deps.logger.info({ jobId, kind: 'question', source: 'shortcut', result, user: asker }, result === 'duplicate' ? 'duplicate delivery ignored' : 'question queued');
  if (result === 'duplicate') {
    await tell('already', ALREADY_ANSWERED_TEXT);
    return;
  }
  if (masked.found.length > 0) {
    deps.logger.warn({ questionJobId: jobId, kinds: masked.found }, 'a message asked about contained credentials; masked, and the asker is warned');
    await tell('secret', SUBJECT_SECRET_TEXT);
  }
}

/**
 * A question on this message that failed before anything was posted (the bot was not in the
 * channel then) runs again, for the person asking now; any other existing job is the answer.
 */
async function runAgainIfUnanswered(jobId: string, job: QuestionJob, deps: ShortcutListenerDeps): Promise<boolean> {
  const existing = await deps.queue.lookup(jobId);
  const data = existing?.job.data;
  if (!existing || data?.kind !== 'question' || data.answerTs || existing.state !== 'failed') return false;
  try {
    await existing.job.updateData(job);
    await existing.job.retry('failed');
    return true;
  } catch (error) {
    // Someone else's choice of the shortcut got there first.
    deps.logger.info({ err: error, jobId }, 'the question is already being asked again');
    return false;
  }
}

/** Queued like any notice: listeners do not write to Slack. One per choice of the shortcut and purpose. */
async function tellPrivately(shortcut: MessageShortcut, teamId: string, purpose: string, text: string, deps: ShortcutListenerDeps): Promise<void> {
  const notice: NoticeJob = {
    kind: 'notice',
    teamId,
    channel: shortcut.channel.id,
    userId: shortcut.user.id,
    text,
    ephemeral: true,
    responseUrl: shortcut.response_url,
    receivedAt: Date.now(),
  };
  try {
    await deps.queue.enqueue(composeJobId('shortcutnote', teamId, shortcut.trigger_id, purpose), notice);
  } catch (error) {
    deps.logger.error({ err: error }, 'could not queue a note about the shortcut');
  }
}
