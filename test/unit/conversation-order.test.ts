import { describe, expect, it } from 'vitest';
import { buildConversation, type ThreadMessage } from '../../src/core/conversation.js';
import { questionJobId, questionTsOfJobId } from '../../src/core/job-ids.js';

/** Answers posted after later questions were written still belong right after their question. */
const BOT = 'UBOT';
const options = (questionTs: string) => ({ botUserId: BOT, questionTs, tokenBudget: 10_000, maxMessageChars: 10_000 });

describe('questionTsOfJobId', () => {
  it('reads back the question ts of a question job id, and nothing from other ids', () => {
    expect(questionTsOfJobId(questionJobId('T0TEST', 'C0GENERAL', '1700000000.000100'))).toBe('1700000000.000100');
    expect(questionTsOfJobId(`${questionJobId('T0TEST', 'C0GENERAL', '1700000000.000100')}-notice`)).toBeUndefined();
    expect(questionTsOfJobId('continue-T0TEST-C0GENERAL-1700000000.000100')).toBeUndefined();
    expect(questionTsOfJobId('assistant-T0TEST-D0DM-1700000000.000100')).toBeUndefined();
  });
});

describe('buildConversation with answers that follow later questions', () => {
  // Two questions sent together: the first answer is posted after the second question.
  const thread: ThreadMessage[] = [
    { ts: '1700000000.000100', user: 'U0ALICE', text: `<@${BOT}> What is SQS?` },
    { ts: '1700000000.000200', user: 'U0ALICE', text: `<@${BOT}> And SNS?` },
    { ts: '1700000000.000300', user: BOT, kind: 'answer', answersTs: '1700000000.000100', text: 'A queue.' },
    { ts: '1700000000.000400', user: BOT, kind: 'answer', answersTs: '1700000000.000200', text: 'Pub/sub.' },
    { ts: '1700000000.000500', user: 'U0ALICE', text: `<@${BOT}> Which for fan-out?` },
  ];

  it('gives the second question the first answer, right after the first question', () => {
    expect(buildConversation(thread, options('1700000000.000200')).turns).toEqual([
      { role: 'user', content: '<@U0ALICE>: What is SQS?' },
      { role: 'assistant', content: 'A queue.' },
      { role: 'user', content: '<@U0ALICE>: And SNS?' },
    ]);
  });

  it('keeps every answer after its own question for a later question', () => {
    expect(buildConversation(thread, options('1700000000.000500')).turns.map((turn) => turn.content)).toEqual([
      '<@U0ALICE>: What is SQS?',
      'A queue.',
      '<@U0ALICE>: And SNS?',
      'Pub/sub.',
      '<@U0ALICE>: Which for fan-out?',
    ]);
  });

  it('never gives a question its own earlier answer nor answers to later questions', () => {
    expect(buildConversation(thread, options('1700000000.000100')).turns).toEqual([{ role: 'user', content: '<@U0ALICE>: What is SQS?' }]);
  });
});
