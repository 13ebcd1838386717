import type { App, BlockButtonAction } from '@slack/bolt';
import type { RedisClient } from '../../../ops/redis.js';
import { ACTIONS } from '../../../core/answer-blocks.js';
import type { Logger } from '../../../ops/logger.js';
import type { RedisKeys } from '../../../ops/redis-keys.js';
import { requestStop } from '../../../answer/stop-requests.js';

/**
 * Stop on an answer being written: the worker writing it (whichever process that is) cancels the
 * model stream and finishes the message with what was written, marked as stopped. Anyone who can
 * see the answer may stop it, as anyone may ask the bot in that conversation.
 */
export interface StopListenerDeps {
  redis: RedisClient;
  keys: RedisKeys;
  logger: Logger;
}

export function registerStop(app: App, deps: StopListenerDeps): void {
  app.action<BlockButtonAction>(ACTIONS.stop, async ({ ack, action, body, client }) => {
    await ack();
    const jobId = action.value;
    if (!jobId) return;
    try {
      await requestStop(deps.redis, deps.keys, jobId);
      deps.logger.info({ jobId, user: body.user.id }, 'stop requested');
    } catch (error) {
      deps.logger.error({ err: error, jobId }, 'could not pass the stop request on');
      if (!body.channel?.id) return;
      // Only the queue being down keeps Stop from working: say so, through Slack, which needs no Redis.
      await client.chat
        .postEphemeral({ channel: body.channel.id, user: body.user.id, text: ":warning: I couldn't stop that answer: my job queue is unavailable." })
        .catch((notifyError: unknown) => deps.logger.error({ err: notifyError }, 'could not tell the user the queue is down'));
    }
  });
}
