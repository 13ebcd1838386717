import { escapeSlackText } from './slack-format.js';
import { splitForSlack } from './split-message.js';

/**
 * The Block Kit layout of an answer message: the steps being taken (tool calls) in a context line
 * above, the text in mrkdwn sections (Slack caps a section's text at 3,000 characters), the
 * sources and footnote in context lines below, then the controls that fit the answer's state, and
 * on a finished answer Slack's own 👍/👎 (a `feedback_buttons` element in a `context_actions` block;
 * the old 👍/👎 buttons' action ids stay for answers posted before it). Pure.
 */
export const ACTIONS = {
  stop: 'answer_stop',
  retry: 'answer_retry',
  continue: 'answer_continue',
  feedbackUp: 'answer_feedback_up',
  feedbackDown: 'answer_feedback_down',
  /** Slack's native feedback_buttons element: the pressed button's value says which vote. */
  feedback: 'answer_feedback',
} as const;

export type FeedbackVote = 'up' | 'down';

export type AnswerState = 'thinking' | 'streaming' | 'done' | 'truncated' | 'stopped' | 'failed' | 'refused' | 'notice';

/** A tool call as shown under way (the model loop's Step, without depending on it). */
export interface StepLine {
  title: string;
  status: 'in_progress' | 'complete' | 'error';
}

export interface SourceLink {
  url: string;
  title: string;
}

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
  /** Tool calls under way or done, shown above the text while the answer is written. */
  steps?: readonly StepLine[];
  /** Pages the answer relied on, listed under it. */
  sources?: readonly SourceLink[];
}

/** Slack's limit on one text element of a context block. */
const CONTEXT_TEXT_LIMIT = 3000;
const STEP_MARKS: Record<StepLine['status'], string> = { in_progress: ':hourglass_flowing_sand:', complete: ':white_check_mark:', error: ':warning:' };

export function answerBlocks(input: AnswerBlocksInput): SlackBlock[] {
  const blocks: SlackBlock[] = [];
  if (input.steps && input.steps.length > 0) blocks.push(contextBlock(stepsText(input.steps)));
  blocks.push(...sectionsOf(input.mrkdwn).map((text) => ({ type: 'section', text: { type: 'mrkdwn', text } })));
  if (input.sources && input.sources.length > 0) blocks.push(contextBlock(sourcesText(input.sources)));
  if (input.footnote) blocks.push(contextBlock(input.footnote));
  const buttons = input.withControls === false ? [] : controlsFor(input.state, input.jobId);
  if (buttons.length > 0) blocks.push({ type: 'actions', block_id: 'answer_controls', elements: buttons });
  if (input.withControls !== false && takesFeedback(input.state)) blocks.push(nativeFeedback(input.jobId));
  return blocks;
}

function takesFeedback(state: AnswerState): boolean {
  return state === 'done' || state === 'stopped' || state === 'truncated';
}

function nativeFeedback(jobId: string): SlackBlock {
  const choice = (vote: FeedbackVote, emoji: string, label: string) => ({ text: { type: 'plain_text', text: emoji }, value: feedbackButtonValue(vote, jobId), accessibility_label: label });
  return {
    type: 'context_actions',
    elements: [
      {
        type: 'feedback_buttons',
        action_id: ACTIONS.feedback,
        positive_button: choice('up', '👍', 'This answer helped'),
        negative_button: choice('down', '👎', 'This answer missed the mark'),
      },
    ],
  };
}

/** A native feedback button's value: the vote, then the answer's question job id (BullMQ ids hold no ':'). */
export function feedbackButtonValue(vote: FeedbackVote, jobId: string): string {
  return `${vote}:${jobId}`;
}

export function parseFeedbackButtonValue(value: string | undefined): { vote: FeedbackVote; jobId: string } | undefined {
  const match = /^(up|down):(.+)$/s.exec(value ?? '');
  return match ? { vote: match[1] as FeedbackVote, jobId: match[2]! } : undefined;
}

function controlsFor(state: AnswerState, jobId: string): SlackBlock[] {
  switch (state) {
    case 'thinking':
    case 'streaming':
      return [button(ACTIONS.stop, 'Stop', jobId, 'danger')];
    case 'truncated':
      return [button(ACTIONS.continue, 'Continue', jobId, 'primary')];
    case 'failed':
      return [button(ACTIONS.retry, 'Retry', jobId, 'primary')];
    // 👍/👎 on a finished answer are Slack's own feedback buttons, outside the controls row.
    case 'done':
    case 'stopped':
    case 'refused':
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

function contextBlock(mrkdwn: string): SlackBlock {
  const text = mrkdwn.length > CONTEXT_TEXT_LIMIT ? `${mrkdwn.slice(0, CONTEXT_TEXT_LIMIT - 1)}…` : mrkdwn;
  return { type: 'context', elements: [{ type: 'mrkdwn', text }] };
}

/** The steps of an answer on one line, the newest last: "✅ Searching AWS docs: … · ⏳ Reading: …". */
export function stepsText(steps: readonly StepLine[]): string {
  return steps.map((step) => `${STEP_MARKS[step.status]} ${escapeSlackText(step.title)}`).join('  ·  ');
}

export function sourcesText(sources: readonly SourceLink[]): string {
  const links = sources.map((source) => `<${source.url.replace(/[<>|]/g, encodeURIComponent)}|${escapeSlackText(source.title).replace(/\|/g, '¦')}>`);
  return `*Sources:* ${links.join('  ·  ')}`;
}
