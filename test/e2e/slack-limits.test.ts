import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultResponder, lastUserText } from '../fakes/anthropic.js';
import { appMention, sendEvent, SIGNING_SECRET } from '../support/slack-requests.js';
import { botRepliesIn, buttonsOf, turnsOf } from './answer-checks.js';
import { BOT_USER, GENERAL, isFinal, startStack, type Stack } from './stack.js';

/**
 * Slack's side of answering: rate limits on writes and reads, and answers longer than one message.
 * (Many answers sharing one chat.update budget: slack-update-budget.test.ts.)
 */
const MAX_MESSAGE_CHARS = 1000;
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ env: { SLACK_MAX_MESSAGE_CHARS: String(MAX_MESSAGE_CHARS) } });
});
afterAll(async () => {
  await stack?.stop();
});

describe('Slack rate limits', () => {
  it('waits out a 429 with Retry-After on chat.update and still shows the final text', async () => {
    const answerText = 'Use S3 lifecycle rules to move old objects to Glacier and to expire incomplete multipart uploads.';
    stack.anthropic.enqueue({ text: answerText, chunkSize: 20, tokenDelayMs: 80 });
    const asked = await stack.mention(`<@${BOT_USER}> How do I cut S3 costs?`);
    // Slack refuses the next two updates of this workspace, asking to wait a second each time.
    stack.slack.failNext('chat.update', { status: 429, retryAfter: 1 }, 2);

    const answer = await stack.finalAnswer(asked);
    expect(answer.text).toBe(answerText);
    const updates = stack.slack.callsTo('chat.update').filter((call) => call.args.ts === answer.ts);
    const refused = updates.filter((call) => call.status === 429);
    expect(refused).toHaveLength(2);
    // The final update itself was refused once, and was sent again rather than dropped.
    expect(refused.some((call) => call.args.text === answerText)).toBe(true);
    const finalCall = updates.find((call) => call.ok && call.args.text === answerText)!;
    // Nothing was sent to Slack before the Retry-After of the last refusal had passed.
    expect(finalCall.at - refused.at(-1)!.at).toBeGreaterThanOrEqual(1000);
    for (const [index, call] of updates.entries()) {
      if (index > 0 && updates[index - 1]!.status === 429) expect(call.at - updates[index - 1]!.at).toBeGreaterThanOrEqual(1000);
    }
  });

  it('reads a busy thread once and reuses that read for the questions that follow it closely', async () => {
    const parent = await stack.mention(`<@${BOT_USER}> We are planning a data lake.`);
    stack.anthropic.enqueue({ text: 'Great, S3 plus Glue and Athena is the usual start.' });
    await stack.finalAnswer(parent);
    const readsBefore = stack.slack.callsTo('conversations.replies').length;

    // Three questions written together in the thread, delivered as Slack delivers them.
    const questions = ['Which file format?', 'How do we partition it?', 'Who may query it?'];
    const posted = questions.map((text) => stack.slack.addMessage(GENERAL, { user: 'U0ALICE', thread_ts: parent.ts, text: `<@${BOT_USER}> ${text}` }));
    stack.anthropic.setResponder((body) => ({ text: `Reply to "${lastUserText(body).replace(/^<@U0ALICE>: /, '')}".` }));
    for (const message of posted) {
      await sendEvent(stack.eventsUrl, SIGNING_SECRET, appMention({ channel: GENERAL, user: 'U0ALICE', text: message.text, ts: message.ts, thread_ts: parent.ts }));
    }
    await stack.slack.waitFor(() => questions.every((question) => botRepliesIn(stack, parent).some((reply) => isFinal(reply) && reply.text.includes(question))));
    stack.anthropic.setResponder(defaultResponder);

    // One read for the three of them (the first question's); the others used it, plus the answers written since.
    expect(stack.slack.callsTo('conversations.replies').length - readsBefore).toBe(1);
    const requests = stack.anthropic.messageRequests().slice(-3);
    expect(turnsOf(requests[2])).toEqual([
      { role: 'user', content: '<@U0ALICE>: We are planning a data lake.' },
      { role: 'assistant', content: 'Great, S3 plus Glue and Athena is the usual start.' },
      { role: 'user', content: '<@U0ALICE>: Which file format?' },
      { role: 'assistant', content: 'Reply to "Which file format?".' },
      { role: 'user', content: '<@U0ALICE>: How do we partition it?' },
      { role: 'assistant', content: 'Reply to "How do we partition it?".' },
      { role: 'user', content: '<@U0ALICE>: Who may query it?' },
    ]);

    // A question written after the cached read is not in it: the thread is read again.
    const later = await stack.mention(`<@${BOT_USER}> And the costs?`, { threadTs: parent.ts });
    await stack.slack.waitFor(() => botRepliesIn(stack, parent).some((reply) => isFinal(reply) && reply.text.includes('And the costs?')));
    expect(stack.slack.callsTo('conversations.replies').length - readsBefore).toBe(2);
    expect(stack.anthropic.messageRequests().at(-1)!.body?.messages).toHaveLength(9);
    expect(later.response.status).toBe(200);
  });
});

describe('a long answer', () => {
  it('continues in follow-up messages in the thread, split between paragraphs and never inside a code block', async () => {
    const paragraph = (n: number) => `Step ${n}. ${'Configure the resource carefully and check the result in the console before moving on. '.repeat(3).trim()}`;
    const code = ['```', ...Array.from({ length: 12 }, (_, i) => `aws ec2 create-tags --resources i-0abc${i} --tags Key=env,Value=prod`), '```'].join('\n');
    const answerText = [paragraph(1), paragraph(2), paragraph(3), code, paragraph(4), paragraph(5), paragraph(6), paragraph(7)].join('\n\n');
    expect(answerText.length).toBeGreaterThan(2 * MAX_MESSAGE_CHARS);
    stack.anthropic.enqueue({ text: answerText, chunkSize: 60, tokenDelayMs: 10 });

    const asked = await stack.mention(`<@${BOT_USER}> Walk me through tagging instances.`);
    const first = await stack.finalAnswer(asked);
    // Complete once the last part carries the answer's feedback buttons.
    const parts = await stack.slack.waitFor(() => {
      const replies = botRepliesIn(stack, asked);
      return replies.length > 1 && JSON.stringify(replies.at(-1)!.blocks).includes('feedback_buttons') ? replies : undefined;
    });

    expect(parts.length).toBeGreaterThanOrEqual(3);
    expect(parts[0]!.ts).toBe(first.ts);
    for (const part of parts) {
      expect(part.text.length).toBeLessThanOrEqual(MAX_MESSAGE_CHARS);
      expect((part.text.match(/```/g) ?? []).length % 2).toBe(0);
      expect(part.thread_ts).toBe(asked.ts);
    }
    // The code block is whole in one message; every paragraph is whole in one message.
    expect(parts.filter((part) => part.text.includes(code))).toHaveLength(1);
    for (let n = 1; n <= 7; n += 1) expect(parts.filter((part) => part.text.includes(paragraph(n))), `paragraph ${n}`).toHaveLength(1);
    // Read in order, the parts are the answer; only the last one carries the controls.
    expect(parts.map((part) => part.text).join('\n\n')).toBe(answerText);
    expect(parts.slice(0, -1).every((part) => buttonsOf(part).length === 0 && !JSON.stringify(part.blocks).includes('feedback_buttons'))).toBe(true);
  });
});
