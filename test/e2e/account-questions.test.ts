import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromToolResults, toolResultsOf } from '../fakes/anthropic.js';
import { LAMBDA_SECRET_VALUE } from '../fakes/aws.js';
import { BOT_USER, GENERAL, startStack, type Stack } from './stack.js';

/**
 * Questions about the team's own AWS account, end to end: the model reads the fake account with
 * the bot's read-only tools (the real AWS SDK clients against a fake speaking each service's
 * protocol), only in the channels where account access is allowed, every call shown in the
 * thread and written to an audit line, secrets never passed on.
 */
let stack: Stack;
const OPS = 'C0OPS';

beforeAll(async () => {
  stack = await startStack({
    awsAccount: { channels: [OPS] },
    slack: { channels: [{ id: OPS, type: 'channel', isMember: true }] },
  });
});
afterAll(async () => {
  await stack?.stop();
});

const contextTexts = (message: { blocks?: unknown[] | undefined }) =>
  ((message.blocks ?? []) as Array<{ type?: string; elements?: Array<{ text?: string }> }>).filter((block) => block.type === 'context').flatMap((block) => block.elements?.map((element) => element.text ?? '') ?? []);
const toolNames = (request: { body?: Record<string, unknown> | undefined } | undefined) => ((request?.body?.tools ?? []) as Array<{ name: string }>).map((tool) => tool.name);
const systemText = (request: { body?: Record<string, unknown> | undefined } | undefined) => ((request?.body?.system ?? []) as Array<{ text: string }>).map((block) => block.text).join('');

describe('in a channel where account access is allowed', () => {
  it('answers from the account, showing each call and writing an audit line', async () => {
    const before = stack.anthropic.messageRequests().length;
    stack.anthropic.enqueue(
      { toolUse: { name: 'aws_ecs_services', input: { cluster: 'prod', region: 'eu-west-1' } } },
      fromToolResults((results) => ({ text: results[0]?.text.includes('desired 3, running 2') ? 'In **prod**, `api` runs 2 of 3 tasks.' : `unexpected: ${results[0]?.text}` })),
    );
    const asked = await stack.mention(`<@${BOT_USER}> which ECS services in prod have fewer running tasks than desired?`, { channel: OPS });
    const answer = await stack.finalAnswer(asked);
    expect(answer.text).toContain('`api` runs 2 of 3 tasks');

    const [first] = stack.anthropic.messageRequests().slice(before);
    expect(toolNames(first)).toContain('aws_ecs_services');
    expect(systemText(first)).toContain("read the team's own AWS account");
    expect(stack.aws!.callsTo('ecs:DescribeServices').at(-1)).toMatchObject({ region: 'eu-west-1', params: expect.objectContaining({ cluster: 'prod' }) });

    const steps = stack.slack.history(asked.channel, answer.ts).flatMap((version) => contextTexts(version));
    expect(steps.some((text) => text.includes('ECS DescribeServices · eu-west-1 · cluster prod'))).toBe(true);
    const audit = stack.bots[0]!.logs.find((log) => log.audit === 'aws_account_call' && log.operation === 'ecs:DescribeServices');
    expect(audit).toMatchObject({ userId: 'U0ALICE', channel: OPS, region: 'eu-west-1', outcome: 'ok' });
    expect(audit?.requestId).toEqual(expect.any(String));
  });

  it('explains a denied call instead of retrying it', async () => {
    stack.aws!.deny('ce:GetCostAndUsage');
    try {
      const before = stack.anthropic.messageRequests().length;
      const deniedBefore = stack.aws!.callsTo('ce:GetCostAndUsage').length;
      stack.anthropic.enqueue(
        { toolUse: { name: 'aws_cost_by_service', input: { start: isoDay(-7), end: isoDay(0), granularity: 'DAILY' } } },
        fromToolResults((results) => ({ text: results[0]?.isError ? "I'm not allowed to read Cost Explorer in this account." : 'unexpected' })),
      );
      const answer = await stack.finalAnswer(await stack.mention(`<@${BOT_USER}> What did we spend on NAT gateways last week?`, { channel: OPS }));
      expect(answer.text).toContain('not allowed to read Cost Explorer');
      const [, second] = stack.anthropic.messageRequests().slice(before);
      expect(toolResultsOf(second!.body)[0]).toMatchObject({ isError: true, text: expect.stringContaining('ce:GetCostAndUsage') });
      expect(stack.aws!.callsTo('ce:GetCostAndUsage').length - deniedBefore).toBe(1);
    } finally {
      stack.aws!.reset();
    }
  });

  it('never passes on a secret held in a Lambda environment variable: not to the model, Slack or the logs', async () => {
    const before = stack.anthropic.messageRequests().length;
    stack.anthropic.enqueue(
      { toolUse: { name: 'aws_lambda_function', input: { functionName: 'orders-handler', region: 'eu-west-1' } } },
      fromToolResults((results) => ({ text: `orders-handler: ${results[0]?.text ?? ''}` })),
    );
    const asked = await stack.mention(`<@${BOT_USER}> how is orders-handler configured?`, { channel: OPS });
    const answer = await stack.finalAnswer(asked);
    expect(answer.text).toContain('UPSTREAM_CREDENTIAL');
    expect(stack.aws!.callsTo('lambda:GetFunctionConfiguration').length).toBeGreaterThan(0);
    for (const request of stack.anthropic.messageRequests().slice(before)) expect(JSON.stringify(request.body)).not.toContain(LAMBDA_SECRET_VALUE);
    for (const message of stack.slack.messagesIn(asked.channel, asked.threadTs)) expect(JSON.stringify(message)).not.toContain(LAMBDA_SECRET_VALUE);
    expect(stack.bots[0]!.output()).not.toContain(LAMBDA_SECRET_VALUE);
  });
});

describe('in a channel where it is not allowed', () => {
  it('offers no account tools, makes no AWS call and tells the model to say so', async () => {
    const before = stack.anthropic.messageRequests().length;
    const callsBefore = stack.aws!.calls.length;
    stack.anthropic.enqueue({ text: 'Account questions are not enabled in this channel; in general, compare desired and running counts.' });
    const answer = await stack.finalAnswer(await stack.mention(`<@${BOT_USER}> which ECS services in prod are short of tasks?`, { channel: GENERAL }));
    expect(answer.text).toContain('not enabled in this channel');
    const [request] = stack.anthropic.messageRequests().slice(before);
    expect(toolNames(request).filter((name) => name.startsWith('aws_'))).toEqual([]);
    expect(systemText(request)).toContain('not enabled in this conversation');
    expect(stack.aws!.calls.length).toBe(callsBefore);
  });
});

function isoDay(offsetDays: number): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}
