/**
 * One MCP server over Streamable HTTP, kept usable for as long as the provider runs: it connects
 * (`initialize`, then every page of `tools/list`), keeps the tool list fresh, reconnects with
 * backoff when the server is unreachable, opens a new session when the server answers 404 for an
 * expired `Mcp-Session-Id`, and turns every failure of a call into a `CallFailure`, never a throw.
 *
 * Each client it opens has a generation number; events from a client that has since been
 * replaced (its errors, its list_changed notifications, its calls' failures) change nothing.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ToolListChangedNotificationSchema, type CallToolResult, type Tool as McpTool } from '@modelcontextprotocol/sdk/types.js';
import { abortable } from '../../core/abortable.js';
import { redactSecrets } from '../../core/redact.js';
import { abortFailure, classifyFailure, meansServerLost, type CallFailure } from './failures.js';
import type { McpServerConfig, McpServerKind, ResolvedMcpOptions } from './options.js';

export type McpServerState = 'connecting' | 'connected' | 'unreachable' | 'closed';

export interface McpServerStatus {
  name: string;
  url: string;
  kind: McpServerKind;
  /** `connecting`: the first attempt is under way; `unreachable`: its tools are not offered, reconnection is scheduled. */
  state: McpServerState;
  /** When it entered this state. */
  since: Date;
  /** Why it is unreachable (the last failure), for logs and the prompt. */
  lastError?: string;
  /** Tools offered now (after allowedTools); 0 unless connected. */
  toolCount: number;
}

export type CallResponse = { ok: true; result: CallToolResult } | { ok: false; failure: CallFailure };

/** A server that lists more pages than this is broken (or its cursor loops). */
const MAX_LIST_PAGES = 50;
/** A server's Retry-After is honoured for at most this long, so one odd header cannot silence it for hours. */
const MAX_RATE_LIMIT_PAUSE_SECONDS = 60;
/** Transport errors after which the server may be gone: a stream it held open broke, or could not be reopened. */
const STREAM_TROUBLE = /SSE stream disconnected|Failed to reconnect SSE stream|Failed to open SSE stream/;

export class McpServerConnection {
  private state: McpServerState = 'connecting';
  private since = new Date();
  private lastError: string | undefined;
  private tools: McpTool[] = [];
  private toolsSignature = '';

  /** The client calls go through: initialized and listed. */
  private client: Client | undefined;
  private transport: StreamableHTTPClientTransport | undefined;
  /** A client still initializing, kept so close() can end it. */
  private opening: Client | undefined;
  private generation = 0;
  private pending: Promise<Client | undefined> | undefined;
  private refreshing: Promise<void> | undefined;
  private refreshAgain = false;
  private healthCheck: Promise<void> | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private failedAttempts = 0;
  private retryAfterSeconds: number | undefined;
  private rateLimitedUntil = 0;
  private closed = false;
  private readonly url: URL | undefined;

  constructor(
    readonly config: McpServerConfig,
    private readonly options: ResolvedMcpOptions,
    private readonly onChange: () => void,
  ) {
    try {
      this.url = new URL(config.url);
    } catch {
      this.url = undefined;
    }
  }

  get kind(): McpServerKind {
    return this.config.kind ?? 'team';
  }

  /** The first connection attempt; resolves (never rejects) once it succeeded or failed. */
  async start(): Promise<void> {
    if (this.url === undefined) {
      this.setState('unreachable', 'invalid URL');
      return;
    }
    await this.connectNow();
  }

  status(): McpServerStatus {
    return {
      name: this.config.name,
      url: redactSecrets(this.config.url).text,
      kind: this.kind,
      state: this.state,
      since: this.since,
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
      toolCount: this.offeredTools().length,
    };
  }

  /** The tools offered now: none unless the server is connected. */
  offeredTools(): readonly McpTool[] {
    return this.state === 'connected' ? this.tools : [];
  }

  async call(tool: string, args: Record<string, unknown>, signal: AbortSignal): Promise<CallResponse> {
    if (this.closed) return { ok: false, failure: { kind: 'closed' } };
    if (signal.aborted) return { ok: false, failure: abortFailure(signal.reason) };
    const pauseMs = this.rateLimitedUntil - Date.now();
    if (pauseMs > 0) return { ok: false, failure: { kind: 'rate_limited', retryAfterSeconds: Math.ceil(pauseMs / 1000) } };

    let client = this.client;
    if (client === undefined && this.pending !== undefined && this.state !== 'unreachable') client = await abortable(this.pending, signal).catch(() => undefined);
    if (signal.aborted) return { ok: false, failure: abortFailure(signal.reason) };
    if (this.closed) return { ok: false, failure: { kind: 'closed' } };
    if (client === undefined) return { ok: false, failure: this.unavailable() };

    for (let attempt = 0; ; attempt += 1) {
      const generation = this.generation;
      const transport = this.transport;
      try {
        const result = (await client.callTool({ name: tool, arguments: args }, undefined, {
          signal,
          timeout: this.options.callTimeoutMs,
        })) as CallToolResult;
        return { ok: true, result };
      } catch (error) {
        const failure = classifyFailure(error, {
          aborted: signal.aborted,
          abortReason: signal.reason,
          hadSession: transport?.sessionId !== undefined,
          timeoutMs: this.options.callTimeoutMs,
          retryAfterSeconds: this.retryAfterSeconds,
          closing: this.closed,
        });
        // A 404 for an expired session means the call was never run: safe to send again once.
        if (failure.kind === 'session_expired' && attempt === 0 && !signal.aborted) {
          const renewed = await abortable(this.renewSession(generation), signal).catch(() => undefined);
          if (renewed !== undefined) {
            client = renewed;
            continue;
          }
          return { ok: false, failure: signal.aborted ? abortFailure(signal.reason) : this.unavailable() };
        }
        if (failure.kind === 'rate_limited' && failure.retryAfterSeconds !== undefined && failure.retryAfterSeconds > 0) {
          this.rateLimitedUntil = Date.now() + Math.min(failure.retryAfterSeconds, MAX_RATE_LIMIT_PAUSE_SECONDS) * 1000;
        }
        if (meansServerLost(failure)) this.connectionLost(generation, failureDetail(failure));
        return { ok: false, failure };
      }
    }
  }

  /** Reads the tool list again (coalesced: a request during a refresh runs once more after it). */
  async refreshTools(): Promise<void> {
    if (this.refreshing !== undefined) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    const client = this.client;
    if (client === undefined || this.closed) return;
    const generation = this.generation;
    const transport = this.transport;
    this.refreshing = (async () => {
      try {
        const tools = await this.listAll(client);
        if (generation === this.generation && !this.closed) this.applyTools(tools);
      } catch (error) {
        if (generation !== this.generation || this.closed) return;
        const failure = classifyFailure(error, { aborted: false, hadSession: transport?.sessionId !== undefined, timeoutMs: this.options.connectTimeoutMs });
        if (failure.kind === 'session_expired') await this.renewSession(generation);
        else if (failure.kind === 'connection' || failure.kind === 'timeout') this.connectionLost(generation, failureDetail(failure));
        else this.options.logger.warn({ mcpServer: this.config.name, failure: failureDetail(failure) }, 'MCP server: could not refresh its tool list');
      }
    })().finally(() => {
      this.refreshing = undefined;
      if (this.refreshAgain) {
        this.refreshAgain = false;
        void this.refreshTools();
      }
    });
    return this.refreshing;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    // Closing a client fails every request still waiting on it (initialize, tools/list, ping, calls).
    const clients = this.dropClients();
    await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
    await this.pending;
    await this.refreshing;
    await this.healthCheck;
    this.setState('closed');
  }

  private connectNow(): Promise<Client | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    if (this.pending !== undefined) return this.pending;
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.pending = this.open().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async open(): Promise<Client | undefined> {
    const stale = this.dropClients();
    for (const old of stale) void old.close().catch(() => undefined);
    const generation = this.generation;
    const transport = new StreamableHTTPClientTransport(this.url as URL, {
      fetch: this.observingFetch,
      ...(this.config.headers !== undefined ? { requestInit: { headers: this.config.headers } } : {}),
    });
    const client = new Client(this.options.clientInfo, { capabilities: {} });
    client.onerror = (error) => this.onClientError(generation, error);
    client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
      if (generation === this.generation) await this.refreshTools();
    });
    this.opening = client;
    try {
      await client.connect(transport, { timeout: this.options.connectTimeoutMs });
      const tools = await this.listAll(client);
      if (generation !== this.generation || this.closed) return undefined;
      this.opening = undefined;
      this.client = client;
      this.transport = transport;
      this.failedAttempts = 0;
      this.applyTools(tools);
      this.setState('connected');
      return client;
    } catch (error) {
      if (generation !== this.generation || this.closed) return undefined;
      for (const failed of this.dropClients()) void failed.close().catch(() => undefined);
      const failure = classifyFailure(error, { aborted: false, hadSession: false, timeoutMs: this.options.connectTimeoutMs, retryAfterSeconds: this.retryAfterSeconds });
      this.setState('unreachable', failureDetail(failure));
      this.scheduleReconnect();
      return undefined;
    }
  }

  /** Forgets the current clients (the caller closes them) and retires their generation. */
  private dropClients(): Client[] {
    const clients = [this.client, this.opening].filter((client): client is Client => client !== undefined);
    this.client = undefined;
    this.transport = undefined;
    this.opening = undefined;
    this.generation += 1;
    return clients;
  }

  /** A new session after the server forgot ours; calls waiting on it share one. */
  private async renewSession(staleGeneration: number): Promise<Client | undefined> {
    if (this.generation !== staleGeneration) return this.pending !== undefined ? this.pending : this.client;
    this.options.logger.info({ mcpServer: this.config.name }, 'MCP server: session expired, opening a new one');
    return this.connectNow();
  }

  private connectionLost(generation: number, detail: string): void {
    if (generation !== this.generation || this.closed) return;
    for (const client of this.dropClients()) void client.close().catch(() => undefined);
    this.setState('unreachable', detail);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer !== undefined) return;
    const { initial, max } = this.options.reconnectDelayMs;
    const base = Math.min(initial * 2 ** this.failedAttempts, max);
    this.failedAttempts += 1;
    // Jitter: workers that lost the same server must not all come back in the same millisecond.
    const delay = Math.min(max, Math.round(base * (0.8 + Math.random() * 0.4)));
    this.options.logger.debug({ mcpServer: this.config.name, delayMs: delay }, 'MCP server: reconnecting later');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.connectNow();
    }, delay);
    this.reconnectTimer.unref();
  }

  private onClientError(generation: number, error: Error): void {
    if (generation !== this.generation || this.closed) return;
    this.options.logger.debug({ mcpServer: this.config.name, error: redactSecrets(error.message).text }, 'MCP server: transport error');
    if (STREAM_TROUBLE.test(error.message)) void this.checkHealth(generation);
  }

  /**
   * A stream that broke may be the first sign of a server that went away while calls wait for
   * their answers on it: a ping tells a dead server (its waiting calls are then failed at once,
   * not at their time limit) from a stream that merely ended.
   */
  private checkHealth(generation: number): Promise<void> | undefined {
    const client = this.client;
    if (this.healthCheck !== undefined || client === undefined || generation !== this.generation) return this.healthCheck;
    const transport = this.transport;
    this.healthCheck = (async () => {
      try {
        await client.ping({ timeout: this.options.connectTimeoutMs });
      } catch (error) {
        if (this.closed || generation !== this.generation) return;
        const failure = classifyFailure(error, { aborted: false, hadSession: transport?.sessionId !== undefined, timeoutMs: this.options.connectTimeoutMs });
        if (failure.kind === 'session_expired') await this.renewSession(generation);
        else if (failure.kind === 'connection' || failure.kind === 'timeout') this.connectionLost(generation, failureDetail(failure));
      }
    })().finally(() => {
      this.healthCheck = undefined;
    });
    return this.healthCheck;
  }

  private async listAll(client: Client): Promise<McpTool[]> {
    const tools: McpTool[] = [];
    const seenCursors = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page += 1) {
      const result = await client.listTools(cursor !== undefined ? { cursor } : undefined, { timeout: this.options.connectTimeoutMs });
      tools.push(...result.tools);
      cursor = result.nextCursor;
      if (cursor === undefined || seenCursors.has(cursor)) break;
      seenCursors.add(cursor);
    }
    return tools;
  }

  private applyTools(listed: McpTool[]): void {
    const allowed = this.config.allowedTools;
    const tools = allowed === undefined ? listed : listed.filter((tool) => allowed.includes(tool.name));
    const signature = JSON.stringify(tools.map((tool) => [tool.name, tool.title, tool.description, tool.inputSchema]));
    if (signature === this.toolsSignature) return;
    this.tools = tools;
    this.toolsSignature = signature;
    const missing = allowed?.filter((name) => !listed.some((tool) => tool.name === name)) ?? [];
    this.options.logger.info(
      { mcpServer: this.config.name, tools: tools.map((tool) => tool.name), ...(missing.length > 0 ? { allowedButNotOffered: missing } : {}) },
      'MCP server: tool list',
    );
    this.onChange();
  }

  private setState(state: McpServerState, detail?: string): void {
    const changed = state !== this.state;
    if (changed) this.since = new Date();
    this.lastError = state === 'unreachable' ? detail : undefined;
    this.state = state;
    if (!changed) return;
    const fields = { mcpServer: this.config.name, url: redactSecrets(this.config.url).text, ...(detail !== undefined ? { reason: detail } : {}) };
    if (state === 'connected') this.options.logger.info({ ...fields, tools: this.tools.length }, 'MCP server connected');
    else if (state === 'unreachable') this.options.logger.warn(fields, 'MCP server unreachable; its tools are not offered until it answers again');
    this.onChange();
  }

  private unavailable(): CallFailure {
    return this.state === 'unreachable'
      ? { kind: 'unavailable', since: this.since, ...(this.lastError !== undefined ? { detail: this.lastError } : {}) }
      : { kind: 'connection', detail: 'not connected yet' };
  }

  /** The transport's fetch, watched for the Retry-After of a 429 (the SDK's error carries only the status). */
  private readonly observingFetch: FetchLike = async (url, init) => {
    const response = await fetch(url, init);
    if (response.status === 429) this.retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'));
    return response;
  };
}

export function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

function failureDetail(failure: CallFailure): string {
  switch (failure.kind) {
    case 'connection':
    case 'protocol':
      return failure.detail;
    case 'http':
      return `HTTP ${failure.status}`;
    case 'rate_limited':
      return 'rate limited (HTTP 429)';
    case 'rpc_error':
      return `JSON-RPC error ${failure.code}: ${failure.message}`;
    case 'timeout':
      return failure.timeoutMs !== undefined ? `no answer within ${failure.timeoutMs} ms` : 'no answer in time';
    case 'session_expired':
      return 'session expired';
    case 'unavailable':
      return failure.detail ?? 'unavailable';
    case 'aborted':
      return 'aborted';
    case 'closed':
      return 'closed';
  }
}
