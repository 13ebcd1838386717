import type { App, BlockButtonAction } from '@slack/bolt';
import type { RedisClient } from '../../../ops/redis.js';
import { ACTIONS } from '../../../core/answer-blocks.js';
import type { RedisKeys } from '../../../ops/redis-keys.js';
import { requestStop } from '../../../answer/stop-requests.js';
import { STILL_PENDING } from '../../../queue/thread-order.js';
import { answerJobOf, logRefusal, readAnswerClick, refuseUnlessController, tellClicker, type AnswerButtonDeps } from './answer-buttons.js';

/**
 * Stop on an answer being written: the worker writing it (whichever process that is) cancels the
 * model stream and finishes the message with what was written, marked as stopped. Only the
 * person who asked, or an admin, may stop it (answer-buttons.ts); the answer's job must exist
 * here and still be waiting or running.
 */
export interface StopListenerDeps extends AnswerButtonDeps {
  redis: RedisClient;
  keys: RedisKeys;
}

export function registerStop(app: App, deps: StopListenerDeps): void {
  app.action<BlockButtonAction>(ACTIONS.stop, async ({ ack, action, body, client }) => {
    await ack();
    const click = readAnswerClick(ACTIONS.stop, body, action.value, deps.logger);
    if (!click) return;
    try {
      const answer = await answerJobOf(click, deps);
      if (answer === 'elsewhere') return;
      if (answer === 'missing') {
        logRefusal(deps.logger, click, 'no such answer here', click.jobId);
        return;
      }
      if (await refuseUnlessController(click, answer.data.userId, 'stop', client, deps)) return;
      if (!STILL_PENDING.has(answer.state)) {
        deps.logger.info({ jobId: click.jobId, state: answer.state, user: click.userId }, 'stop pressed on a finished answer');
        return;
      }
      await requestStop(deps.redis, deps.keys, click.jobId);
      deps.logger.info({ jobId: click.jobId, user: click.userId }, 'stop requested');
    } catch (error) {
      deps.logger.error({ err: error, jobId: click.jobId }, 'could not pass the stop request on');
      // Only the queue being down keeps Stop from working: say so, through Slack, which needs no Redis.
      await tellClicker(client, click, ":warning: I couldn't stop that answer: my job queue is unavailable.", deps);
    }
  });
}
