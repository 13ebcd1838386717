/**
 * A fake MCP server on 127.0.0.1 that the real @modelcontextprotocol/sdk client talks to
 * unchanged: the SDK's own `Server` behind its `StreamableHTTPServerTransport`, served by
 * node:http on a free port. By default it is the AWS Knowledge MCP server (five tools, real names
 * and schemas, a small corpus: mcp-aws-knowledge.ts); given `tools`, it is any team's server.
 *
 * Stateful by default: `initialize` opens a session (`Mcp-Session-Id`), each session has its own
 * `Server`, and a request with an unknown session id gets 404 as the spec requires. `stateless`
 * answers each POST on its own with JSON and refuses GET (405), like servers behind a gateway.
 *
 * The low-level `Server` rather than `McpServer`: it takes JSON Schemas as servers publish them
 * (McpServer wants zod), can page `tools/list` with `nextCursor`, and lets a `tools/call` fail with
 * a JSON-RPC error (McpServer turns every thrown error into an `isError` result).
 *
 * It records every `tools/call` (tool, arguments, session; when it was received and answered:
 * timingOf) and every HTTP request, and injects faults: down (connection refused), slow calls,
 * HTTP errors such as 429 before the MCP layer, tool-level `isError`, JSON-RPC errors, expired
 * sessions, and `notifications/tools/list_changed`.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ListToolsRequestSchema, isInitializeRequest, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { awsKnowledgeTools } from './mcp-aws-knowledge.js';
import { closeServer, isRecord, readBody, sendJson, sleep } from './util.js';

export interface FakeToolContext {
  /** Aborted when the client cancels the call (`notifications/cancelled`). */
  signal: AbortSignal;
  sessionId: string | undefined;
}

export interface FakeTool {
  /** As `tools/list` gives it: name, description, inputSchema (JSON Schema), annotations, outputSchema. */
  definition: Tool;
  /** A thrown error becomes an `isError` result with its message, as SDK-built servers do. */
  handler: (args: Record<string, unknown>, context: FakeToolContext) => CallToolResult | Promise<CallToolResult>;
}

export interface FakeMcpServerOptions {
  /** Default: the AWS Knowledge server's five tools. */
  tools?: FakeTool[];
  /** `initialize`'s serverInfo. Default: the AWS Knowledge server's (`AWSKnowledgeMCP` 1.0.0). */
  serverInfo?: { name: string; version: string };
  sessions?: 'stateful' | 'stateless';
  /** `tools/list` page size (pages are linked by `nextCursor`); default: every tool on one page. */
  pageSize?: number;
  /** The endpoint's path; other paths get 404. Default `/`. */
  path?: string;
}

export interface RecordedCall {
  tool: string;
  arguments: Record<string, unknown>;
  sessionId: string | undefined;
  outcome?: 'result' | 'tool_error' | 'rpc_error' | 'cancelled';
}

/** When the server's handler had a call (kept apart from RecordedCall, whose shape tests compare whole). */
export interface CallTiming {
  /** ms since the epoch when the call reached the handler (before any setCallDelay wait). */
  receivedAt: number;
  /** When the handler was done with it: a result, a tool error, a JSON-RPC error or a cancellation. */
  answeredAt?: number;
}

export interface RecordedRequest {
  httpMethod: string;
  /** JSON-RPC methods in a POST body (several for a batch); responses from the client have none. */
  rpcMethods: string[];
  sessionId: string | undefined;
  headers: IncomingHttpHeaders;
  /** The HTTP status, once the response has been sent. */
  status?: number;
}

export interface HttpFault {
  status: number;
  /** Sent as `Retry-After` (seconds). */
  retryAfterSeconds?: number;
  /** The JSON-RPC methods it applies to; default `['tools/call']`. `'*'` matches every request. */
  methods?: string[];
  /** Default: API Gateway's shape, `{"message":"Too Many Requests"}` and the like. */
  body?: unknown;
}

interface Session {
  transport: StreamableHTTPServerTransport;
  server: Server;
}

const DEFAULT_SERVER_INFO = { name: 'AWSKnowledgeMCP', version: '1.0.0' };

export class FakeMcpServer {
  readonly calls: RecordedCall[] = [];
  readonly requests: RecordedRequest[] = [];
  private readonly callTimings = new WeakMap<RecordedCall, CallTiming>();
  private tools: FakeTool[];
  private readonly sessions = new Map<string, Session>();
  /** Sessions forgotten without closing their streams (expireSessions({closeStreams:false})); closed on close(). */
  private readonly retired: Session[] = [];
  private readonly eventStreams: Array<{ sessionId: string; res: ServerResponse }> = [];
  private httpServer: HttpServer | undefined;
  private callDelayMs = 0;
  private readonly httpFaults: Array<HttpFault & { remaining: number }> = [];
  private toolErrors: Array<{ remaining: number; text: string }> = [];
  private rpcErrors: Array<{ remaining: number; code: number; message: string }> = [];

  private boundPort = 0;

  private constructor(private readonly options: FakeMcpServerOptions) {
    this.tools = options.tools ?? awsKnowledgeTools();
  }

  static async start(options: FakeMcpServerOptions = {}): Promise<FakeMcpServer> {
    const fake = new FakeMcpServer(options);
    fake.boundPort = await fake.listen(0);
    return fake;
  }

  /** Stays the same across down() and up(). */
  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}${this.options.path ?? '/'}`;
  }

  get isUp(): boolean {
    return this.httpServer !== undefined;
  }

  sessionIds(): string[] {
    return [...this.sessions.keys()];
  }

  /** Whether the client holds the session's standalone SSE stream (GET) open: notifications can reach it. */
  hasEventStream(sessionId: string): boolean {
    return this.eventStreams.some((stream) => stream.sessionId === sessionId && stream.res.headersSent && stream.res.statusCode === 200 && !stream.res.writableEnded && !stream.res.destroyed);
  }

  callsOf(tool: string): RecordedCall[] {
    return this.calls.filter((call) => call.tool === tool);
  }

  /** When the handler received one of `calls` and answered it. */
  timingOf(call: RecordedCall): CallTiming | undefined {
    return this.callTimings.get(call);
  }

  /** Every `tools/call` waits this long before it runs (cut short if the client cancels it). */
  setCallDelay(ms: number): void {
    this.callDelayMs = ms;
  }

  /** The next `count` matching requests fail at the HTTP layer, before the MCP layer sees them. */
  failHttp(count: number, fault: HttpFault): void {
    this.httpFaults.push({ ...fault, remaining: count });
  }

  /** The next `count` tool calls return `isError: true` with this text (a tool's own failure). */
  failToolCalls(count: number, text = 'downstream_error: the documentation service did not answer'): void {
    this.toolErrors.push({ remaining: count, text });
  }

  /** The next `count` tool calls are answered with a JSON-RPC error. */
  rejectToolCalls(count: number, error: { code: number; message: string } = { code: -32603, message: 'Internal error' }): void {
    this.rpcErrors.push({ remaining: count, ...error });
  }

  /**
   * Forgets every session: requests with their ids now get 404. By default their streams are
   * closed too (a restarted server); `closeStreams: false` leaves them open, so the first sign the
   * client gets is the 404 on its next request.
   */
  async expireSessions(options: { closeStreams?: boolean } = {}): Promise<void> {
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    if (options.closeStreams === false) {
      this.retired.push(...sessions);
      return;
    }
    await Promise.all(sessions.map((session) => session.transport.close().catch(() => undefined)));
  }

  /** Replaces the tool list; by default every session is sent `notifications/tools/list_changed`. */
  async setTools(tools: FakeTool[], options: { notify?: boolean } = {}): Promise<void> {
    this.tools = tools;
    if (options.notify !== false) await this.notifyToolListChanged();
  }

  async notifyToolListChanged(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((session) => session.server.sendToolListChanged().catch(() => undefined)));
  }

  /** Stops listening and drops every connection mid-flight, like a crash: clients get connection refused. Sessions are lost. */
  async down(): Promise<void> {
    const server = this.httpServer;
    this.httpServer = undefined;
    if (server) await closeServer(server);
    const sessions = [...this.sessions.values(), ...this.retired.splice(0)];
    this.sessions.clear();
    this.eventStreams.length = 0;
    await Promise.all(sessions.map((session) => session.transport.close().catch(() => undefined)));
  }

  /** Listens again on the same port. */
  async up(): Promise<void> {
    if (this.httpServer) return;
    await this.listen(this.port);
  }

  async close(): Promise<void> {
    await this.down();
  }

  private async listen(port: number): Promise<number> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        // A bug in the fake must be loud in the test output, yet never leave the client hanging.
        console.error('[fake mcp] handler crashed:', error);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('fake crashed');
      });
    });
    server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.httpServer = server;
    return (server.address() as AddressInfo).port;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const sessionId = typeof req.headers['mcp-session-id'] === 'string' ? req.headers['mcp-session-id'] : undefined;
    const record: RecordedRequest = { httpMethod: req.method ?? 'GET', rpcMethods: [], sessionId, headers: req.headers };
    this.requests.push(record);
    res.on('close', () => {
      record.status = res.statusCode;
    });

    if (new URL(req.url ?? '/', 'http://fake').pathname !== (this.options.path ?? '/')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
      return;
    }

    let body: unknown;
    if (req.method === 'POST') {
      try {
        body = JSON.parse((await readBody(req)).toString('utf8'));
      } catch {
        sendJson(res, 400, { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' }, id: null });
        return;
      }
      record.rpcMethods = (Array.isArray(body) ? body : [body]).flatMap((message: unknown) => (isRecord(message) && typeof message.method === 'string' ? [message.method] : []));
    }

    const fault = this.takeHttpFault(record.rpcMethods);
    if (fault) {
      const headers: Record<string, string> = fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {};
      sendJson(res, fault.status, fault.body ?? { message: fault.status === 429 ? 'Too Many Requests' : 'Internal server error' }, headers);
      return;
    }

    if (this.options.sessions === 'stateless') {
      await this.handleStateless(req, res, body);
      return;
    }

    if (sessionId !== undefined) {
      const session = this.sessions.get(sessionId);
      if (!session) {
        sendJson(res, 404, { jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null });
        return;
      }
      if (req.method === 'GET') this.eventStreams.push({ sessionId, res });
      await session.transport.handleRequest(req, res, body);
      return;
    }

    if (req.method === 'POST' && isInitializeRequest(body)) {
      const server = this.buildServer();
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => {
          this.sessions.set(id, { transport, server });
        },
        onsessionclosed: (id) => {
          this.sessions.delete(id);
        },
      });
      transport.onclose = () => {
        if (transport.sessionId !== undefined && this.sessions.get(transport.sessionId)?.transport === transport) this.sessions.delete(transport.sessionId);
      };
      await server.connect(transport);
      await transport.handleRequest(req, res, body);
      return;
    }

    sendJson(res, 400, { jsonrpc: '2.0', error: { code: -32000, message: 'Bad Request: No valid session ID provided' }, id: null });
  }

  private async handleStateless(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST', 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed.' }, id: null }));
      return;
    }
    const server = this.buildServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close().catch(() => undefined);
      void server.close().catch(() => undefined);
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  }

  private takeHttpFault(methods: string[]): HttpFault | undefined {
    const fault = this.httpFaults.find((candidate) => {
      const applies = candidate.methods ?? ['tools/call'];
      return candidate.remaining > 0 && (applies.includes('*') || methods.some((method) => applies.includes(method)));
    });
    if (!fault) return undefined;
    fault.remaining -= 1;
    return fault;
  }

  private buildServer(): Server {
    const server = new Server(this.options.serverInfo ?? DEFAULT_SERVER_INFO, { capabilities: { tools: { listChanged: true } } });
    server.setRequestHandler(ListToolsRequestSchema, (request) => {
      const all = this.tools.map((tool) => tool.definition);
      const pageSize = this.options.pageSize;
      if (pageSize === undefined) return { tools: all };
      const cursor = request.params?.cursor;
      const offset = cursor === undefined ? 0 : Number(Buffer.from(cursor, 'base64url').toString('utf8'));
      if (!Number.isInteger(offset) || offset < 0 || offset > all.length) throw Object.assign(new Error('Invalid cursor'), { code: -32602 });
      const next = offset + pageSize;
      return { tools: all.slice(offset, next), ...(next < all.length ? { nextCursor: Buffer.from(String(next)).toString('base64url') } : {}) };
    });
    server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
      const record: RecordedCall = { tool: request.params.name, arguments: request.params.arguments ?? {}, sessionId: extra.sessionId };
      const timing: CallTiming = { receivedAt: Date.now() };
      this.calls.push(record);
      this.callTimings.set(record, timing);
      try {
        if (this.callDelayMs > 0) await sleep(this.callDelayMs, extra.signal);
        if (extra.signal.aborted) {
          // The SDK sends no answer to a cancelled request, as the spec asks.
          record.outcome = 'cancelled';
          return { content: [] };
        }
        const rpcError = this.rpcErrors.find((entry) => entry.remaining > 0);
        if (rpcError) {
          rpcError.remaining -= 1;
          record.outcome = 'rpc_error';
          // A plain Error with `code`: the SDK sends its code and message as the JSON-RPC error.
          throw Object.assign(new Error(rpcError.message), { code: rpcError.code });
        }
        const tool = this.tools.find((candidate) => candidate.definition.name === request.params.name);
        if (!tool) {
          record.outcome = 'rpc_error';
          throw Object.assign(new Error(`Unknown tool: ${request.params.name}`), { code: -32602 });
        }
        const toolError = this.toolErrors.find((entry) => entry.remaining > 0);
        if (toolError) {
          toolError.remaining -= 1;
          record.outcome = 'tool_error';
          return { content: [{ type: 'text', text: toolError.text }], isError: true };
        }
        try {
          const result = await tool.handler(record.arguments, { signal: extra.signal, sessionId: extra.sessionId });
          record.outcome = result.isError === true ? 'tool_error' : 'result';
          return result;
        } catch (error) {
          record.outcome = 'tool_error';
          return { content: [{ type: 'text', text: error instanceof Error ? error.message : String(error) }], isError: true };
        }
      } finally {
        timing.answeredAt = Date.now();
      }
    });
    return server;
  }
}
