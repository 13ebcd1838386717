import type { App, BlockButtonAction } from '@slack/bolt';
import { ACTIONS } from '../../../core/answer-blocks.js';
import type { IntakeDeps } from '../../intake.js';

/**
 * Retry on an answer that failed for good: the same job (same question, same message) runs
 * again. Failed jobs are kept for a week for this (queue/producer.ts).
 */
export function registerRetry(app: App, deps: IntakeDeps): void {
  app.action<BlockButtonAction>(ACTIONS.retry, async ({ ack, action, body, client }) => {
    await ack();
    const job = await deps.queue.queue.getJob(action.value ?? '');
    const state = await job?.getState();
    if (job && state === 'failed') {
      await job.retry('failed');
      deps.logger.info({ jobId: job.id, user: body.user.id }, 'answer retried on request');
      return;
    }
    if (body.channel?.id) {
      await client.chat.postEphemeral({
        channel: body.channel.id,
        user: body.user.id,
        text: state ? 'That answer is already being retried.' : 'That question is too old to retry; please ask it again.',
      });
    }
  });
}
