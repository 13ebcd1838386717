import { describe, expect, it } from 'vitest';
import { buildConversation, compareTs, estimateTokens, stripMention, TRUNCATION_NOTE, type ThreadMessage } from '../../src/core/conversation.js';

const BOT = 'UBOT';
const base = { botUserId: BOT, botId: 'BBOT', tokenBudget: 10_000, maxMessageChars: 5000 };

function user(ts: string, userId: string, text: string): ThreadMessage {
  return { ts, user: userId, text };
}
function bot(ts: string, text: string, kind: ThreadMessage['kind'] = 'answer'): ThreadMessage {
  return { ts, user: BOT, botId: 'BBOT', text, kind };
}

describe('buildConversation', () => {
  it('turns people into user turns named by mention and the bot into assistant turns', () => {
    const thread = [user('1.000001', 'UALICE', `<@${BOT}> How do I set up ECS?`), bot('1.000002', 'Use a cluster.'), user('1.000003', 'UALICE', `<@${BOT}> and Fargate?`)];
    const { turns } = buildConversation(thread, { ...base, questionTs: '1.000003' });
    expect(turns).toEqual([
      { role: 'user', content: '<@UALICE>: How do I set up ECS?' },
      { role: 'assistant', content: 'Use a cluster.' },
      { role: 'user', content: '<@UALICE>: and Fargate?' },
    ]);
  });

  it('merges consecutive turns of one role and tells people apart', () => {
    const thread = [user('1.1', 'UALICE', 'We run EKS.'), user('1.2', 'UBOB', `<@${BOT}> should we move to ECS?`)];
    const { turns } = buildConversation(thread, { ...base, questionTs: '1.2' });
    expect(turns).toEqual([{ role: 'user', content: '<@UALICE>: We run EKS.\n\n<@UBOB>: should we move to ECS?' }]);
  });

  it('starts with a user turn even when the thread starts with the bot', () => {
    const thread = [bot('1.1', 'Hello! Ask me about AWS.'), user('1.2', 'UALICE', 'What is S3?')];
    const { turns } = buildConversation(thread, { ...base, questionTs: '1.2' });
    expect(turns[0]?.role).toBe('user');
    expect(turns).toHaveLength(1);
  });

  it('leaves out placeholders, notices, later messages, other bots and edits', () => {
    const thread = [
      user('1.1', 'UALICE', 'What is IAM?'),
      bot('1.2', 'Thinking…'),
      bot('1.3', 'I can only read text.', 'notice'),
      { ts: '1.4', botId: 'BOTHER', text: 'deploy finished', subtype: 'bot_message' },
      { ts: '1.5', user: 'UALICE', text: 'edited', subtype: 'message_changed' },
      user('1.9', 'UALICE', 'a later question'),
    ];
    const { turns } = buildConversation(thread, { ...base, questionTs: '1.1', excludeTs: new Set(['1.2']) });
    expect(turns).toEqual([{ role: 'user', content: '<@UALICE>: What is IAM?' }]);
  });

  it('reads /aws question posts as the asker speaking', () => {
    const thread: ThreadMessage[] = [{ ts: '1.1', user: BOT, botId: 'BBOT', kind: 'question', askedBy: 'UCAROL', text: '*<@UCAROL> asked:* What is a VPC?' }];
    const { turns } = buildConversation(thread, { ...base, questionTs: '1.1' });
    expect(turns).toEqual([{ role: 'user', content: '<@UCAROL>: What is a VPC?' }]);
  });

  it('keeps the newest turns when the thread exceeds the token budget', () => {
    const long = 'x'.repeat(900);
    const thread = [user('1.1', 'UA', `old ${long}`), bot('1.2', `old answer ${long}`), user('1.3', 'UA', `recent ${long}`), bot('1.4', `recent answer ${long}`), user('1.5', 'UA', 'newest question')];
    const { turns, omittedMessages } = buildConversation(thread, { ...base, questionTs: '1.5', tokenBudget: estimateTokens(`recent answer ${long}`) * 2 + 20 });
    expect(omittedMessages).toBe(2);
    expect(turns[0]?.role).toBe('user');
    expect(turns[0]?.content).toContain('2 earlier messages of this thread left out');
    expect(turns[0]?.content).toContain('recent x');
    expect(turns.at(-1)?.content).toBe('<@UA>: newest question');
  });

  it('always keeps the question, shortened with a visible note when it is huge', () => {
    const huge = 'y'.repeat(20_000);
    const { turns, questionTruncated } = buildConversation([user('1.1', 'UA', huge)], { ...base, questionTs: '1.1', tokenBudget: 100, maxMessageChars: 1000 });
    expect(questionTruncated).toBe(true);
    expect(turns).toHaveLength(1);
    expect(turns[0]!.content.length).toBeLessThan(1100);
    expect(turns[0]!.content).toContain(TRUNCATION_NOTE);
  });

  it('notes a file shared without text', () => {
    const { turns } = buildConversation([{ ts: '1.1', user: 'UA', text: '', hasFiles: true }], { ...base, questionTs: '1.1' });
    expect(turns[0]?.content).toBe('<@UA>: [shared a file; only text is read]');
  });
});

describe('stripMention', () => {
  it('removes the bot mention in both forms and tidies spaces', () => {
    expect(stripMention(`<@${BOT}>  what is   S3?`, BOT)).toBe('what is S3?');
    expect(stripMention(`hey <@${BOT}|aws-orchestrator> help`, BOT)).toBe('hey help');
    expect(stripMention('<@UOTHER> hi', BOT)).toBe('<@UOTHER> hi');
    expect(stripMention(`<@${BOT}>`, BOT)).toBe('');
  });
});

describe('compareTs', () => {
  it('orders Slack timestamps by seconds then micros, not as floats', () => {
    expect(compareTs('1700000000.000100', '1700000000.000099')).toBeGreaterThan(0);
    expect(compareTs('1700000000.5', '1700000000.400000')).toBeGreaterThan(0);
    expect(compareTs('1700000001.000000', '1700000000.999999')).toBeGreaterThan(0);
    expect(compareTs('1.1', '1.1')).toBe(0);
  });
});
