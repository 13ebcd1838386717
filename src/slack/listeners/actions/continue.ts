import type { App, BlockButtonAction } from '@slack/bolt';
import { ACTIONS } from '../../../core/answer-blocks.js';
import { continueJobId, type QuestionSource } from '../../../core/jobs.js';
import type { IntakeDeps } from '../../intake.js';

/**
 * Continue on an answer cut at max_tokens (the button sits on its last message; its value is
 * the answer's job id): a new question job in the same thread whose model request asks to go on
 * from where the answer stopped, with the cut answer as context (core/continuation.ts). The
 * rest is posted as a new message in the thread. The job id is the cut message's, so pressing
 * twice continues once.
 */
const ALREADY_TEXT = 'That answer is already being continued.';
const QUEUE_DOWN_TEXT = ":warning: I can't continue that answer right now: my job queue is unavailable. Please try again in a minute.";

interface ButtonMessage {
  ts?: string;
  thread_ts?: string;
}

export function registerContinue(app: App, deps: IntakeDeps): void {
  app.action<BlockButtonAction>(ACTIONS.continue, async ({ ack, action, body, client }) => {
    await ack();
    const channel = body.channel?.id;
    const message = body.message as ButtonMessage | undefined;
    const teamId = body.team?.id ?? body.user.team_id;
    if (!channel || !message?.ts || !teamId) return;
    const tell = (text: string) =>
      client.chat
        .postEphemeral({ channel, user: body.user.id, text, thread_ts: message.thread_ts ?? message.ts })
        .catch((error: unknown) => deps.logger.warn({ err: error }, 'could not answer a Continue click'));
    try {
      const result = await deps.queue.enqueue(continueJobId(teamId, channel, message.ts), {
        kind: 'question',
        source: await sourceOf(deps, action.value),
        teamId,
        channel,
        threadTs: message.thread_ts ?? message.ts,
        messageTs: message.ts,
        userId: body.user.id,
        text: 'Continue',
        continueFromTs: message.ts,
        receivedAt: Date.now(),
      });
      deps.logger.info({ answerJobId: action.value, result, user: body.user.id }, 'continue requested');
      if (result === 'duplicate') await tell(ALREADY_TEXT);
    } catch (error) {
      deps.logger.error({ err: error }, 'could not queue Continue');
      await tell(QUEUE_DOWN_TEXT);
    }
  });
}

/** The continued answer keeps its question's source (the assistant panel shows its status line). */
async function sourceOf(deps: IntakeDeps, answerJobId: string | undefined): Promise<QuestionSource> {
  const job = answerJobId ? await deps.queue.queue.getJob(answerJobId).catch(() => undefined) : undefined;
  const data = job?.data;
  return data?.kind === 'question' ? data.source : 'thread-reply';
}
