import type { App, BlockAction, BlockButtonAction, FeedbackButtonsAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { ACTIONS, parseFeedbackButtonValue } from '../../../core/answer-blocks.js';
import type { RedisClient } from '../../../ops/redis.js';
import type { RedisKeys } from '../../../ops/redis-keys.js';
import type { FeedbackStore, Vote, VoteChange } from '../../../usage/feedback-store.js';
import { answerOrExpired, readAnswerClick, tellClicker, type AnswerButtonDeps } from './answer-buttons.js';

/**
 * 👍/👎 on a finished answer, from Slack's native feedback_buttons (their value is the vote and
 * the answer's question job id) or from the 👍/👎 buttons of the controls row (their value is the
 * job id; answers posted before the native buttons carry only those). Both count in one store:
 * the vote is recorded at once (one small Redis script, well within Slack's 3 seconds) and
 * thanked privately. One vote per person and answer; pressing the other button changes it.
 * Anyone in the conversation may vote on an answer of that conversation; a vote on anything else
 * (answer-buttons.ts) counts nowhere.
 */
export interface FeedbackListenerDeps extends AnswerButtonDeps {
  feedback?: FeedbackStore;
  redis: RedisClient;
  keys: RedisKeys;
  /** Told of every vote that changed something (metrics). */
  onVote?: (vote: Vote) => void;
}

const VOTES: Array<[actionId: string, vote: Vote]> = [
  [ACTIONS.feedbackUp, 'up'],
  [ACTIONS.feedbackDown, 'down'],
];

function thanksText(change: VoteChange): string {
  const emoji = change.current === 'up' ? '👍' : '👎';
  if (change.previous === change.current) return `You already gave this answer a ${emoji}. Thanks!`;
  if (change.previous) return `Changed your vote on this answer to ${emoji}. Thanks!`;
  return change.current === 'up' ? 'Thanks for the 👍! Glad it helped.' : 'Thanks for the 👎. It helps us see which answers miss the mark.';
}

interface VoteRequest {
  body: BlockAction;
  client: WebClient;
  jobId: string | undefined;
  vote: Vote;
}

export function registerFeedback(app: App, deps: FeedbackListenerDeps): void {
  for (const [actionId, vote] of VOTES) {
    app.action<BlockButtonAction>(actionId, async ({ ack, action, body, client }) => {
      await ack();
      await recordVote({ body, client, jobId: action.value, vote }, deps);
    });
  }
  app.action<BlockAction<FeedbackButtonsAction>>({ type: 'block_actions', action_id: ACTIONS.feedback }, async ({ ack, action, body, client }) => {
    await ack();
    const pressed = parseFeedbackButtonValue(action.value);
    if (!pressed) {
      deps.logger.warn({ value: action.value }, 'feedback button with a value this bot did not write');
      return;
    }
    await recordVote({ body, client, jobId: pressed.jobId, vote: pressed.vote }, deps);
  });
}

async function recordVote({ body, client, jobId: value, vote }: VoteRequest, deps: FeedbackListenerDeps): Promise<void> {
  const feedback = deps.feedback;
  if (!feedback) return;
  const click = readAnswerClick(vote === 'up' ? ACTIONS.feedbackUp : ACTIONS.feedbackDown, body, value, deps.logger);
  if (!click) return;
  const { teamId, jobId, userId } = click;
  let text: string;
  try {
    if (!(await answerOrExpired(click, deps))) return;
    const change = await feedback.vote({ teamId, jobId, userId, vote });
    if (change.previous !== change.current) deps.onVote?.(vote);
    deps.logger.info({ jobId, vote, previous: change.previous, user: userId }, 'feedback recorded');
    text = thanksText(change);
  } catch (error) {
    deps.logger.error({ err: error, jobId }, 'could not record feedback');
    text = ":warning: I couldn't record your feedback just now: my storage is unavailable. Please try again in a minute.";
  }
  await tellClicker(client, click, text, deps);
}
