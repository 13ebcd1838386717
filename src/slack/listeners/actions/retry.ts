import type { App, BlockButtonAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { LostJobRecords } from '../../../answer/lost-jobs.js';
import { ACTIONS } from '../../../core/answer-blocks.js';
import type { RedisClient } from '../../../ops/redis.js';
import type { RedisKeys } from '../../../ops/redis-keys.js';
import { answerJobOf, belongsTo, logRefusal, readAnswerClick, refuseUnlessController, tellClicker, type AnswerButtonDeps, type AnswerClick } from './answer-buttons.js';

/**
 * Retry on an answer that failed for good: the same job (same question, same message) runs
 * again. Failed jobs are kept for a week for this (queue/producer.ts). An answer whose job
 * vanished with Redis's data was kept as a record by the worker (answer/lost-jobs.ts): it is
 * queued again under its own id. Only the person who asked, or an admin, may retry
 * (answer-buttons.ts).
 */
export interface RetryListenerDeps extends AnswerButtonDeps {
  redis: RedisClient;
  keys: RedisKeys;
}

const TOO_OLD_TEXT = 'That question is too old to retry; please ask it again.';
const ALREADY_TEXT = 'That answer is already being retried.';

export function registerRetry(app: App, deps: RetryListenerDeps): void {
  app.action<BlockButtonAction>(ACTIONS.retry, async ({ ack, action, body, client }) => {
    await ack();
    const click = readAnswerClick(ACTIONS.retry, body, action.value, deps.logger);
    if (!click) return;
    try {
      const answer = await answerJobOf(click, deps);
      if (answer === 'elsewhere') return;
      if (answer === 'missing') {
        await retryLost(click, client, deps);
        return;
      }
      if (await refuseUnlessController(click, answer.data.userId, 'retry', client, deps)) return;
      if (answer.state !== 'failed') {
        await tellClicker(client, click, ALREADY_TEXT, deps);
        return;
      }
      await answer.job.retry('failed');
      deps.logger.info({ jobId: click.jobId, user: click.userId }, 'answer retried on request');
    } catch (error) {
      deps.logger.error({ err: error, jobId: click.jobId }, 'could not retry the answer');
      await tellClicker(client, click, ":warning: I couldn't retry that answer: my job queue is unavailable. Please try again in a minute.", deps);
    }
  });
}

async function retryLost(click: AnswerClick, client: WebClient, deps: RetryListenerDeps): Promise<void> {
  const records = new LostJobRecords(deps.redis, deps.keys);
  const question = await records.load(click.jobId);
  if (!question || !belongsTo(question, click)) {
    logRefusal(deps.logger, click, 'no such answer here', click.jobId);
    await tellClicker(client, click, TOO_OLD_TEXT, deps);
    return;
  }
  if (await refuseUnlessController(click, question.userId, 'retry', client, deps)) return;
  // Its message ids come along: the answer is written in the message that shows the failure.
  const result = await deps.queue.enqueue(click.jobId, { ...question, receivedAt: Date.now() });
  if (result === 'duplicate') {
    await tellClicker(client, click, ALREADY_TEXT, deps);
    return;
  }
  await records.forget(click.jobId);
  deps.logger.info({ jobId: click.jobId, user: click.userId }, 'lost answer queued again on request');
}
