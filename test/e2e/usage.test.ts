import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlackMessage } from '../fakes/slack.js';
import { feedbackButtonsClick, sendAction, sendCommand, SIGNING_SECRET } from '../support/slack-requests.js';
import { jobIdOf, jobRunEnded, loggedByAnyBot } from './answer-checks.js';
import { ALICE, BOT_USER, GENERAL, startStack, type Asked, type Stack } from './stack.js';

/**
 * Usage accounting, budgets and feedback: every answer's tokens recorded from
 * the API's usage numbers and shown by `/aws usage`; the per-minute limit and the daily budget
 * refusing without a model call; 👍/👎 recorded once per person and counted for admins.
 */
const BOB = 'U0BOB';
const RUSHED = 'U0RUSHED';
const SPENDER = 'U0SPENDER';
const ADMIN = 'U0ADMIN';
const OPS = 'C0OPS';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    env: { USER_QUESTIONS_PER_MINUTE: '3', USER_DAILY_TOKEN_BUDGET: '500000', ADMIN_USER_IDS: ADMIN },
    slack: {
      users: [RUSHED, SPENDER, ADMIN].map((id) => ({ id, name: id.toLowerCase(), real_name: id })),
      channels: [{ id: OPS, name: 'ops', type: 'channel', isMember: true }],
    },
  });
});
afterAll(async () => {
  await stack?.stop();
});

/** `/aws usage` as `user`; resolves with the report the worker sent to the command's response_url. */
async function usageReport(user: string): Promise<{ text: string; responseType: unknown }> {
  const url = stack.slack.responseUrl({ channel: GENERAL, user });
  const ack = await sendCommand(stack.eventsUrl, SIGNING_SECRET, { text: 'usage', user_id: user, channel_id: GENERAL, response_url: url });
  expect(ack.status).toBe(200);
  // The acknowledgement only says the report is coming; a worker reads and sends it (how fast
  // Slack is acknowledged is the benchmark's to measure).
  expect(ack.json).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('Adding up your usage') });
  const post = await stack.slack.waitFor(() => stack.slack.responsesTo(url).find((response) => String(response.body.text).includes('Your usage')));
  return { text: String(post.body.text), responseType: post.body.response_type };
}

const requestsBy = (user: string) => stack.anthropic.messageRequests().filter((request) => (request.body?.metadata as { user_id?: string } | undefined)?.user_id === `T0TEST-${user}`);
const ephemeralsTo = (user: string) => stack.slack.ephemerals.filter((message) => message.user === user);
const botRepliesIn = (asked: Asked) => stack.slack.messagesIn(asked.channel, asked.threadTs).filter((message) => message.user === BOT_USER);

let aliceAnswer: SlackMessage;

describe('usage accounting', () => {
  it("records every answer's tokens and cost and shows people their own usage", async () => {
    stack.anthropic.enqueue(
      { text: 'Use an ECS cluster with Fargate capacity.', usage: { input_tokens: 120_000, output_tokens: 3450, cache_read_input_tokens: 8000, cache_creation_input_tokens: 0 } },
      { text: 'Lifecycle rules move objects to Glacier.', usage: { input_tokens: 30_000, output_tokens: 5500, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 } },
      { text: 'IAM roles for tasks.', usage: { input_tokens: 10_000, output_tokens: 1000, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 } },
    );
    const first = await stack.mention(`<@${BOT_USER}> How do I run containers on AWS?`);
    aliceAnswer = await stack.finalAnswer(first);
    const second = await stack.mention(`<@${BOT_USER}> How do I archive S3 objects?`, { channel: OPS });
    await stack.finalAnswer(second);
    const third = await stack.mention(`<@${BOT_USER}> How do tasks get credentials?`, { user: BOB });
    await stack.finalAnswer(third);
    // Usage is recorded after the final message is shown: the reports wait for every record.
    await Promise.all([first, second, third].map((asked) => jobRunEnded(stack, jobIdOf(asked))));

    const mine = await usageReport(ALICE);
    expect(mine.responseType).toBe('ephemeral');
    // 120,000 + 3,450 + 8,000 and 30,000 + 5,500 tokens at Claude Haiku 5.5's prices. The first
    // request's prompt (128,000 tokens with its cache reads) is over 100,000, so every one of its
    // tokens pays five times: $0.060 + $0.008625 + $0.0004; the second is in the usual band: $0.00575.
    expect(mine.text).toContain('• Today: 2 questions · 166,950 tokens · $0.07');
    expect(mine.text).toContain('• Last 30 days: 2 questions · 166,950 tokens · $0.07');
    expect(mine.text).toContain('_Tokens: 150,000 in · 8,950 out · 8,000 read from the prompt cache · 0 written to it._');
    expect(mine.text).toContain('Your daily budget: 158,950 of 500,000 tokens used today (31%)');
    expect(mine.text).not.toContain('Workspace');
    expect(mine.text).not.toContain(BOB);
  });

  it('shows admins the workspace totals and the top channels and people', async () => {
    const report = await usageReport(ADMIN);
    expect(report.text).toContain('• Today: 0 questions · 0 tokens · $0.00');
    expect(report.text).toContain('*Workspace* _(shown to admins)_');
    expect(report.text).toContain('• Today: 3 questions · 177,950 tokens · $0.08');
    expect(report.text).toMatch(/\*Top channels\* _\(last 30 days\)_\n1\. <#C0GENERAL> — 2 questions · 142,450 tokens · \$0\.07\n2\. <#C0OPS> — 1 question · 35,500 tokens · \$0\.01/);
    expect(report.text).toMatch(/\*Top people\* _\(last 30 days\)_\n1\. <@U0ALICE> — 2 questions · 166,950 tokens · \$0\.07\n2\. <@U0BOB> — 1 question · 11,000 tokens · <\$0\.01/);
    expect(report.text).toMatch(/Speed over 3 model calls: first token after \d+\.\d s on average, complete after \d+\.\d s\./);
  });
});

describe('limits', () => {
  it('refuses a question over the per-minute limit politely, without calling the model', async () => {
    const asked: Asked[] = [];
    for (let index = 1; index <= 4; index += 1) asked.push(await stack.mention(`<@${BOT_USER}> Quick question number ${index}?`, { user: RUSHED }));
    const refusal = await stack.slack.waitFor(() => ephemeralsTo(RUSHED).find((message) => message.text.includes('in the last minute')));
    expect(refusal.text).toMatch(/You've asked 3 questions in the last minute, which is the limit here\. Please ask again in (\d+ seconds?|1 minute); I haven't sent this one to the model\./);
    // Every one of the four runs is over (the refused one ends at admission): no model call can follow.
    await Promise.all(asked.map((question) => jobRunEnded(stack, jobIdOf(question))));
    expect(requestsBy(RUSHED)).toHaveLength(3);
    const unanswered = asked.filter((question) => botRepliesIn(question).length === 0);
    expect(unanswered).toHaveLength(1);
    expect(refusal.thread_ts).toBe(unanswered[0]!.threadTs);
  });

  it('refuses questions once a person has used their daily token budget', async () => {
    stack.anthropic.enqueue({ text: 'Here is a very long answer.', usage: { input_tokens: 480_000, output_tokens: 30_000 } });
    const big = await stack.mention(`<@${BOT_USER}> Summarise every AWS service`, { user: SPENDER });
    await stack.finalAnswer(big);
    expect(requestsBy(SPENDER)).toHaveLength(1);

    const next = await stack.mention(`<@${BOT_USER}> And one more thing?`, { user: SPENDER });
    const refusal = await stack.slack.waitFor(() => ephemeralsTo(SPENDER).find((message) => message.text.includes('daily budget')));
    expect(refusal.text).toMatch(/You've used your daily budget of 500,000 model tokens, so I haven't sent this question to the model\. The budget resets at 00:00 UTC, in \d/);
    await loggedByAnyBot(stack, (log) => log.msg === 'question refused by usage limits' && log.jobId === jobIdOf(next));
    await jobRunEnded(stack, jobIdOf(next));
    expect(requestsBy(SPENDER)).toHaveLength(1);
    expect(botRepliesIn(next)).toHaveLength(0);
  });
});

describe('feedback', () => {
  const press = (vote: 'up' | 'down', user: string) =>
    sendAction(stack.eventsUrl, SIGNING_SECRET, feedbackButtonsClick({ message: aliceAnswer, button: vote === 'up' ? 'positive' : 'negative', channel: GENERAL, user }));

  it('records one vote per person and answer, thanks them, and counts it for admins', async () => {
    expect((await press('up', ALICE)).status).toBe(200);
    await stack.slack.waitFor(() => ephemeralsTo(ALICE).find((message) => message.text.includes('Thanks for the 👍')));
    await press('down', ALICE);
    const changed = await stack.slack.waitFor(() => ephemeralsTo(ALICE).find((message) => message.text.includes('Changed your vote on this answer to 👎')));
    expect(changed.thread_ts).toBe(aliceAnswer.thread_ts);
    await press('up', BOB);
    await stack.slack.waitFor(() => ephemeralsTo(BOB).find((message) => message.text.includes('Thanks for the 👍')));

    const report = await usageReport(ADMIN);
    expect(report.text).toContain('• Feedback: 👍 1 · 👎 1');
  });
});
