import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { ASSISTANT_GREETING, SUGGESTED_PROMPTS } from '../../src/core/assistant-copy.js';
import { FILES_ONLY_TEXT } from '../../src/slack/intake.js';
import { assistantThreadStarted, messageEvent, sendEvent, SIGNING_SECRET } from '../support/slack-requests.js';
import { noticeJobId } from '../../src/core/job-ids.js';
import { ALICE, BOT_USER, startStack, type Asked, type Stack } from './stack.js';
import { jobIdsInQueue, jobOnceIn, turnsOf } from './answer-checks.js';

/** Direct messages and Slack's AI-assistant panel, through the real Bolt app and Redis. */
const DM = 'D0DM';
let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

/** The `question queued` log lines the web role wrote for one message. */
function queuedFor(asked: Pick<Asked, 'ts'>) {
  return stack.bots[0]!.logs.filter((log) => log.msg === 'question queued' && String(log.jobId).endsWith(asked.ts));
}

function botPostsIn(threadTs: string) {
  return stack.slack.messagesIn(DM, threadTs).filter((message) => message.user === BOT_USER);
}

async function startAssistantThread(): Promise<string> {
  // Slack creates the thread's root message itself when the panel opens.
  const root = stack.slack.addMessage(DM, { user: BOT_USER, subtype: 'assistant_app_thread', text: 'New chat' });
  const response = await sendEvent(stack.eventsUrl, SIGNING_SECRET, assistantThreadStarted({ user: ALICE, channel: DM, thread_ts: root.ts, contextChannel: 'C0GENERAL' }));
  expect(response.status).toBe(200);
  return root.ts;
}

describe('a direct message', () => {
  it('is answered in its thread, and a reply in that thread continues the conversation', async () => {
    stack.anthropic.enqueue({ text: 'An S3 bucket policy is a resource policy attached to the bucket.' });
    const first = await stack.message('What is an S3 bucket policy?', { channel: DM });
    const firstAnswer = await stack.finalAnswer(first);
    expect(firstAnswer.thread_ts).toBe(first.ts);
    expect(firstAnswer.text).toContain('resource policy');

    stack.anthropic.enqueue({ text: 'Use the aws:SourceIp condition key.' });
    const reply = await stack.message('How do I limit it to my office IP?', { channel: DM, threadTs: first.ts });
    const replyAnswer = await stack.slack.waitFor(() => botPostsIn(first.ts).find((m) => m.text.includes('aws:SourceIp') && !m.blocks?.some((b) => b.type === 'actions' && JSON.stringify(b).includes('answer_stop'))));
    expect(replyAnswer.thread_ts).toBe(first.ts);

    expect(turnsOf(stack.anthropic.messageRequests().at(-1))).toEqual([
      { role: 'user', content: `<@${ALICE}>: What is an S3 bucket policy?` },
      { role: 'assistant', content: 'An S3 bucket policy is a resource policy attached to the bucket.' },
      { role: 'user', content: `<@${ALICE}>: How do I limit it to my office IP?` },
    ]);
    // Each message was queued once, as a DM: the reply went to the Assistant listener (Bolt routes
    // every DM thread message there), which knows this thread is no assistant thread.
    expect(queuedFor(first).map((log) => log.source)).toEqual(['dm']);
    expect(queuedFor(reply).map((log) => log.source)).toEqual(['dm']);
    // A plain DM thread gets no assistant status or title.
    expect(stack.slack.assistantCalls.filter((call) => call.thread_ts === first.ts)).toEqual([]);
  });

  it('with only a file gets a polite note that only text is read, without a model call', async () => {
    const before = stack.anthropic.messageRequests().length;
    const files = [{ id: 'F0DIAGRAM', name: 'architecture.png', mimetype: 'image/png' }];
    const posted = stack.slack.addMessage(DM, { user: ALICE, text: '', files });
    await sendEvent(stack.eventsUrl, SIGNING_SECRET, messageEvent({ channel: DM, user: ALICE, text: '', ts: posted.ts, subtype: 'file_share', extra: { files } }));
    const note = await stack.slack.waitFor(() => botPostsIn(posted.ts)[0]);
    expect(note.text).toBe(FILES_ONLY_TEXT);
    expect(note.thread_ts).toBe(posted.ts);
    // The note's job is done, and it is the only job the message made: nothing is left to ask the model.
    const notice = noticeJobId('T0TEST', DM, posted.ts);
    await jobOnceIn(stack, notice, ['completed']);
    expect((await jobIdsInQueue(stack)).filter((id) => id.includes(posted.ts))).toEqual([notice]);
    expect(stack.anthropic.messageRequests().length).toBe(before);
  });
});

describe("Slack's assistant panel", () => {
  it('greets a new thread and suggests AWS prompts', async () => {
    const threadTs = await startAssistantThread();
    const prompts = await stack.slack.waitFor(() => stack.slack.assistantCalls.find((call) => call.method === 'assistant.threads.setSuggestedPrompts' && call.thread_ts === threadTs));
    expect(prompts.channel_id).toBe(DM);
    expect(prompts.args.prompts).toEqual(SUGGESTED_PROMPTS);
    const posts = botPostsIn(threadTs).filter((message) => message.subtype !== 'assistant_app_thread');
    expect(posts.map((message) => message.text)).toEqual([ASSISTANT_GREETING]);
    // The greeting is a notice: never read back as part of the conversation.
    expect(posts[0]!.metadata?.event_payload).toMatchObject({ kind: 'notice' });
  });

  it('answers a question with a status while it is written and a title from the first question', async () => {
    const threadTs = await startAssistantThread();
    await stack.slack.waitFor(() => botPostsIn(threadTs).some((message) => message.text === ASSISTANT_GREETING));

    stack.anthropic.enqueue({ text: 'Use **Fargate** when you do not want to manage servers.', chunkSize: 8, tokenDelayMs: 30 });
    const asked = await stack.message('When should I use Fargate instead of EC2 for ECS?', { channel: DM, threadTs });
    const answer = await stack.finalAnswer(asked);
    expect(answer.thread_ts).toBe(threadTs);
    expect(answer.text).toContain('*Fargate*');
    expect(queuedFor(asked).map((log) => log.source)).toEqual(['assistant']);
    // The greeting and the root are not history: the model sees the question alone.
    expect(turnsOf(stack.anthropic.messageRequests().at(-1))).toEqual([{ role: 'user', content: `<@${ALICE}>: When should I use Fargate instead of EC2 for ECS?` }]);

    const calls = () => stack.slack.assistantCalls.filter((call) => call.thread_ts === threadTs);
    // The status is cleared once the answer is final.
    await stack.slack.waitFor(() => calls().some((call) => call.method === 'assistant.threads.setStatus' && call.args.status === ''));
    const statuses = calls().filter((call) => call.method === 'assistant.threads.setStatus');
    expect(statuses.map((call) => call.args.status)).toEqual(['is thinking…', '']);
    const answerShownAt = stack.slack.history(DM, answer.ts)[0]!.at;
    const finalAt = stack.slack.history(DM, answer.ts).at(-1)!.at;
    expect(statuses[0]!.at).toBeLessThanOrEqual(answerShownAt);
    expect(statuses[1]!.at).toBeGreaterThanOrEqual(finalAt);
    expect(calls().filter((call) => call.method === 'assistant.threads.setTitle').map((call) => call.args.title)).toEqual([
      'When should I use Fargate instead of EC2 for ECS?',
    ]);

    // A second question continues the thread; the title stays the first question's.
    stack.anthropic.enqueue({ text: 'Fargate Spot can save up to 70%.' });
    const second = await stack.message('And how do I make it cheaper?', { channel: DM, threadTs });
    await stack.slack.waitFor(() => botPostsIn(threadTs).find((message) => message.text.includes('Fargate Spot') && message.ts !== second.ts));
    expect(stack.anthropic.messageRequests().at(-1)!.body?.messages).toHaveLength(3);
    expect(calls().filter((call) => call.method === 'assistant.threads.setTitle')).toHaveLength(1);
    expect(queuedFor(second).map((log) => log.source)).toEqual(['assistant']);
  });

  it('keeps the context the person is viewing without writing to Slack', async () => {
    const threadTs = await startAssistantThread();
    await stack.slack.waitFor(() => stack.slack.assistantCalls.find((call) => call.method === 'assistant.threads.setSuggestedPrompts' && call.thread_ts === threadTs));
    const callsBefore = stack.slack.calls.length;
    const event = {
      type: 'assistant_thread_context_changed',
      assistant_thread: { user_id: ALICE, channel_id: DM, thread_ts: threadTs, context: { channel_id: 'C0NOTIN', team_id: 'T0TEST', enterprise_id: null } },
      event_ts: threadTs,
    };
    expect((await sendEvent(stack.eventsUrl, SIGNING_SECRET, event)).status).toBe(200);

    const redis = new Redis(stack.redis.url);
    try {
      const key = `aws-orchestrator:assistant-thread:T0TEST:${DM}:${threadTs}`;
      await expect.poll(async () => JSON.parse((await redis.hget(key, 'context')) ?? '{}')).toMatchObject({ channel_id: 'C0NOTIN' });
    } finally {
      redis.disconnect();
    }
    // Bolt's default store would rewrite the bot's first message with chat.update from the listener.
    expect(stack.slack.calls.slice(callsBefore).filter((call) => call.method !== 'auth.test')).toEqual([]);
  });
});
