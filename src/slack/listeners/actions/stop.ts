import type { App, BlockButtonAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { RedisClient } from '../../../ops/redis.js';
import { ACTIONS } from '../../../core/answer-blocks.js';
import type { RedisKeys } from '../../../ops/redis-keys.js';
import { requestStop } from '../../../answer/stop-requests.js';
import { answerJobOf, logRefusal, mayControl, onlyAskerText, readAnswerClick, type AnswerButtonDeps, type AnswerClick } from './answer-buttons.js';

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

const UNFINISHED = new Set(['active', 'waiting', 'delayed', 'prioritized', 'waiting-children']);

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
      if (!mayControl(click, answer.data.userId, deps)) {
        logRefusal(deps.logger, click, 'not allowed', click.jobId);
        await tell(client, click, onlyAskerText(answer.data.userId, 'stop'), deps);
        return;
      }
      if (!UNFINISHED.has(answer.state)) {
        deps.logger.info({ jobId: click.jobId, state: answer.state, user: click.userId }, 'stop pressed on a finished answer');
        return;
      }
      await requestStop(deps.redis, deps.keys, click.jobId);
      deps.logger.info({ jobId: click.jobId, user: click.userId }, 'stop requested');
    } catch (error) {
      deps.logger.error({ err: error, jobId: click.jobId }, 'could not pass the stop request on');
      // Only the queue being down keeps Stop from working: say so, through Slack, which needs no Redis.
      await tell(client, click, ":warning: I couldn't stop that answer: my job queue is unavailable.", deps);
    }
  });
}

async function tell(client: WebClient, click: AnswerClick, text: string, deps: StopListenerDeps): Promise<void> {
  await client.chat
    .postEphemeral({ channel: click.channel, user: click.userId, text, ...(click.threadTs ? { thread_ts: click.threadTs } : {}) })
    .catch((error: unknown) => deps.logger.warn({ err: error }, 'could not answer a Stop click'));
}
