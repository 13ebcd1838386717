import { describe, expect, it } from 'vitest';
import { ACTIONS, answerBlocks, feedbackButtonValue, parseFeedbackButtonValue, type AnswerState, type SlackBlock } from '../../src/core/answer-blocks.js';
import { questionJobId } from '../../src/core/job-ids.js';
import { blockProblems } from '../fakes/slack-blocks.js';

const JOB = questionJobId('T0TEST', 'C0GENERAL', '1700000000.000100');

function nativeFeedbackOf(blocks: readonly SlackBlock[]): Record<string, unknown> | undefined {
  const block = blocks.find((candidate) => candidate.type === 'context_actions');
  return (block?.elements as Array<Record<string, unknown>> | undefined)?.find((element) => element.type === 'feedback_buttons');
}

describe("Slack's native feedback buttons on answers", () => {
  it('sit under a finished answer, after its controls, each button carrying its vote and the answer’s job', () => {
    for (const state of ['done', 'stopped', 'truncated'] as const) {
      const blocks = answerBlocks({ mrkdwn: 'Use Fargate.', state, jobId: JOB });
      expect(blocks.at(-1)!.type).toBe('context_actions');
      expect(blockProblems(blocks, '/blocks')).toEqual([]);
      const buttons = nativeFeedbackOf(blocks)!;
      expect(buttons.action_id).toBe(ACTIONS.feedback);
      const positive = buttons.positive_button as { value: string; text: { text: string } };
      const negative = buttons.negative_button as { value: string; text: { text: string } };
      expect([positive.text.text, negative.text.text]).toEqual(['👍', '👎']);
      expect(parseFeedbackButtonValue(positive.value)).toEqual({ vote: 'up', jobId: JOB });
      expect(parseFeedbackButtonValue(negative.value)).toEqual({ vote: 'down', jobId: JOB });
    }
  });

  it('replace the 👍/👎 buttons of the controls row: a finished answer carries one set, the native one', () => {
    expect(answerBlocks({ mrkdwn: 'Use Fargate.', state: 'done', jobId: JOB }).find((block) => block.type === 'actions')).toBeUndefined();
    const cut = answerBlocks({ mrkdwn: 'Use Fargate.', state: 'truncated', jobId: JOB });
    expect((cut.find((block) => block.type === 'actions')!.elements as Array<{ action_id: string }>).map((button) => button.action_id)).toEqual([ACTIONS.continue]);
  });

  it('are not offered while an answer is written, when it failed or was declined, on notices, or on all but the last part', () => {
    for (const state of ['thinking', 'streaming', 'failed', 'refused', 'notice'] as AnswerState[]) {
      expect(nativeFeedbackOf(answerBlocks({ mrkdwn: 'x', state, jobId: JOB }))).toBeUndefined();
    }
    expect(nativeFeedbackOf(answerBlocks({ mrkdwn: 'x', state: 'done', jobId: JOB, withControls: false }))).toBeUndefined();
  });

  it('read back only values the bot wrote', () => {
    expect(parseFeedbackButtonValue(feedbackButtonValue('down', 'q-T1-C1-1.2'))).toEqual({ vote: 'down', jobId: 'q-T1-C1-1.2' });
    expect(parseFeedbackButtonValue('sideways:q-T1-C1-1.2')).toBeUndefined();
    expect(parseFeedbackButtonValue('up:')).toBeUndefined();
    expect(parseFeedbackButtonValue(undefined)).toBeUndefined();
  });
});
