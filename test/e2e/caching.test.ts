import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlackMessage } from '../fakes/slack.js';
import { continueJobId } from '../../src/core/job-ids.js';
import { blockActions, sendAction, sendCommand, SIGNING_SECRET } from '../support/slack-requests.js';
import { jobIdOf, jobRunEnded, loggedByAnyBot } from './answer-checks.js';
import { ALICE, BOT_USER, GENERAL, isFinal, startStack, type Asked, type Stack } from './stack.js';

/**
 * Answer reuse, prompt caching and answers that know their limits: a repeated first question is
 * answered from the cache without a model call, identical questions asked together share one
 * call, a long system prompt is read from Anthropic's prompt cache, and an answer cut at
 * max_tokens offers Continue, which writes the rest.
 */
const BOB = 'U0BOB';
const CAROL = 'U0CAROL';
const DAVE = 'U0DAVE';
// Long enough for Haiku 4.5's minimum cacheable prompt (4,096 tokens) at the API's count.
const LONG_SYSTEM_PROMPT = `You are aws-orchestrator, an AWS expert answering engineers in Slack. ${'Always name the AWS services, the IAM permissions and the CLI commands that matter, and say when something depends on the region. '.repeat(170)}`;

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    env: { ANSWER_CACHE: 'true', ANSWER_CACHE_TTL_SECONDS: '600', SYSTEM_PROMPT: LONG_SYSTEM_PROMPT },
    slack: { users: [CAROL, DAVE].map((id) => ({ id, name: id.toLowerCase(), real_name: id })) },
  });
});
afterAll(async () => {
  await stack?.stop();
});

const requestsFor = (question: string) => stack.anthropic.messageRequests().filter((request) => JSON.stringify(request.body?.messages).includes(question));
const contextText = (message: SlackMessage) => JSON.stringify((message.blocks ?? []).filter((block) => block.type === 'context'));
const actionIds = (message: SlackMessage) =>
  ((message.blocks ?? []).find((block) => block.type === 'actions') as { elements?: Array<{ action_id?: string; value?: string }> } | undefined)?.elements ?? [];

function answerIn(asked: Asked, includes: string): Promise<SlackMessage> {
  return stack.slack.waitFor(() =>
    stack.slack
      .messagesIn(asked.channel, asked.threadTs)
      .find((message) => message.user === BOT_USER && message.ts !== asked.ts && isFinal(message) && message.text.includes(includes)),
  );
}

describe('the answer cache', () => {
  it('answers a repeated first question from the cache, marked, without a model call, but never a follow-up', async () => {
    stack.anthropic.enqueue({ text: 'Fargate runs your containers without servers to manage, <@U0ALICE>.' });
    const first = await stack.mention(`<@${BOT_USER}> What is AWS Fargate?`);
    const original = await stack.finalAnswer(first);
    expect(contextText(original)).not.toContain('Reused answer');
    expect(requestsFor('What is AWS Fargate?')).toHaveLength(1);

    const again = await stack.mention(`<@${BOT_USER}>   what is aws\n FARGATE? `, { user: BOB });
    const reused = await stack.finalAnswer(again);
    expect(reused.thread_ts).toBe(again.ts);
    // Addressed to the new asker, marked as reused, with the usual feedback buttons.
    expect(reused.text).toBe('Fargate runs your containers without servers to manage, <@U0BOB>.');
    expect(contextText(reused)).toContain('Reused answer: this exact question was answered recently, so no new model call was made.');
    expect(actionIds(reused).map((button) => button.action_id)).toEqual([]);
    expect(JSON.stringify(reused.blocks)).toContain('feedback_buttons');
    expect(stack.anthropic.messageRequests().filter((request) => JSON.stringify(request.body?.messages).toLowerCase().includes('fargate'))).toHaveLength(1);

    stack.anthropic.enqueue({ text: 'Yes: Fargate Spot costs up to 70% less.' });
    await stack.mention(`<@${BOT_USER}> What is AWS Fargate?`, { user: BOB, threadTs: again.ts });
    await answerIn(again, 'Fargate Spot');
    expect(stack.anthropic.messageRequests().at(-1)!.body?.messages).toHaveLength(3);
  });
});

describe('identical questions asked together', () => {
  it('share one model call, each answered in its own message', async () => {
    const text = 'Use an Application Load Balancer with target groups per service, and health checks on each.';
    stack.anthropic.enqueue({ text, chunkSize: 6, tokenDelayMs: 60 });
    const askers = [ALICE, BOB, CAROL];
    const asked = await Promise.all(askers.map((user) => stack.mention(`<@${BOT_USER}> How should I load balance ECS services?`, { user })));
    const answers = await Promise.all(asked.map((question) => answerIn(question, 'health checks')));
    // Every asker's run is over: none of them can still call the model.
    await Promise.all(asked.map((question) => jobRunEnded(stack, jobIdOf(question))));
    expect(requestsFor('How should I load balance ECS services?')).toHaveLength(1);
    expect(new Set(answers.map((answer) => answer.ts)).size).toBe(3);
    answers.forEach((answer, index) => {
      expect(answer.thread_ts).toBe(asked[index]!.ts);
      expect(answer.text).toBe(text);
    });
  });
});

describe('prompt caching', () => {
  it('marks the long system prompt for caching and shows the cache reads in the usage report', async () => {
    stack.anthropic.enqueue({ text: 'Use S3 Intelligent-Tiering.' }, { text: 'Use gp3 volumes.' });
    const s3 = await stack.mention(`<@${BOT_USER}> How do I cut S3 costs?`, { user: DAVE });
    await stack.finalAnswer(s3);
    const ebs = await stack.mention(`<@${BOT_USER}> How do I cut EBS costs?`, { user: DAVE });
    await stack.finalAnswer(ebs);
    // Usage is recorded after the final message is shown: the report waits for both records.
    await Promise.all([s3, ebs].map((asked) => jobRunEnded(stack, jobIdOf(asked))));
    const system = stack.anthropic.messageRequests().at(-1)!.body?.system;
    expect(system).toEqual([{ type: 'text', text: expect.stringMatching(/^You are aws-orchestrator/), cache_control: { type: 'ephemeral' } }]);
    expect((system as Array<{ text: string }>)[0]!.text.startsWith(LONG_SYSTEM_PROMPT)).toBe(true);

    const url = stack.slack.responseUrl({ channel: GENERAL, user: DAVE });
    await sendCommand(stack.eventsUrl, SIGNING_SECRET, { text: 'usage', user_id: DAVE, response_url: url });
    const report = await stack.slack.waitFor(() => stack.slack.responsesTo(url).find((response) => String(response.body.text).includes('Your usage')));
    const cacheReads = /([\d,]+) read from the prompt cache/.exec(String(report.body.text))?.[1];
    // Both questions read the system prompt (several thousand tokens each) from the cache.
    expect(Number(cacheReads?.replace(/,/g, ''))).toBeGreaterThan(8000);
  });
});

describe('an answer cut at max_tokens', () => {
  it('says so and offers Continue, which writes the rest in the thread', async () => {
    stack.anthropic.enqueue({ text: 'A VPC design needs three layers: public subnets for load balancers, private subnets for', stopReason: 'max_tokens' });
    const asked = await stack.mention(`<@${BOT_USER}> Explain a production VPC design in depth`);
    const cut = await stack.finalAnswer(asked);
    expect(contextText(cut)).toContain('The answer reached the length limit (1000 tokens). Press Continue for the rest.');
    const continueButton = actionIds(cut).find((button) => button.action_id === 'answer_continue');
    expect(continueButton?.value).toBeTruthy();

    stack.anthropic.enqueue({ text: 'application servers, and isolated subnets for databases.', chunkSize: 8, tokenDelayMs: 30 });
    const click = () =>
      sendAction(stack.eventsUrl, SIGNING_SECRET, blockActions({ message: cut, actionId: 'answer_continue', value: continueButton!.value!, channel: GENERAL, user: ALICE }));
    expect((await click()).status).toBe(200);
    const rest = await answerIn(asked, 'isolated subnets for databases');
    expect(rest.ts).not.toBe(cut.ts);
    expect(rest.thread_ts).toBe(asked.ts);

    const request = stack.anthropic.messageRequests().at(-1)!;
    // History long enough (with the system prompt) carries a prompt-cache breakpoint: compare the text.
    const messages = (request.body?.messages as Array<{ role: string; content: string | Array<{ text: string }> }>).map((message) => ({
      role: message.role,
      content: typeof message.content === 'string' ? message.content : message.content.map((block) => block.text).join(''),
    }));
    expect(messages.slice(0, 2)).toEqual([
      { role: 'user', content: '<@U0ALICE>: Explain a production VPC design in depth' },
      { role: 'assistant', content: 'A VPC design needs three layers: public subnets for load balancers, private subnets for' },
    ]);
    expect(messages[2]).toMatchObject({ role: 'user', content: expect.stringContaining('Continue your previous answer exactly where it stopped') });

    // Pressing it again continues nothing more.
    await click();
    await stack.slack.waitFor(() => stack.slack.ephemerals.find((message) => message.user === ALICE && message.text.includes('already being continued')));
    // The second press was turned away as a duplicate, and the one Continue job's run is over.
    await loggedByAnyBot(stack, (log) => log.msg === 'continue requested' && log.result === 'duplicate');
    await jobRunEnded(stack, continueJobId('T0TEST', GENERAL, cut.ts));
    expect(requestsFor('Explain a production VPC design in depth')).toHaveLength(2);
  });
});
