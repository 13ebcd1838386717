import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromToolResults, toolResultsOf } from '../fakes/anthropic.js';
import { SERVICE_CONNECT_CONCEPTS_URL, SERVICE_CONNECT_URL } from '../fakes/mcp-aws-knowledge.js';
import type { SlackMessage } from '../fakes/slack.js';
import { blockActions, sendAction, SIGNING_SECRET } from '../support/slack-requests.js';
import { jobDataOnce, jobIdOf } from './answer-checks.js';
import { ALICE, BOT_USER, startStack, type Stack } from './stack.js';

/**
 * Answers grounded in AWS documentation, end to end: the fake model asks for the tools of the
 * fake AWS Knowledge MCP server (the official SDK's server over Streamable HTTP), the bot calls
 * them, passes the results back in the next model request, shows each step in Slack as it
 * happens and ends the answer with its sources.
 */
let stack: Stack;
const DM = 'D0ALICE';
const SEARCH = 'aws_docs__aws___search_documentation';
const READ = 'aws_docs__aws___read_documentation';

beforeAll(async () => {
  stack = await startStack({
    docs: true,
    roles: ['web', 'worker'],
    slack: { strictStreamingMode: true, channels: [{ id: DM, type: 'im', user: ALICE, isMember: true }] },
  });
});
afterAll(async () => {
  await stack?.stop();
});

const contextTexts = (message: { blocks?: unknown[] | undefined }) =>
  ((message.blocks ?? []) as Array<{ type?: string; elements?: Array<{ text?: string }> }>).filter((block) => block.type === 'context').flatMap((block) => block.elements?.map((element) => element.text ?? '') ?? []);

/** The model looks something up, reads a page, then answers citing it. */
function scriptServiceConnectAnswer(): void {
  stack.anthropic.enqueue(
    { toolUse: { name: SEARCH, input: { search_phrase: 'ECS Service Connect Fargate', limit: 5 } } },
    fromToolResults((results) => {
      expect(results[0]?.text).toContain('Service Connect');
      return { toolUse: { name: READ, input: { requests: [{ url: SERVICE_CONNECT_CONCEPTS_URL, max_length: 5000 }] } } };
    }),
    { text: `Enable **Service Connect** on the service and give it a namespace ([concepts](${SERVICE_CONNECT_CONCEPTS_URL})).`, chunkSize: 8, tokenDelayMs: 10 },
  );
}

describe('a question that needs the documentation', () => {
  it('is answered from the pages the bot read, with each step shown while it happens and the sources under the answer', async () => {
    const before = stack.anthropic.messageRequests().length;
    scriptServiceConnectAnswer();
    const asked = await stack.mention(`<@${BOT_USER}> How do I set up ECS Service Connect with Fargate?`);
    const answer = await stack.finalAnswer(asked);

    // The MCP server was asked exactly what the model asked for.
    expect(stack.docs!.callsOf('aws___search_documentation').at(-1)?.arguments).toMatchObject({ search_phrase: 'ECS Service Connect Fargate' });
    expect(stack.docs!.callsOf('aws___read_documentation').at(-1)?.arguments).toMatchObject({ requests: [{ url: SERVICE_CONNECT_CONCEPTS_URL }] });

    // Each model request after a tool round carries the results of exactly the calls it asked for.
    const requests = stack.anthropic.messageRequests().slice(before);
    expect(requests).toHaveLength(3);
    expect(requests.every((request) => request.status === 200)).toBe(true);
    expect((requests[0]!.body?.tools as Array<{ name: string }>).map((tool) => tool.name)).toContain(SEARCH);
    const [searchUse] = requests[0]!.toolUses;
    expect(toolResultsOf(requests[1]!.body).map((result) => result.toolUseId)).toEqual([searchUse!.id]);
    expect(toolResultsOf(requests[2]!.body)[0]?.text).toContain('Service Connect');

    // While it worked, the message showed the steps; at the end, the answer and its sources.
    const versions = stack.slack.history(asked.channel, answer.ts);
    const steps = versions.flatMap((version) => contextTexts(version));
    expect(steps.some((text) => text.includes('Searching AWS docs: ECS Service Connect Fargate'))).toBe(true);
    expect(steps.some((text) => text.includes('Reading:'))).toBe(true);
    expect(answer.text).toContain('*Service Connect*');
    const sources = contextTexts(answer).find((text) => text.startsWith('*Sources:*'));
    expect(sources).toContain(`<${SERVICE_CONNECT_CONCEPTS_URL}|`);
    // Each source once, even though the search listed the page the bot then read.
    expect(sources!.split(SERVICE_CONNECT_CONCEPTS_URL).length - 1).toBe(1);
  });

  it('shows the steps as tasks of a native stream in a direct message', async () => {
    scriptServiceConnectAnswer();
    const asked = await stack.message('How do I set up ECS Service Connect with Fargate?', { channel: DM });
    const answer = await stack.finalAnswer(asked);
    const tasks = stack.slack.streamTasks(DM, answer.ts);
    expect(tasks.map((task) => task.title)).toEqual([expect.stringContaining('Searching AWS docs'), expect.stringContaining('Reading')]);
    expect(tasks.every((task) => task.status === 'complete')).toBe(true);
    expect(tasks.flatMap((task) => task.sources ?? []).map((source) => source.url)).toContain(SERVICE_CONNECT_URL);
    expect(contextTexts(answer).some((text) => text.startsWith('*Sources:*'))).toBe(true);
  });

  it('answers a question it knows well directly, with no tool call and no delay for one', async () => {
    const callsBefore = stack.docs!.calls.length;
    stack.anthropic.enqueue({ text: 'An S3 bucket is a container for objects.' });
    const answer = await stack.finalAnswer(await stack.mention(`<@${BOT_USER}> What is an S3 bucket?`));
    expect(answer.text).toBe('An S3 bucket is a container for objects.');
    expect(stack.docs!.calls.length).toBe(callsBefore);
    expect(contextTexts(answer).some((text) => text.startsWith('*Sources:*'))).toBe(false);
  });
});

describe('when the documentation cannot be read', () => {
  it('tells the model the tool failed, and the answer says the docs could not be checked', async () => {
    const before = stack.anthropic.messageRequests().length;
    stack.docs!.failHttp(1, { status: 503 });
    stack.anthropic.enqueue(
      { toolUse: { name: SEARCH, input: { search_phrase: 'Lambda SnapStart Python' } } },
      fromToolResults((results) => ({ text: results[0]?.isError ? 'I could not check the documentation just now; from memory, SnapStart supports Python 3.12+.' : 'unexpected' })),
    );
    const answer = await stack.finalAnswer(await stack.mention(`<@${BOT_USER}> Does Lambda SnapStart support Python?`));
    expect(answer.text).toContain('could not check the documentation');
    const [, second] = stack.anthropic.messageRequests().slice(before);
    expect(toolResultsOf(second!.body)[0]).toMatchObject({ isError: true });
  });

  it('after the round limit, asks the model to answer with what it has', async () => {
    const limited = await stack.startBot('worker', { TOOL_MAX_ROUNDS: '1' });
    try {
      // Only the limited worker takes jobs now.
      for (const bot of stack.bots.filter((bot) => bot !== limited && bot.env.ROLE === 'worker' && !bot.exit)) await bot.kill('SIGTERM');
      const before = stack.anthropic.messageRequests().length;
      stack.anthropic.enqueue({ toolUse: { name: SEARCH, input: { search_phrase: 'EKS Auto Mode' } } }, { text: 'EKS Auto Mode manages the nodes for you.' });
      const answer = await stack.finalAnswer(await stack.mention(`<@${BOT_USER}> What is EKS Auto Mode?`));
      expect(answer.text).toContain('EKS Auto Mode manages');
      const requests = stack.anthropic.messageRequests().slice(before);
      expect(requests).toHaveLength(2);
      expect(requests[0]!.body?.tool_choice).toBeUndefined();
      expect(requests[1]!.body?.tool_choice).toEqual({ type: 'none' });
    } finally {
      await stack.startBot('worker');
      await limited.kill('SIGTERM');
    }
  });
});

describe('Stop and crashes during a tool call', () => {
  it('Stop during a slow tool call ends the call and the answer at once', async () => {
    // Far longer than the test waits: only a cancellation ends the call before the wait does.
    stack.docs!.setCallDelay(60_000);
    try {
      stack.anthropic.enqueue({ toolUse: { name: SEARCH, input: { search_phrase: 'Aurora DSQL limits' } } });
      const asked = await stack.mention(`<@${BOT_USER}> What are the Aurora DSQL limits?`);
      await stack.slack.waitFor(() => stack.docs!.callsOf('aws___search_documentation').find((call) => call.arguments.search_phrase === 'Aurora DSQL limits'));
      const placeholder = await stack.slack.waitFor(() => stack.slack.messagesIn(asked.channel, asked.threadTs).find((message) => message.user === BOT_USER));
      const stop = stopButtonValue(placeholder);
      const press = await sendAction(stack.eventsUrl, SIGNING_SECRET, blockActions({ message: placeholder, actionId: 'answer_stop', value: stop, channel: asked.channel }));
      expect(press.status).toBe(200);
      const answer = await stack.finalAnswer(asked);
      expect(answer.text).toMatch(/Stopped/);
      // The cancellation is a message of its own to the MCP server: on a loaded machine it can take seconds.
      await stack.slack.waitFor(() => stack.docs!.callsOf('aws___search_documentation').find((call) => call.arguments.search_phrase === 'Aurora DSQL limits' && call.outcome === 'cancelled'), 30_000);
    } finally {
      stack.docs!.setCallDelay(0);
    }
  });

  it('a worker killed in the middle of the loop is resumed in the same message without calling a completed tool again', async () => {
    // Another worker to take the job over.
    await stack.startBot('worker');
    const question = 'How do I enable Service Connect on an existing service?';
    stack.anthropic.enqueue(
      { toolUse: { name: SEARCH, input: { search_phrase: 'enable Service Connect existing service' } } },
      // The model hangs after the tool round: the worker running it dies meanwhile.
      { hang: true },
      // The job is resumed by the other worker, which asks the model from the start again.
      { toolUse: { name: SEARCH, input: { search_phrase: 'enable Service Connect existing service' } } },
      { text: 'Update the service with a Service Connect configuration; tasks are replaced.' },
    );
    const asked = await stack.mention(`<@${BOT_USER}> ${question}`);
    await stack.anthropic.waitFor(() => stack.anthropic.messageRequests().find((request) => request.kind === 'hang' && JSON.stringify(request.body?.messages).includes(question)));
    const placeholder = await stack.slack.waitFor(() => stack.slack.messagesIn(asked.channel, asked.threadTs).find((message) => message.user === BOT_USER));
    const running = stack.bots.find((bot) => bot.env.ROLE === 'worker' && !bot.exit && bot.logs.some((log) => log.msg === 'answering' && log.threadTs === asked.ts));
    expect(running).toBeDefined();
    // The message is recorded on the job just after it is posted: the crash comes once it is.
    await jobDataOnce(stack, jobIdOf(asked), (data) => data.answerTs === placeholder.ts);
    await running!.kill('SIGKILL');

    const answer = await stack.finalAnswer(asked, 30_000);
    expect(answer.ts).toBe(placeholder.ts);
    expect(answer.text).toContain('Service Connect configuration');
    expect(stack.docs!.callsOf('aws___search_documentation').filter((call) => call.arguments.search_phrase === 'enable Service Connect existing service')).toHaveLength(1);
  });
});

function stopButtonValue(message: SlackMessage): string {
  const actions = (message.blocks ?? []).find((block) => block.type === 'actions') as { elements?: Array<{ action_id?: string; value?: string }> } | undefined;
  const value = actions?.elements?.find((element) => element.action_id === 'answer_stop')?.value;
  if (!value) throw new Error('no Stop button');
  return value;
}
