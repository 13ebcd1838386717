import { describe, expect, it } from 'vitest';
import { toThreadMessage } from '../../src/answer/thread-reader.js';
import { buildConversation } from '../../src/core/conversation.js';

describe('reading a thread back', () => {
  it("reads another app's post from its attachments, names the app, and keeps it once someone asked about it", () => {
    const alarm = toThreadMessage({
      ts: '1700000000.000100',
      bot_id: 'B0CHATBOT',
      username: 'AWS Chatbot',
      text: '',
      attachments: [{ title: 'ALARM: "checkout-5xx" in EU (Ireland)', text: 'Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0).' }],
    });
    expect(alarm).toMatchObject({ botId: 'B0CHATBOT', appName: 'AWS Chatbot' });
    expect(alarm!.text).toContain('checkout-5xx');
    expect(alarm!.text).toContain('Threshold Crossed');

    const answer = toThreadMessage({
      ts: '1700000001.000100',
      user: 'UBOT',
      bot_id: 'B0BOT',
      text: 'The 5xx rate of checkout crossed 5.',
      metadata: { event_type: 'aws_orchestrator_message', event_payload: { kind: 'answer', job: 'q-T1-C1-1700000000.000100' } },
    });
    expect(answer).toMatchObject({ kind: 'answer', answersTs: '1700000000.000100' });

    const followUp = { ts: '1700000002.000100', user: 'U0ALICE', text: 'Is it still firing?' };
    const conversation = buildConversation([alarm!, answer!, followUp], { botUserId: 'UBOT', botId: 'B0BOT', questionTs: followUp.ts, tokenBudget: 10_000, maxMessageChars: 10_000 });
    expect(conversation.turns[0]!.content).toContain('AWS Chatbot (an app)');
    expect(conversation.turns[0]!.content).toContain('checkout-5xx');
    expect(conversation.turns.map((turn) => turn.role)).toEqual(['user', 'assistant', 'user']);
  });
});
