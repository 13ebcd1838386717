import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnthropicClient } from '../../src/model/anthropic-client.js';
import { runModelLoop, type LoopEvent, type LoopRequest, type LoopResult, type LoopSettings } from '../../src/model/model-loop.js';
import { ModelProfiles } from '../../src/model/model-profile.js';
import type { Tool, ToolOutcome } from '../../src/model/tools.js';
import { createLogger } from '../../src/ops/logger.js';
import { fromToolResults, startFakeAnthropic, toolResultsOf, type FakeAnthropic } from '../fakes/anthropic.js';

/**
 * The model loop on its own, against the fake Anthropic API through the real SDK: what it does
 * with tools that misbehave, and what a retried turn keeps.
 */
let anthropic: FakeAnthropic;
const profiles = new ModelProfiles();
const logger = createLogger({ logLevel: 'silent', logFormat: 'json' });
const settings: LoopSettings = {
  name: 'claude-haiku-5-5',
  maxTokens: 1000,
  thinkingTokens: 1000,
  temperature: undefined,
  effort: 'low',
  thinking: 'adaptive',
  timeoutMs: 5000,
  fallbackModel: undefined,
  maxAttempts: 3,
  retryBaseMs: 10,
  retryMaxMs: 20,
  maxToolRounds: 3,
  toolTimeoutMs: 300,
  toolResultTokens: 100,
};

beforeAll(async () => {
  anthropic = await startFakeAnthropic();
  await profiles.load(client(), ['claude-haiku-5-5']);
});
afterAll(async () => {
  await anthropic?.close();
});

function client() {
  return createAnthropicClient({ apiKey: 'sk-ant-test', baseUrl: anthropic.url, timeoutMs: 5000 });
}

function tool(name: string, run: (input: Record<string, unknown>, signal: AbortSignal) => Promise<ToolOutcome>): Tool & { runs: number } {
  const counted = {
    runs: 0,
    reuseSeconds: 0,
    definition: { name, description: `The ${name} tool.`, inputSchema: { type: 'object' as const, properties: { q: { type: 'string' } } } },
    describe: (input: Record<string, unknown>) => `${name}: ${String(input.q)}`,
    run: (input: Record<string, unknown>, context: { signal: AbortSignal }) => {
      counted.runs += 1;
      return run(input, context.signal);
    },
  };
  return counted;
}

async function ask(tools: Tool[], overrides: Partial<LoopSettings> = {}): Promise<{ events: LoopEvent[]; result: LoopResult }> {
  const request: LoopRequest = {
    system: 'You are an AWS expert.',
    turns: [{ role: 'user', content: '<@U1>: What is new in ECS?' }],
    tools,
    asker: { teamId: 'T1', channel: 'C1', userId: 'U1' },
    endUserId: 'T1-U1',
  };
  const events: LoopEvent[] = [];
  for await (const event of runModelLoop(request, { anthropic: client(), settings: { ...settings, ...overrides }, profileOf: (model) => profiles.get(model), logger })) events.push(event);
  const done = events.at(-1);
  if (done?.type !== 'done') throw new Error('the loop ended without a result');
  return { events, result: done.result };
}

describe('the model loop with tools', () => {
  it('stops waiting for a tool that ignores its time limit, and tells the model', async () => {
    const stuck = tool('stuck', () => new Promise<ToolOutcome>(() => undefined));
    anthropic.enqueue({ toolUse: { name: 'stuck', input: { q: 'x' } } }, fromToolResults((results) => ({ text: results[0]?.isError ? `failed: ${results[0].text}` : 'unexpected' })));
    const { result, events } = await ask([stuck]);
    expect(result.status).toBe('answered');
    expect(result.text).toBe('failed: The tool did not answer within 0.3 seconds.');
    const steps = events.filter((event) => event.type === 'step').map((event) => (event.type === 'step' ? event.step.status : ''));
    expect(steps).toEqual(['in_progress', 'error']);
  });

  it('answers a call to a tool it does not have with an error result', async () => {
    anthropic.enqueue({ toolUse: { name: 'known', input: { q: 'x' } } }, fromToolResults((results) => ({ text: results[0]?.text ?? '' })));
    // The model asks for a tool that is offered, but the bot has lost it meanwhile (a server went away).
    const known = tool('known', async () => ({ text: 'ok', isError: false, sources: [] }));
    const offered: Tool = { ...known, definition: { ...known.definition } };
    const { result } = await ask([{ ...offered, run: () => Promise.reject(new Error('connection reset')) }]);
    expect(result.text).toBe('The tool failed: connection reset');
  });

  it('cuts a long tool result to its token budget and says so', async () => {
    const verbose = tool('verbose', async () => ({ text: 'x'.repeat(10_000), isError: false, sources: [] }));
    let seen = '';
    anthropic.enqueue({ toolUse: { name: 'verbose', input: { q: 'x' } } }, fromToolResults((results) => ((seen = results[0]?.text ?? ''), { text: 'done' })));
    await ask([verbose]);
    expect(seen.length).toBeLessThan(500);
    expect(seen).toContain('[… result cut to its first 350 characters]');
  });

  it('retries a failed turn without running the tools of the turns before it again', async () => {
    const search = tool('search', async () => ({ text: 'Service Connect is GA.', isError: false, sources: [{ url: 'https://docs.aws.amazon.com/x', title: 'X' }] }));
    const before = anthropic.messageRequests().length;
    anthropic.enqueue(
      { text: 'Let me look that up.', toolUse: { name: 'search', input: { q: 'ECS' } } },
      { midStreamError: { type: 'overloaded_error', message: 'Overloaded' }, afterChunks: 2, text: 'Service Connect is generally available.' },
      { text: 'Service Connect is generally available.' },
    );
    const { result, events } = await ask([search]);
    expect(search.runs).toBe(1);
    expect(result.status).toBe('answered');
    expect(result.text).toBe('Let me look that up.\n\nService Connect is generally available.');
    expect(result.sources).toEqual([{ url: 'https://docs.aws.amazon.com/x', title: 'X' }]);
    // The retry only takes back the failed turn's text.
    const retrying = events.find((event) => event.type === 'retrying');
    expect(retrying).toMatchObject({ keepChars: 'Let me look that up.'.length });
    const requests = anthropic.messageRequests().slice(before);
    expect(requests.map((request) => request.status)).toEqual([200, 200, 200]);
    expect(toolResultsOf(requests[2]!.body)[0]?.text).toBe('Service Connect is GA.');
    // Three requests, each priced on its own.
    expect(result.calls).toHaveLength(3);
  });
});
