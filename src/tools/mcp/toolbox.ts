/**
 * The MCP tool provider: every configured server's tools as the model loop's `Tool`s, named
 * `<server>__<tool>`, each call bounded in time and size, masked, and never throwing.
 *
 * `start()` connects to every server at once and never blocks on (nor fails for) one that is
 * down: its tools simply appear once it answers. `status()` says which servers are unavailable
 * and since when; `promptFacts()` sums that up for the system prompt. `close()` ends every
 * connection and timer.
 */
import type { Tool as McpTool } from '@modelcontextprotocol/sdk/types.js';
import { redactSecrets } from '../../core/redact.js';
import type { PromptContext } from '../../model/system-prompt.js';
import type { Tool, ToolContext, ToolOutcome, ToolSource } from '../../model/tools.js';
import { awsKnowledgeReuseSeconds, describeAwsKnowledgeCall, presentAwsKnowledgeResult, type PresentedResult } from './aws-knowledge.js';
import { failureText, toolErrorText, type CallFailure } from './failures.js';
import { namespacedToolName } from './naming.js';
import { resolveOptions, type McpToolboxOptions, type ResolvedMcpOptions } from './options.js';
import { capToTokens, contentText, structuredSources } from './result-text.js';
import { McpServerConnection, type McpServerStatus } from './server-connection.js';

/** Tool descriptions are sent with every request: a server's essay is cut here. */
const MAX_DESCRIPTION_CHARS = 4000;
/** Page titles remembered from search results, for "Reading: <title>". */
const MAX_REMEMBERED_TITLES = 500;

export class McpToolbox {
  private readonly options: ResolvedMcpOptions;
  private readonly connections: McpServerConnection[];
  private readonly titles = new Map<string, string>();
  private cachedTools: Tool[] | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private started = false;
  private closed = false;

  constructor(options: McpToolboxOptions) {
    this.options = resolveOptions(options);
    const names = new Set<string>();
    this.connections = options.servers
      .filter((server) => {
        // Two servers under one name would make tool names ambiguous; settings.ts reports it, this only guards.
        if (names.has(server.name)) return false;
        names.add(server.name);
        return true;
      })
      .map((server) => new McpServerConnection(server, this.options, () => this.invalidate()));
  }

  /** Connects to every server; resolves when each has connected or failed its first attempt (bounded by connectTimeoutMs). Never rejects. */
  async start(): Promise<void> {
    if (this.started || this.closed) return;
    this.started = true;
    if (this.options.refreshIntervalMs > 0) {
      this.refreshTimer = setInterval(() => void this.refresh(), this.options.refreshIntervalMs);
      this.refreshTimer.unref();
    }
    await Promise.all(this.connections.map((connection) => connection.start()));
  }

  /** The tools offered now: those of connected servers, allowed by their allowedTools, in configuration order. */
  tools(): Tool[] {
    this.cachedTools ??= this.buildTools();
    return this.cachedTools;
  }

  status(): McpServerStatus[] {
    return this.connections.map((connection) => connection.status());
  }

  /**
   * What the system prompt says about these tools: AWS docs `available` (tools offered now),
   * `unavailable` (configured, not reachable or not yet connected) or `off` (not configured), and
   * the team servers whose tools are offered now.
   */
  promptFacts(): Pick<PromptContext, 'docs' | 'teamServers'> {
    const statuses = this.status();
    const docs = statuses.filter((server) => server.kind === 'aws-knowledge');
    return {
      docs: docs.length === 0 ? 'off' : docs.some((server) => server.state === 'connected' && server.toolCount > 0) ? 'available' : 'unavailable',
      teamServers: statuses.filter((server) => server.kind === 'team' && server.state === 'connected' && server.toolCount > 0).map((server) => server.name),
    };
  }

  /** Reads every connected server's tool list again now (the interval and `list_changed` do this on their own). */
  async refresh(): Promise<void> {
    await Promise.all(this.connections.map((connection) => connection.refreshTools()));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.refreshTimer !== undefined) clearInterval(this.refreshTimer);
    this.refreshTimer = undefined;
    await Promise.all(this.connections.map((connection) => connection.close()));
    this.invalidate();
  }

  private invalidate(): void {
    this.cachedTools = undefined;
  }

  private buildTools(): Tool[] {
    const taken = new Set<string>();
    const tools: Tool[] = [];
    for (const connection of this.connections) {
      for (const mcpTool of connection.offeredTools()) {
        const name = namespacedToolName(connection.config.name, mcpTool.name, taken);
        taken.add(name);
        tools.push(this.toolFor(connection, mcpTool, name));
      }
    }
    return tools;
  }

  private toolFor(connection: McpServerConnection, mcpTool: McpTool, name: string): Tool {
    const server = connection.config;
    const docs = connection.kind === 'aws-knowledge';
    const label = docs ? 'The AWS documentation server' : `The MCP server "${server.name}"`;
    const description = mcpTool.description ?? mcpTool.title ?? mcpTool.name;
    return {
      definition: {
        name,
        description: description.length <= MAX_DESCRIPTION_CHARS ? description : `${description.slice(0, MAX_DESCRIPTION_CHARS - 1)}…`,
        inputSchema: { ...mcpTool.inputSchema, type: 'object' },
      },
      describe: (input) => {
        const step = docs ? describeAwsKnowledgeCall(mcpTool.name, input, this.titleOf) : `${server.name}: ${mcpTool.title ?? mcpTool.name}`;
        return redactSecrets(step).text;
      },
      run: (input, context) => this.run(connection, mcpTool.name, label, input, context),
      reuseSeconds: server.reuseSeconds ?? (docs ? awsKnowledgeReuseSeconds(mcpTool.name) : 0),
    };
  }

  private async run(connection: McpServerConnection, tool: string, label: string, input: Record<string, unknown>, context: ToolContext): Promise<ToolOutcome> {
    const startedAt = Date.now();
    const log: Record<string, unknown> = { mcpServer: connection.config.name, mcpTool: tool };
    try {
      const response = await connection.call(tool, input, context.signal);
      log.durationMs = Date.now() - startedAt;
      if (!response.ok) return this.failed(response.failure, label, log);
      const result = response.result;
      if (result.isError === true) {
        log.toolError = true;
        return { text: this.bounded(toolErrorText(label, tool, contentText(result))).text, isError: true, sources: [], log };
      }
      const presented: PresentedResult =
        connection.kind === 'aws-knowledge'
          ? presentAwsKnowledgeResult(tool, input, result, this.titleOf)
          : { text: contentText(result), sources: structuredSources(result) };
      const sources = maskSources(presented.sources);
      if (connection.kind === 'aws-knowledge') this.rememberTitles(sources);
      const bounded = this.bounded(presented.text.trim() === '' ? '(The tool returned no content.)' : presented.text);
      log.resultChars = bounded.text.length;
      if (bounded.cut) log.cut = true;
      return { text: bounded.text, isError: false, sources, log };
    } catch (error) {
      // Not expected (every failure of a call is classified); the contract is never to throw.
      log.unexpected = error instanceof Error ? error.message : String(error);
      return { text: `${label} failed unexpectedly; answer without this result.`, isError: true, sources: [], log };
    }
  }

  private failed(failure: CallFailure, label: string, log: Record<string, unknown>): ToolOutcome {
    log.failure = failure.kind;
    if (failure.kind === 'http') log.httpStatus = failure.status;
    if (failure.kind === 'rpc_error') log.rpcCode = failure.code;
    return { text: redactSecrets(failureText(failure, label)).text, isError: true, sources: [], log };
  }

  /** Masked first, then cut: cutting first could leave half a secret that no longer looks like one. */
  private bounded(text: string): { text: string; cut: boolean } {
    return capToTokens(redactSecrets(text).text, this.options.resultMaxTokens);
  }

  private readonly titleOf = (url: string): string | undefined => this.titles.get(url);

  private rememberTitles(sources: readonly ToolSource[]): void {
    for (const source of sources) {
      this.titles.delete(source.url);
      this.titles.set(source.url, source.title);
    }
    for (const oldest of this.titles.keys()) {
      if (this.titles.size <= MAX_REMEMBERED_TITLES) break;
      this.titles.delete(oldest);
    }
  }
}

/** Titles and addresses come from a server too: masked, and a source whose address held a secret is dropped (it would not open). */
function maskSources(sources: readonly ToolSource[]): ToolSource[] {
  return sources.flatMap((source) => {
    const url = redactSecrets(source.url).text;
    return url === source.url ? [{ url, title: redactSecrets(source.title).text }] : [];
  });
}
