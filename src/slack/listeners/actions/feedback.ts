import type { App, BlockButtonAction } from '@slack/bolt';
import { ACTIONS } from '../../../core/answer-blocks.js';
import type { Logger } from '../../../ops/logger.js';
import type { FeedbackStore, Vote, VoteChange } from '../../../usage/feedback-store.js';

/**
 * 👍/👎 on a finished answer (the button's value is the answer's question job id): the vote is
 * recorded at once (one small Redis script, well within Slack's 3 seconds) and thanked privately.
 * One vote per person and answer; pressing the other button changes it.
 */
export interface FeedbackListenerDeps {
  feedback?: FeedbackStore;
  logger: Logger;
  /** Told of every vote that changed something (metrics). */
  onVote?: (vote: Vote) => void;
}

const VOTES: Array<[actionId: string, vote: Vote]> = [
  [ACTIONS.feedbackUp, 'up'],
  [ACTIONS.feedbackDown, 'down'],
];

export function thanksText(change: VoteChange): string {
  const emoji = change.current === 'up' ? '👍' : '👎';
  if (change.previous === change.current) return `You already gave this answer a ${emoji}. Thanks!`;
  if (change.previous) return `Changed your vote on this answer to ${emoji}. Thanks!`;
  return change.current === 'up' ? 'Thanks for the 👍! Glad it helped.' : 'Thanks for the 👎. It helps us see which answers miss the mark.';
}

export function registerFeedback(app: App, deps: FeedbackListenerDeps): void {
  for (const [actionId, vote] of VOTES) {
    app.action<BlockButtonAction>(actionId, async ({ ack, action, body, client }) => {
      await ack();
      const jobId = action.value;
      const teamId = body.team?.id ?? body.user.team_id;
      const channel = body.channel?.id;
      if (!jobId || !teamId || !deps.feedback) return;
      const thread = (body.message as { thread_ts?: string; ts?: string } | undefined) ?? {};
      let text: string;
      try {
        const change = await deps.feedback.vote({ teamId, jobId, userId: body.user.id, vote });
        if (change.previous !== change.current) deps.onVote?.(vote);
        deps.logger.info({ jobId, vote, previous: change.previous, user: body.user.id }, 'feedback recorded');
        text = thanksText(change);
      } catch (error) {
        deps.logger.error({ err: error, jobId }, 'could not record feedback');
        text = ":warning: I couldn't record your feedback just now: my storage is unavailable. Please try again in a minute.";
      }
      if (!channel) return;
      const threadTs = thread.thread_ts ?? thread.ts;
      await client.chat
        .postEphemeral({ channel, user: body.user.id, text, ...(threadTs ? { thread_ts: threadTs } : {}) })
        .catch((error: unknown) => deps.logger.warn({ err: error }, 'could not thank for feedback'));
    });
  }
}
