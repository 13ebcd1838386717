/**
 * The MCP tool provider against the fake MCP server (test/fakes/mcp.ts), over real HTTP with the
 * real @modelcontextprotocol/sdk client: listing and calling each AWS Knowledge tool, sources,
 * every fault the fake can inject (each an isError outcome, never a throw or a hang), Stop during
 * a slow call, reconnection, session expiry, allowedTools, and keeping the tool list fresh.
 */
import { createHook } from 'node:async_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import type { Tool, ToolContext } from '../../src/model/tools.js';
import { McpToolbox, type McpServerConfig, type McpToolboxOptions } from '../../src/tools/mcp/index.js';
import { FakeMcpServer, type FakeMcpServerOptions, type FakeTool } from '../fakes/mcp.js';
import {
  DOCS_EXAMPLE_KEY_ID,
  DOCS_EXAMPLE_SECRET,
  EC2_INSTANCE_TYPES_URL,
  IAM_ACCESS_KEYS_URL,
  LAMBDA_RUNTIMES_URL,
  SERVICE_CONNECT_URL,
} from '../fakes/mcp-aws-knowledge.js';
import { waitFor } from '../fakes/util.js';

const fakes: FakeMcpServer[] = [];
const toolboxes: McpToolbox[] = [];

afterEach(async () => {
  await Promise.all(toolboxes.splice(0).map((toolbox) => toolbox.close()));
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

async function startFake(options: FakeMcpServerOptions = {}): Promise<FakeMcpServer> {
  const fake = await FakeMcpServer.start(options);
  fakes.push(fake);
  return fake;
}

function docsServer(fake: FakeMcpServer): McpServerConfig {
  return { name: 'aws_docs', url: fake.url, kind: 'aws-knowledge' };
}

function makeToolbox(options: Partial<McpToolboxOptions> & Pick<McpToolboxOptions, 'servers'>): McpToolbox {
  const toolbox = new McpToolbox({ callTimeoutMs: 15_000, connectTimeoutMs: 5_000, refreshIntervalMs: 0, reconnectDelayMs: { initial: 20, max: 200 }, ...options });
  toolboxes.push(toolbox);
  return toolbox;
}

async function startedToolbox(options: Partial<McpToolboxOptions> & Pick<McpToolboxOptions, 'servers'>): Promise<McpToolbox> {
  const toolbox = makeToolbox(options);
  await toolbox.start();
  return toolbox;
}

function toolNamed(toolbox: McpToolbox, name: string): Tool {
  const tool = toolbox.tools().find((candidate) => candidate.definition.name === name);
  if (!tool) throw new Error(`no tool ${name} among ${toolbox.tools().map((candidate) => candidate.definition.name).join(', ')}`);
  return tool;
}

function context(signal: AbortSignal = new AbortController().signal): ToolContext {
  return { signal, asker: { teamId: 'T0001', channel: 'C0001', userId: 'U0001' } };
}

const SEARCH = 'aws_docs__aws___search_documentation';
const READ = 'aws_docs__aws___read_documentation';
const REGIONS = 'aws_docs__aws___list_regions';
const AVAILABILITY = 'aws_docs__aws___get_regional_availability';
const SKILL = 'aws_docs__aws___retrieve_skill';

function textTool(name: string, handler: FakeTool['handler'] = (args) => ({ content: [{ type: 'text', text: `${name}: ${JSON.stringify(args)}` }] })): FakeTool {
  return {
    definition: { name, description: `The ${name} tool.`, inputSchema: { type: 'object', properties: { query: { type: 'string' } } } },
    handler,
  };
}

describe('AWS Knowledge tools', () => {
  it('lists the five tools under namespaced names with the server\'s schemas', async () => {
    const fake = await startFake();
    const toolbox = await startedToolbox({ servers: [docsServer(fake)] });
    expect(toolbox.tools().map((tool) => tool.definition.name)).toEqual([READ, SEARCH, REGIONS, AVAILABILITY, SKILL]);
    const search = toolNamed(toolbox, SEARCH);
    expect(search.definition.inputSchema).toMatchObject({ type: 'object', required: ['search_phrase'], properties: { search_phrase: { type: 'string' }, limit: { type: 'integer' } } });
    expect(search.definition.description).toContain('AWS docs search');
    expect(toolbox.status()).toEqual([expect.objectContaining({ name: 'aws_docs', kind: 'aws-knowledge', state: 'connected', toolCount: 5 })]);
  });

  it('searches the docs: a numbered list, the pages as sources, a step a person can read', async () => {
    const fake = await startFake();
    const toolbox = await startedToolbox({ servers: [docsServer(fake)] });
    const search = toolNamed(toolbox, SEARCH);
    const input = { search_phrase: 'ECS Service Connect Fargate', topics: ['general'] };
    expect(search.describe(input)).toBe('Searching AWS docs: ECS Service Connect Fargate');
    const outcome = await search.run(input, context());
    expect(outcome.isError).toBe(false);
    expect(outcome.text).toContain('1. Use Service Connect to connect Amazon ECS services with short names');
    expect(outcome.text).toContain(SERVICE_CONNECT_URL);
    expect(outcome.sources[0]).toEqual({ url: SERVICE_CONNECT_URL, title: 'Use Service Connect to connect Amazon ECS services with short names' });
    expect(new Set(outcome.sources.map((source) => source.url)).size).toBe(outcome.sources.length);
    expect(outcome.log).toMatchObject({ mcpServer: 'aws_docs', mcpTool: 'aws___search_documentation' });
    expect(fake.calls).toEqual([{ tool: 'aws___search_documentation', arguments: input, sessionId: fake.sessionIds()[0], outcome: 'result' }]);
    expect(search.reuseSeconds).toBeGreaterThanOrEqual(3600);
  });

  it('reads a page, naming it by the title a search gave', async () => {
    const fake = await startFake();
    const toolbox = await startedToolbox({ servers: [docsServer(fake)] });
    const read = toolNamed(toolbox, READ);
    const input = { requests: [{ url: LAMBDA_RUNTIMES_URL }] };
    expect(read.describe(input)).toBe('Reading: /lambda/latest/dg/lambda-runtimes.html');
    await toolNamed(toolbox, SEARCH).run({ search_phrase: 'Lambda runtimes deprecation' }, context());
    expect(read.describe(input)).toBe('Reading: Lambda runtimes');
    const outcome = await read.run(input, context());
    expect(outcome.isError).toBe(false);
    expect(outcome.text).toContain(`Page: ${LAMBDA_RUNTIMES_URL}`);
    expect(outcome.text).toContain('| Node.js 22 | nodejs22.x |');
    expect(outcome.sources).toEqual([{ url: LAMBDA_RUNTIMES_URL, title: 'Lambda runtimes' }]);
  });

  it('lists regions, checks availability and reads a skill', async () => {
    const fake = await startFake();
    const toolbox = await startedToolbox({ servers: [docsServer(fake)] });

    const regions = toolNamed(toolbox, REGIONS);
    expect(regions.describe({})).toBe('Listing AWS regions');
    expect(regions.reuseSeconds).toBe(86_400);
    const regionList = await regions.run({}, context());
    expect(regionList).toMatchObject({ isError: false, sources: [] });
    expect(regionList.text).toContain('"region_id":"eu-south-2"');

    const availability = toolNamed(toolbox, AVAILABILITY);
    const input = { resource_type: 'product', regions: ['eu-west-1', 'us-gov-west-1'], filters: ['Amazon ECS Service Connect'] };
    expect(availability.describe(input)).toBe('Checking regional availability: Amazon ECS Service Connect in eu-west-1, us-gov-west-1');
    const checked = await availability.run(input, context());
    expect(checked.isError).toBe(false);
    expect(JSON.parse(checked.text)).toEqual({ products: { 'Amazon ECS Service Connect': { 'eu-west-1': 'isAvailableIn', 'us-gov-west-1': 'isNotAvailableIn' } } });

    const skill = toolNamed(toolbox, SKILL);
    expect(skill.describe({ skill_name: 'ecs-service-connect-setup' })).toBe('Reading AWS skill: ecs-service-connect-setup');
    const skillText = await skill.run({ skill_name: 'ecs-service-connect-setup' }, context());
    expect(skillText.isError).toBe(false);
    expect(skillText.text).toContain('# Set up Amazon ECS Service Connect');
  });

  it('passes a tool\'s own validation error on as an error outcome', async () => {
    const fake = await startFake();
    const toolbox = await startedToolbox({ servers: [docsServer(fake)] });
    const outcome = await toolNamed(toolbox, AVAILABILITY).run({ resource_type: 'product', regions: ['eu-west-1'], filters: ['Lambda'] }, context());
    expect(outcome).toMatchObject({ isError: true, sources: [] });
    expect(outcome.text).toBe(
      'The AWS documentation server reported an error from aws___get_regional_availability: validation_error: values in filter parameter do not exist: Lambda',
    );
  });

  it('masks credentials a page contains, even the docs\' examples', async () => {
    const fake = await startFake();
    const toolbox = await startedToolbox({ servers: [docsServer(fake)] });
    const outcome = await toolNamed(toolbox, READ).run({ requests: [{ url: IAM_ACCESS_KEYS_URL }] }, context());
    expect(outcome.isError).toBe(false);
    expect(outcome.text).toContain('aws_secret_access_key = [REDACTED:aws_secret_access_key]');
    expect(outcome.text).not.toContain(DOCS_EXAMPLE_KEY_ID);
    expect(outcome.text).not.toContain(DOCS_EXAMPLE_SECRET);
  });

  it('cuts a long result to the token budget and says so', async () => {
    const fake = await startFake();
    const toolbox = await startedToolbox({ servers: [docsServer(fake)], resultMaxTokens: 1000 });
    const outcome = await toolNamed(toolbox, READ).run({ requests: [{ url: EC2_INSTANCE_TYPES_URL, max_length: 50_000 }] }, context());
    expect(outcome.isError).toBe(false);
    expect(outcome.text.length).toBeLessThanOrEqual(3500);
    expect(outcome.text).toContain('| m5.large | 2 | 8 |');
    expect(outcome.text).toMatch(/\[Cut: this result was about \d+ tokens, over the limit of 1000; only its first part is shown\.\]$/);
    expect(outcome.log).toMatchObject({ cut: true });
    expect(outcome.sources).toEqual([{ url: EC2_INSTANCE_TYPES_URL, title: 'Specifications for Amazon EC2 general purpose instances' }]);
  });

  it('follows nextCursor through every page of tools/list', async () => {
    const fake = await startFake({ pageSize: 2 });
    const toolbox = await startedToolbox({ servers: [docsServer(fake)] });
    expect(toolbox.tools()).toHaveLength(5);
    expect(fake.requests.filter((request) => request.rpcMethods.includes('tools/list'))).toHaveLength(3);
  });

  it('works with a stateless server that answers JSON and has no sessions', async () => {
    const fake = await startFake({ sessions: 'stateless' });
    const toolbox = await startedToolbox({ servers: [docsServer(fake)] });
    const outcome = await toolNamed(toolbox, SEARCH).run({ search_phrase: 'S3 bucket naming rules' }, context());
    expect(outcome.isError).toBe(false);
    expect(outcome.sources[0]?.title).toBe('General purpose bucket naming rules');
    expect(fake.calls[0]?.sessionId).toBeUndefined();
    await waitFor(() => fake.requests.some((request) => request.httpMethod === 'GET' && request.status === 405), 5000, 'the event-stream GET refused with 405');
  });
});

describe('faults become error outcomes, never throws or hangs', () => {
  it('a tool-level isError', async () => {
    const fake = await startFake();
    const toolbox = await startedToolbox({ servers: [docsServer(fake)] });
    fake.failToolCalls(1, 'throttled: too many requests to the search backend');
    const outcome = await toolNamed(toolbox, SEARCH).run({ search_phrase: 'ECS' }, context());
    expect(outcome).toMatchObject({ isError: true, sources: [], log: { toolError: true } });
    expect(outcome.text).toBe('The AWS documentation server reported an error from aws___search_documentation: throttled: too many requests to the search backend');
  });

  it('a JSON-RPC error', async () => {
    const fake = await startFake();
    const toolbox = await startedToolbox({ servers: [docsServer(fake)] });
    fake.rejectToolCalls(1, { code: -32603, message: 'Backend exploded' });
    const outcome = await toolNamed(toolbox, SEARCH).run({ search_phrase: 'ECS' }, context());
    expect(outcome).toMatchObject({ isError: true, log: { failure: 'rpc_error', rpcCode: -32603 } });
    expect(outcome.text).toBe('The AWS documentation server rejected the call: Backend exploded (JSON-RPC error -32603).');
  });

  it('HTTP 429 rate limiting, honouring Retry-After without calling again', async () => {
    const fake = await startFake();
    const toolbox = await startedToolbox({ servers: [docsServer(fake)] });
    fake.failHttp(1, { status: 429, retryAfterSeconds: 30 });
    const search = toolNamed(toolbox, SEARCH);
    const first = await search.run({ search_phrase: 'ECS' }, context());
    expect(first).toMatchObject({ isError: true, log: { failure: 'rate_limited' } });
    expect(first.text).toBe('The AWS documentation server is rate limiting requests (HTTP 429); it asks to wait 30 s. Answer without this result, or try again later.');
    const callsSent = fake.requests.filter((request) => request.rpcMethods.includes('tools/call')).length;
    const second = await search.run({ search_phrase: 'Lambda' }, context());
    expect(second.isError).toBe(true);
    expect(second.text).toMatch(/rate limiting requests \(HTTP 429\); it asks to wait (29|30) s/);
    expect(fake.requests.filter((request) => request.rpcMethods.includes('tools/call'))).toHaveLength(callsSent);
    expect(toolbox.status()[0]?.state).toBe('connected');
  });

  it('another HTTP error', async () => {
    const fake = await startFake();
    const toolbox = await startedToolbox({ servers: [docsServer(fake)] });
    fake.failHttp(1, { status: 503 });
    const outcome = await toolNamed(toolbox, SEARCH).run({ search_phrase: 'ECS' }, context());
    expect(outcome).toMatchObject({ isError: true, log: { failure: 'http', httpStatus: 503 } });
    expect(outcome.text).toBe('The AWS documentation server answered HTTP 503 (Service Unavailable). Answer without this result.');
    expect((await toolNamed(toolbox, SEARCH).run({ search_phrase: 'ECS' }, context())).isError).toBe(false);
  });

  it('connection refused: the server is marked unreachable and its tools are withdrawn', async () => {
    const fake = await startFake();
    const toolbox = await startedToolbox({ servers: [docsServer(fake)], reconnectDelayMs: { initial: 60_000, max: 60_000 } });
    const search = toolNamed(toolbox, SEARCH);
    await fake.down();
    const outcome = await search.run({ search_phrase: 'ECS' }, context());
    // Either the call finds the server gone, or the broken event stream already told the provider so.
    expect(outcome.isError).toBe(true);
    expect(outcome.text).toMatch(/^The AWS documentation server is (unreachable \(connection (refused|closed)\)|unavailable \(unreachable since .+\))\. Answer without this result\.$/);
    const status = await waitFor(() => toolbox.status().find((server) => server.state === 'unreachable'), 5000, 'status unreachable');
    expect(status.since).toBeInstanceOf(Date);
    expect(status.lastError).toBeTruthy();
    expect(toolbox.tools()).toEqual([]);
    const later = await search.run({ search_phrase: 'ECS' }, context());
    expect(later.text).toMatch(/^The AWS documentation server is unavailable \(unreachable since \d{4}-\d\d-\d\dT.*\)\. Answer without this result\.$/);
  });

  it('a slow server: the call ends at its time limit', async () => {
    const fake = await startFake();
    const toolbox = await startedToolbox({ servers: [docsServer(fake)], callTimeoutMs: 300 });
    fake.setCallDelay(60_000);
    const outcome = await toolNamed(toolbox, SEARCH).run({ search_phrase: 'ECS' }, context());
    expect(outcome).toMatchObject({ isError: true, log: { failure: 'timeout' } });
    expect(outcome.text).toBe('The AWS documentation server did not answer within 0.3 s. Answer without this result, or try a narrower request.');
    await waitFor(() => fake.calls[0]?.outcome === 'cancelled', 5000, 'the server told to cancel the call');
  });

  it('Stop during a slow call ends it at once and cancels it on the server', async () => {
    const fake = await startFake();
    const toolbox = await startedToolbox({ servers: [docsServer(fake)], callTimeoutMs: 60_000 });
    fake.setCallDelay(60_000);
    const stop = new AbortController();
    const running = toolNamed(toolbox, SEARCH).run({ search_phrase: 'ECS' }, context(stop.signal));
    await waitFor(() => fake.calls.length === 1, 5000, 'the call reached the server');
    stop.abort();
    const outcome = await running;
    expect(outcome).toMatchObject({ isError: true, log: { failure: 'aborted' } });
    expect(outcome.text).toBe('Stopped: the call to the AWS documentation server was cancelled before it answered.');
    await waitFor(() => fake.calls[0]?.outcome === 'cancelled', 5000, 'the server told to cancel the call');
  });

  it('the caller\'s own time limit (a TimeoutError abort) is reported as a time limit, not a Stop', async () => {
    const fake = await startFake();
    const toolbox = await startedToolbox({ servers: [docsServer(fake)], callTimeoutMs: 60_000 });
    fake.setCallDelay(60_000);
    const outcome = await toolNamed(toolbox, SEARCH).run({ search_phrase: 'ECS' }, context(AbortSignal.timeout(200)));
    expect(outcome).toMatchObject({ isError: true, log: { failure: 'timeout' } });
    expect(outcome.text).toBe('The AWS documentation server did not answer in time. Answer without this result, or try a narrower request.');
  });

  it('a server that goes down mid-call fails the call at once, not at its time limit', async () => {
    const fake = await startFake();
    const toolbox = await startedToolbox({ servers: [docsServer(fake)], callTimeoutMs: 45_000, reconnectDelayMs: { initial: 60_000, max: 60_000 } });
    fake.setCallDelay(60_000);
    const running = toolNamed(toolbox, SEARCH).run({ search_phrase: 'ECS' }, context());
    await waitFor(() => fake.calls.length === 1, 5000, 'the call reached the server');
    await fake.down();
    const outcome = await running;
    expect(outcome).toMatchObject({ isError: true, log: { failure: 'connection' } });
    expect(outcome.text).toMatch(/is unreachable/);
    expect(toolbox.status()[0]?.state).toBe('unreachable');
  });
});

describe('connection lifecycle', () => {
  it('starts without a server that is down, then offers its tools once it answers', async () => {
    const fake = await startFake();
    await fake.down();
    const toolbox = makeToolbox({ servers: [docsServer(fake)] });
    await toolbox.start();
    expect(toolbox.tools()).toEqual([]);
    expect(toolbox.status()).toEqual([expect.objectContaining({ name: 'aws_docs', state: 'unreachable', toolCount: 0, lastError: 'connection refused' })]);
    expect(toolbox.status()[0]?.since).toBeInstanceOf(Date);
    await fake.up();
    await waitFor(() => toolbox.tools().length === 5, 10_000, 'tools offered after the server came back');
    expect(toolbox.status()[0]?.state).toBe('connected');
    expect((await toolNamed(toolbox, SEARCH).run({ search_phrase: 'Lambda runtimes' }, context())).isError).toBe(false);
  });

  it('reconnects after an outage', async () => {
    const fake = await startFake();
    const toolbox = await startedToolbox({ servers: [docsServer(fake)] });
    const firstSession = fake.sessionIds()[0];
    await fake.down();
    expect((await toolNamed(toolbox, SEARCH).run({ search_phrase: 'ECS' }, context())).isError).toBe(true);
    await fake.up();
    await waitFor(() => toolbox.status()[0]?.state === 'connected' && toolbox.tools().length === 5, 10_000, 'reconnected');
    const outcome = await toolNamed(toolbox, SEARCH).run({ search_phrase: 'ECS' }, context());
    expect(outcome.isError).toBe(false);
    expect(fake.calls.at(-1)?.sessionId).not.toBe(firstSession);
  });

  it('opens a new session when the server answers 404 for the old one, and retries the call', async () => {
    const fake = await startFake();
    const toolbox = await startedToolbox({ servers: [docsServer(fake)] });
    const search = toolNamed(toolbox, SEARCH);
    expect((await search.run({ search_phrase: 'ECS' }, context())).isError).toBe(false);
    const oldSession = fake.sessionIds()[0];
    await fake.expireSessions({ closeStreams: false });
    const outcome = await search.run({ search_phrase: 'Lambda runtimes' }, context());
    expect(outcome.isError).toBe(false);
    expect(fake.requests).toContainEqual(expect.objectContaining({ httpMethod: 'POST', rpcMethods: ['tools/call'], sessionId: oldSession, status: 404 }));
    const newSession = fake.sessionIds()[0];
    expect(newSession).toBeDefined();
    expect(newSession).not.toBe(oldSession);
    expect(fake.calls.map((call) => [call.arguments.search_phrase, call.sessionId])).toEqual([
      ['ECS', oldSession],
      ['Lambda runtimes', newSession],
    ]);
  });

  it('notices an expired session on its event stream and renews it before the next call', async () => {
    const fake = await startFake();
    const toolbox = await startedToolbox({ servers: [docsServer(fake)] });
    const oldSession = fake.sessionIds()[0] as string;
    await waitFor(() => fake.hasEventStream(oldSession), 5000, 'event stream open');
    await fake.expireSessions();
    const newSession = await waitFor(() => fake.sessionIds().find((id) => id !== oldSession), 15_000, 'a new session');
    const outcome = await toolNamed(toolbox, SEARCH).run({ search_phrase: 'ECS' }, context());
    expect(outcome.isError).toBe(false);
    expect(fake.calls.at(-1)?.sessionId).toBe(newSession);
  });

  it('close() ends connections and timers; later calls are error outcomes', async () => {
    const fake = await startFake();
    const down = await startFake();
    await down.down();
    const timers = watchTimersFrom('/src/tools/mcp/');
    try {
      const toolbox = makeToolbox({
        servers: [docsServer(fake), { name: 'gone', url: down.url }],
        refreshIntervalMs: 50,
        reconnectDelayMs: { initial: 10_000, max: 10_000 },
      });
      await toolbox.start();
      const search = toolNamed(toolbox, SEARCH);
      // The refresh interval and the reconnection timer of the server that is down.
      expect(timers.alive()).toBeGreaterThanOrEqual(2);
      await toolbox.close();
      // async_hooks reports a cleared timer's destruction on a later tick.
      await waitFor(() => timers.alive() === 0, 2000, 'every timer of the provider cleared');
      expect(toolbox.status().map((server) => server.state)).toEqual(['closed', 'closed']);
      expect(toolbox.tools()).toEqual([]);
      const outcome = await search.run({ search_phrase: 'ECS' }, context());
      expect(outcome).toMatchObject({ isError: true, log: { failure: 'closed' } });
    } finally {
      timers.stop();
    }
  });
});

/** Timers (setTimeout/setInterval) created from files whose path contains `pathPart` and not yet cleared or fired. */
function watchTimersFrom(pathPart: string): { alive(): number; stop(): void } {
  const alive = new Set<number>();
  const hook = createHook({
    init(asyncId, type) {
      if (type === 'Timeout' && (new Error().stack ?? '').includes(pathPart)) alive.add(asyncId);
    },
    destroy(asyncId) {
      alive.delete(asyncId);
    },
  }).enable();
  return { alive: () => alive.size, stop: () => void hook.disable() };
}

describe('team servers', () => {
  it('offers only allowedTools, sends the configured headers, and describes steps as "<server>: <tool>"', async () => {
    const fake = await startFake({
      serverInfo: { name: 'runbooks', version: '2.0.0' },
      tools: [textTool('find_runbook'), textTool('delete_everything'), { ...textTool('page_oncall'), definition: { ...textTool('page_oncall').definition, title: 'Page on-call' } }],
    });
    const toolbox = await startedToolbox({
      servers: [{ name: 'runbooks', url: fake.url, headers: { Authorization: 'Bearer team-token-123' }, allowedTools: ['find_runbook', 'page_oncall'] }],
    });
    expect(toolbox.tools().map((tool) => tool.definition.name)).toEqual(['runbooks__find_runbook', 'runbooks__page_oncall']);
    const find = toolNamed(toolbox, 'runbooks__find_runbook');
    expect(find.describe({ query: 'db failover' })).toBe('runbooks: find_runbook');
    expect(toolNamed(toolbox, 'runbooks__page_oncall').describe({})).toBe('runbooks: Page on-call');
    expect(find.reuseSeconds).toBe(0);
    const outcome = await find.run({ query: 'db failover' }, context());
    expect(outcome).toMatchObject({ isError: false, text: 'find_runbook: {"query":"db failover"}', sources: [] });
    expect(fake.requests.every((request) => request.headers.authorization === 'Bearer team-token-123')).toBe(true);
  });

  it('takes sources from structured results and resource links, and the configured reuse', async () => {
    const fake = await startFake({
      tools: [
        textTool('search_wiki', () => ({
          content: [
            { type: 'text', text: 'Two pages match.' },
            { type: 'resource_link', uri: 'https://wiki.example.com/db-failover', name: 'db-failover', title: 'Database failover' },
          ],
          structuredContent: { hits: [{ title: 'On-call handbook', url: 'https://wiki.example.com/oncall' }, { title: 'Failover again', url: 'https://wiki.example.com/db-failover' }] },
        })),
      ],
    });
    const toolbox = await startedToolbox({ servers: [{ name: 'wiki', url: fake.url, reuseSeconds: 300 }] });
    const tool = toolNamed(toolbox, 'wiki__search_wiki');
    expect(tool.reuseSeconds).toBe(300);
    const outcome = await tool.run({ query: 'failover' }, context());
    expect(outcome.sources).toEqual([
      { url: 'https://wiki.example.com/db-failover', title: 'Database failover' },
      { url: 'https://wiki.example.com/oncall', title: 'On-call handbook' },
    ]);
    expect(outcome.text).toBe('Two pages match.\n\nDatabase failover: https://wiki.example.com/db-failover');
  });

  it('refreshes the tool list on notifications/tools/list_changed', async () => {
    const fake = await startFake({ tools: [textTool('alpha')] });
    const toolbox = await startedToolbox({ servers: [{ name: 'team', url: fake.url }] });
    expect(toolbox.tools().map((tool) => tool.definition.name)).toEqual(['team__alpha']);
    const session = fake.sessionIds()[0] as string;
    await waitFor(() => fake.hasEventStream(session), 5000, 'event stream open');
    await fake.setTools([textTool('alpha'), textTool('beta')]);
    await waitFor(() => toolbox.tools().length === 2, 5000, 'the new tool offered');
    expect(toolbox.tools().map((tool) => tool.definition.name)).toEqual(['team__alpha', 'team__beta']);
    expect((await toolNamed(toolbox, 'team__beta').run({ query: 'q' }, context())).text).toBe('beta: {"query":"q"}');
  });

  it('refreshes the tool list on its interval when the server sends no notification', async () => {
    const fake = await startFake({ tools: [textTool('alpha'), textTool('beta')], sessions: 'stateless' });
    const toolbox = await startedToolbox({ servers: [{ name: 'team', url: fake.url }], refreshIntervalMs: 50 });
    expect(toolbox.tools()).toHaveLength(2);
    await fake.setTools([textTool('beta'), textTool('gamma')], { notify: false });
    await waitFor(() => toolbox.tools().some((tool) => tool.definition.name === 'team__gamma'), 5000, 'the list re-read');
    expect(toolbox.tools().map((tool) => tool.definition.name)).toEqual(['team__beta', 'team__gamma']);
  });

  it('calls each server under its own prefix, and one server down leaves the other usable', async () => {
    const docs = await startFake();
    const team = await startFake({ tools: [textTool('alpha')] });
    const toolbox = await startedToolbox({ servers: [docsServer(docs), { name: 'team', url: team.url }], reconnectDelayMs: { initial: 60_000, max: 60_000 } });
    expect(toolbox.tools()).toHaveLength(6);
    await docs.down();
    expect((await toolNamed(toolbox, SEARCH).run({ search_phrase: 'ECS' }, context())).isError).toBe(true);
    await waitFor(() => toolbox.tools().length === 1, 5000, 'docs tools withdrawn');
    expect((await toolNamed(toolbox, 'team__alpha').run({}, context())).isError).toBe(false);
    expect(toolbox.status().map((server) => [server.name, server.state])).toEqual([
      ['aws_docs', 'unreachable'],
      ['team', 'connected'],
    ]);
    expect(toolbox.promptFacts()).toEqual({ docs: 'unavailable', teamServers: ['team'] });
  });

  it('tells the prompt whether docs are available, and which team servers offer tools', async () => {
    const docs = await startFake();
    const team = await startFake({ tools: [textTool('alpha')] });
    const both = await startedToolbox({ servers: [docsServer(docs), { name: 'team', url: team.url }] });
    expect(both.promptFacts()).toEqual({ docs: 'available', teamServers: ['team'] });
    const teamOnly = await startedToolbox({ servers: [{ name: 'team', url: team.url, allowedTools: ['not_offered'] }] });
    expect(teamOnly.promptFacts()).toEqual({ docs: 'off', teamServers: [] });
  });
});
