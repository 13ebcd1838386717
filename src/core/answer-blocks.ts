import { splitForSlack } from './split-message.js';

/**
 * The Block Kit layout of an answer message: the text in mrkdwn sections (Slack caps a section's
 * text at 3,000 characters) followed by the controls that fit the answer's state. Pure.
 */
export const ACTIONS = {
  stop: 'answer_stop',
  retry: 'answer_retry',
  continue: 'answer_continue',
  feedbackUp: 'answer_feedback_up',
  feedbackDown: 'answer_feedback_down',
} as const;

export type AnswerState = 'thinking' | 'streaming' | 'done' | 'truncated' | 'stopped' | 'failed' | 'notice';

/** Slack's limit on the text of one section block. */
const SECTION_LIMIT = 3000;

export interface SlackBlock {
  type: string;
  [field: string]: unknown;
}

export interface AnswerBlocksInput {
  /** The answer (or this message's part of it), already in Slack mrkdwn. */
  mrkdwn: string;
  state: AnswerState;
  /** Carried in button values so that any web process can find the job again. */
  jobId: string;
  /** A line under the text: "answered from cache", "stopped", usage… */
  footnote?: string;
  /** Only the last message of a long answer carries the controls. */
  withControls?: boolean;
}

export function answerBlocks(input: AnswerBlocksInput): SlackBlock[] {
  const blocks: SlackBlock[] = sectionsOf(input.mrkdwn).map((text) => ({ type: 'section', text: { type: 'mrkdwn', text } }));
  if (input.footnote) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: input.footnote }] });
  const buttons = input.withControls === false ? [] : controlsFor(input.state, input.jobId);
  if (buttons.length > 0) blocks.push({ type: 'actions', block_id: 'answer_controls', elements: buttons });
  return blocks;
}

function controlsFor(state: AnswerState, jobId: string): SlackBlock[] {
  switch (state) {
    case 'thinking':
    case 'streaming':
      return [button(ACTIONS.stop, 'Stop', jobId, 'danger')];
    case 'done':
    case 'stopped':
      return [button(ACTIONS.feedbackUp, '👍', jobId), button(ACTIONS.feedbackDown, '👎', jobId)];
    case 'truncated':
      return [button(ACTIONS.continue, 'Continue', jobId, 'primary'), button(ACTIONS.feedbackUp, '👍', jobId), button(ACTIONS.feedbackDown, '👎', jobId)];
    case 'failed':
      return [button(ACTIONS.retry, 'Retry', jobId, 'primary')];
    case 'notice':
      return [];
  }
}

function button(actionId: string, label: string, value: string, style?: 'primary' | 'danger'): SlackBlock {
  return { type: 'button', action_id: actionId, text: { type: 'plain_text', text: label, emoji: true }, value, ...(style ? { style } : {}) };
}

/** Sections never cut a code block open: splitForSlack closes and reopens fences. */
function sectionsOf(mrkdwn: string): string[] {
  return mrkdwn.trim().length > 0 ? splitForSlack(mrkdwn, SECTION_LIMIT) : [' '];
}
