import type { App, BlockButtonAction } from '@slack/bolt';
import { ACTIONS } from '../../../core/answer-blocks.js';
import { continueJobId } from '../../../core/job-ids.js';
import type { QuestionSource } from '../../../core/jobs.js';
import type { RedisClient } from '../../../ops/redis.js';
import type { RedisKeys } from '../../../ops/redis-keys.js';
import type { IntakeDeps } from '../../intake.js';
import { answerOrExpired, readAnswerClick, tellClicker, type AnswerButtonDeps } from './answer-buttons.js';

/**
 * Continue on an answer cut at max_tokens (the button sits on its last message; its value is
 * the answer's job id): a new question job in the same thread whose model request asks to go on
 * from where the answer stopped, with the cut answer as context (core/continuation.ts). The
 * rest is posted as a new message in the thread. The job id is the cut message's, so pressing
 * twice continues once. Anyone in the conversation may press it (answer-buttons.ts).
 */
export interface ContinueListenerDeps extends IntakeDeps, AnswerButtonDeps {
  redis: RedisClient;
  keys: RedisKeys;
}

const ALREADY_TEXT = 'That answer is already being continued.';
const QUEUE_DOWN_TEXT = ":warning: I can't continue that answer right now: my job queue is unavailable. Please try again in a minute.";

export function registerContinue(app: App, deps: ContinueListenerDeps): void {
  app.action<BlockButtonAction>(ACTIONS.continue, async ({ ack, action, body, client }) => {
    await ack();
    const click = readAnswerClick(ACTIONS.continue, body, action.value, deps.logger);
    if (!click?.messageTs) return;
    const answerTs = click.messageTs;
    const threadTs = click.threadTs ?? answerTs;
    // Unlike the other buttons' replies, this one always lands in a thread: the answer's own, if
    // Slack sent no thread.
    const tell = (text: string) => tellClicker(client, { ...click, threadTs }, text, deps);
    try {
      const answer = await answerOrExpired(click, deps);
      if (!answer) return;
      // The continued answer keeps its question's source (the assistant panel shows its status line).
      const source: QuestionSource = answer === 'expired' ? 'thread-reply' : answer.data.source;
      const result = await deps.queue.enqueue(continueJobId(click.teamId, click.channel, answerTs), {
        kind: 'question',
        source,
        teamId: click.teamId,
        channel: click.channel,
        threadTs,
        messageTs: answerTs,
        userId: click.userId,
        text: 'Continue',
        continueFromTs: answerTs,
        receivedAt: Date.now(),
      });
      deps.logger.info({ answerJobId: click.jobId, result, user: click.userId }, 'continue requested');
      if (result === 'duplicate') await tell(ALREADY_TEXT);
    } catch (error) {
      deps.logger.error({ err: error }, 'could not queue Continue');
      await tell(QUEUE_DOWN_TEXT);
    }
  });
}
