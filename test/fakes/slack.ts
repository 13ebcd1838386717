/**
 * A fake Slack that the real @slack/web-api, @slack/bolt and @slack/socket-mode clients talk to
 * over HTTP and WebSocket on 127.0.0.1: the Web API (`POST /api/<method>`), response_url
 * endpoints and Socket Mode, backed by an in-memory workspace, with recording, rate limits and
 * fault injection for tests. Wire formats: README.md and slack.md in this folder.
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  acceptedScopes,
  DEFAULT_SCOPES,
  METHODS,
  type Args,
  type AssistantCall,
  type EphemeralMessage,
  type MethodContext,
} from './slack-methods.js';
import { SLACK_PUBLISHED_LIMITS, SlackRateLimiter, type RateLimitScope } from './slack-ratelimit.js';
import { SocketModeServer, type EnvelopeOptions, type EnvelopeType, type SentEnvelope, type SocketAck } from './slack-socket.js';
import { viewOf, type StreamTask, type StreamView } from './slack-streams.js';
import {
  SlackApiError,
  Workspace,
  type ChannelSpec,
  type HomeView,
  type Identity,
  type MessageVersion,
  type PublishedHomeView,
  type SlackBlock,
  type SlackMessage,
  type SlackUser,
  type StatusChange,
  type StreamChunk,
} from './slack-workspace.js';
import { closeServer, isRecord, listenOnLoopback, randomId, readBody, sendJson, sleep, waitFor } from './util.js';

export type {
  ChannelSpec,
  HomeView,
  MessageVersion,
  PublishedHomeView,
  SlackBlock,
  SlackMessage,
  SlackUser,
  StatusChange,
  StreamChunk,
} from './slack-workspace.js';
export type { StreamEnd, StreamEvent, StreamTask, StreamView, TaskStatus, TaskUpdate, UrlSource } from './slack-streams.js';
export type { AssistantCall, EphemeralMessage } from './slack-methods.js';
export type { EnvelopeOptions, EnvelopeType, SentEnvelope, SocketAck } from './slack-socket.js';
export { SLACK_PUBLISHED_LIMITS } from './slack-ratelimit.js';

export interface FakeSlackOptions {
  teamId?: string;
  teamName?: string;
  teamDomain?: string;
  botUserId?: string;
  botId?: string;
  appId?: string;
  botName?: string;
  /** The only bot token accepted; default: any `xoxb-…`. */
  botToken?: string;
  /** The only app-level token accepted; default: any `xapp-…`. */
  appToken?: string;
  /** Granted scopes; a method needing another one answers `missing_scope`. Default: all the bot needs. */
  scopes?: string[];
  /** Extra channels (on top of C0GENERAL, C0NOTIN and D0DM). */
  channels?: ChannelSpec[];
  /** Extra users (on top of U0ALICE, U0BOB and the bot). */
  users?: SlackUser[];
  /** Largest page conversations.replies returns whatever `limit` asks for (Slack: 1000). */
  repliesPageSize?: number;
  /** Whether every conversations.replies page starts with the thread's parent. Default true. */
  repliesRepeatParent?: boolean;
  /** Makes chat.startStream fail (everywhere, or in the listed channels) so the fallback can be tested. */
  streamingUnsupported?: boolean | { channels?: string[]; error?: string };
  /** Slack ends a stream by itself after about five minutes; later appends fail. */
  streamLifetimeMs?: number;
  /**
   * Refuses an append or stop whose kind of content (`markdown_text` or `chunks`) differs from the
   * stream's first one with `streaming_mode_mismatch`, as Slack documents. Default false.
   */
  strictStreamingMode?: boolean;
  /** Whether the app has a Home tab; views.publish answers `not_enabled` without one. Default true. */
  homeTabEnabled?: boolean;
  /** Applies SLACK_PUBLISHED_LIMITS at start. */
  realisticRateLimits?: boolean;
  /**
   * Benchmarks only: rate-limit windows last 60 s / scale (and 1 s / scale for bursts) with the
   * same counts, so that minutes of Slack throttling take seconds. Default 1 (Slack's own clock).
   */
  rateLimitTimeScale?: number;
  /** Delay before every Web API answer. */
  latencyMs?: number;
  /** response_url lifetime (Slack: 30 minutes). */
  responseUrlTtlMs?: number;
  /** Interval of the server's WebSocket pings (Slack's are well inside the client's 30 s timeout). */
  socketPingIntervalMs?: number;
  /** Default wait for an envelope's ack. */
  envelopeTimeoutMs?: number;
}

export interface SlackCall {
  method: string;
  /** Arguments as received, with JSON-encoded form fields (blocks, metadata, chunks…) decoded. */
  args: Args;
  /** ms since the epoch when the request arrived. */
  at: number;
  status: number;
  ok: boolean;
  error?: string;
  response: unknown;
  token?: string;
  contentType: string;
}

export type SlackFailure =
  | { error: string; extra?: Record<string, unknown> }
  | { status: 429; retryAfter: number }
  | { status: number; body?: string };

export interface ResponseUrlContext {
  id?: string;
  /** Where in_channel answers are posted and ephemeral ones are shown. */
  channel?: string;
  user?: string;
  /** The message replace_original/delete_original act on (a block_actions source message). */
  messageTs?: string;
}

/** A message from another app or integration (an alert bot, AWS Chatbot…), as seeded by addBotMessage. */
export interface OtherBotMessage {
  botId: string;
  appId?: string;
  /** The name Slack shows (bot_profile.name and, for integrations, `username`). */
  botName?: string;
  username?: string;
  /**
   * Posts as an app's bot user (a plain message with `user`, `bot_id` and `app_id`) instead of the
   * default `bot_message` subtype that integrations and incoming webhooks produce.
   */
  botUserId?: string;
  text?: string;
  attachments?: Array<Record<string, unknown>>;
  blocks?: SlackBlock[];
  thread_ts?: string;
  ts?: string;
}

/** How long Slack shows an assistant status when no reply comes (docs: two minutes). */
const STATUS_TIMEOUT_MS = 120_000;

export interface ResponseUrlPost {
  id: string;
  body: Record<string, unknown>;
  at: number;
  status: number;
}

interface ResponseUrlState {
  context: ResponseUrlContext;
  createdAt: number;
  uses: number;
}

/** Slack accepts five uses of a response_url. */
const RESPONSE_URL_MAX_USES = 5;
const JSON_FIELDS = ['blocks', 'attachments', 'metadata', 'chunks', 'prompts', 'unfurls', 'view', 'loading_messages'];
const APP_TOKEN_METHODS = new Set(['apps.connections.open']);

export class FakeSlack {
  readonly calls: SlackCall[] = [];
  readonly ephemerals: EphemeralMessage[] = [];
  readonly assistantCalls: AssistantCall[] = [];
  readonly responses: ResponseUrlPost[] = [];
  /** Emits `call` (SlackCall) after each Web API request is handled and before it is answered. */
  readonly events = new EventEmitter();
  readonly identity: Identity;

  private readonly ws: Workspace;
  private readonly limiter: SlackRateLimiter;
  private readonly failures = new Map<string, Array<{ failure: SlackFailure; remaining: number }>>();
  private readonly latency = new Map<string, number>();
  private readonly responseUrls = new Map<string, ResponseUrlState>();
  private readonly scopes: Set<string>;
  private streamingUnsupported: FakeSlackOptions['streamingUnsupported'];
  private socket!: SocketModeServer;
  private closeHttp!: () => Promise<void>;
  private origin = '';

  constructor(private readonly options: FakeSlackOptions = {}) {
    this.identity = {
      teamId: options.teamId ?? 'T0TEST',
      teamName: options.teamName ?? 'Fake Test Workspace',
      teamDomain: options.teamDomain ?? 'fake-test',
      botUserId: options.botUserId ?? 'UBOT',
      botId: options.botId ?? 'BBOT',
      appId: options.appId ?? 'A0TEST',
      botName: options.botName ?? 'aws-orchestrator',
    };
    this.ws = new Workspace(this.identity);
    this.limiter = new SlackRateLimiter(options.rateLimitTimeScale ?? 1);
    this.scopes = new Set(options.scopes ?? DEFAULT_SCOPES);
    this.streamingUnsupported = options.streamingUnsupported;
    this.seed();
    if (options.realisticRateLimits) this.useRealisticRateLimits();
    this.events.setMaxListeners(100);
  }

  private seed(): void {
    this.ws.addUser({ id: 'U0ALICE', name: 'alice', real_name: 'Alice Example', profile: { display_name: 'alice', real_name: 'Alice Example' } });
    this.ws.addUser({ id: 'U0BOB', name: 'bob', real_name: 'Bob Example', profile: { display_name: 'bob', real_name: 'Bob Example' } });
    for (const user of this.options.users ?? []) this.ws.addUser(user);
    this.ws.addChannel({ id: 'C0GENERAL', name: 'general', type: 'channel', isMember: true });
    this.ws.addChannel({ id: 'C0NOTIN', name: 'random', type: 'channel', isMember: false });
    this.ws.addChannel({ id: 'D0DM', type: 'im', user: 'U0ALICE', isMember: true });
    for (const channel of this.options.channels ?? []) this.ws.addChannel(channel);
  }

  async start(): Promise<this> {
    const { server, port } = await listenOnLoopback((req, res) => this.route(req, res));
    this.origin = `http://127.0.0.1:${port}`;
    this.closeHttp = () => closeServer(server);
    this.socket = new SocketModeServer(
      server,
      () => this.origin,
      this.identity.appId,
      this.options.socketPingIntervalMs ?? 10_000,
      this.options.envelopeTimeoutMs ?? 5_000,
    );
    return this;
  }

  /** Base URL for `WebClient`'s `slackApiUrl` (ends with `/api/`). */
  get url(): string {
    return `${this.origin}/api/`;
  }

  get port(): number {
    return Number(new URL(this.origin).port);
  }

  async close(): Promise<void> {
    this.socket.close();
    this.events.removeAllListeners();
    await this.closeHttp();
  }

  // ---- workspace set-up and inspection ----------------------------------------------------------

  addChannel(spec: ChannelSpec): void {
    this.ws.addChannel(spec);
  }

  addUser(user: SlackUser): void {
    this.ws.addUser(user);
  }

  /**
   * Seeds a message (typically the user's question an event then refers to). Defaults: from
   * U0ALICE in this team. A reply (`thread_ts`) updates its parent's reply bookkeeping.
   */
  addMessage(channel: string, message: Partial<SlackMessage> & { text: string }): SlackMessage {
    const seeded = this.ws.insert(channel, { user: 'U0ALICE', team: this.identity.teamId, ...message }, 'seed');
    return structuredClone(seeded);
  }

  /** The current state of a thread (parent first), or of the channel's top level without `threadTs`. */
  messagesIn(channel: string, threadTs?: string): SlackMessage[] {
    if (!this.ws.hasChannel(channel)) return [];
    if (threadTs === undefined) return structuredClone(this.ws.topLevel(channel));
    if (!this.ws.findRecord(channel, threadTs)) return [];
    return structuredClone(this.ws.thread(channel, threadTs));
  }

  /** Every message of a channel, replies included, oldest first. */
  allMessagesIn(channel: string): SlackMessage[] {
    return this.ws.hasChannel(channel) ? structuredClone(this.ws.allMessages(channel)) : [];
  }

  message(channel: string, ts: string): SlackMessage | undefined {
    const record = this.ws.findRecord(channel, ts);
    return record ? structuredClone(record.message) : undefined;
  }

  /** Every version a message went through (post, each update/append, stop, delete), oldest first. */
  history(channel: string, ts: string): MessageVersion[] {
    return structuredClone(this.ws.versions(channel, ts));
  }

  /** Whether a chat.startStream message is still open. */
  isStreaming(channel: string, ts: string): boolean {
    const record = this.ws.findRecord(channel, ts);
    return record !== undefined && this.ws.isStreaming(record, this.streamLifetimeMs);
  }

  /** The chunks (task_update, plan_update, markdown_text…) a stream received. */
  streamChunks(channel: string, ts: string): StreamChunk[] {
    return structuredClone(this.ws.findRecord(channel, ts)?.stream?.chunks ?? []);
  }

  /**
   * Everything a chat.startStream message received: its Markdown, plan title, task list (latest
   * state of each task in order of first appearance, with every update) and each chunk with the
   * time it arrived; undefined for a message that never streamed.
   */
  stream(channel: string, ts: string): StreamView | undefined {
    const record = this.ws.findRecord(channel, ts);
    if (!record?.stream) return undefined;
    this.ws.isStreaming(record, this.streamLifetimeMs);
    return viewOf(record.stream);
  }

  /** The task list a stream shows now (id → latest title/status/details/sources, in order). */
  streamTasks(channel: string, ts: string): StreamTask[] {
    return this.stream(channel, ts)?.tasks ?? [];
  }

  /** All Markdown streamed into a message so far. */
  streamedText(channel: string, ts: string): string {
    return this.stream(channel, ts)?.text ?? '';
  }

  /** The person pressed Stop in Slack's client: later appends answer `stopped_by_user`. */
  stopStreamAsUser(channel: string, ts: string): void {
    const stream = this.ws.record(channel, ts).stream;
    if (!stream || stream.state !== 'streaming') throw new Error(`message ${channel}/${ts} is not streaming`);
    stream.state = 'stopped';
    stream.stoppedAt = Date.now();
    stream.endedBy = 'user';
  }

  /** Every status change of an assistant thread, oldest first (setStatus calls and clears by a reply). */
  statusHistory(channel: string, threadTs: string): StatusChange[] {
    return structuredClone(this.ws.statusHistory(channel, threadTs));
  }

  /** The status Slack shows in a thread now: '' once cleared, replied to, or two minutes old. */
  threadStatus(channel: string, threadTs: string): string {
    const last = this.ws.statusHistory(channel, threadTs).at(-1);
    if (!last || Date.now() - last.at > STATUS_TIMEOUT_MS) return '';
    return last.status;
  }

  /** The Home tab a person sees now (the last views.publish for them). */
  homeView(userId: string): HomeView | undefined {
    const latest = this.ws.homeViewsOf(userId).at(-1);
    return latest ? structuredClone(latest.view) : undefined;
  }

  /** Every view published to a person's Home tab, oldest first. */
  homeViewHistory(userId: string): PublishedHomeView[] {
    return structuredClone(this.ws.homeViewsOf(userId));
  }

  /** Invites the bot to a channel (`true`) or removes it. */
  setBotMember(channel: string, isMember: boolean): void {
    this.ws.setMember(channel, isMember);
  }

  /**
   * Seeds a message written by another app or integration, as Slack stores it: by default a
   * `bot_message` (bot_id, app_id, username, attachments, no `user`), or a plain message of an
   * app's bot user with `botUserId`. Attachments are numbered (`id`) as Slack numbers them.
   */
  addBotMessage(channel: string, input: OtherBotMessage): SlackMessage {
    const name = input.botName ?? input.username ?? input.botId;
    const message: Partial<SlackMessage> = {
      ...(input.botUserId ? { user: input.botUserId } : { subtype: 'bot_message', username: input.username ?? name }),
      bot_id: input.botId,
      ...(input.appId ? { app_id: input.appId } : {}),
      text: input.text ?? '',
      ...(input.attachments ? { attachments: input.attachments.map((a, index) => ({ id: index + 1, ...a })) } : {}),
      ...(input.blocks ? { blocks: input.blocks } : {}),
      ...(input.thread_ts ? { thread_ts: input.thread_ts } : {}),
      ...(input.ts ? { ts: input.ts } : {}),
      bot_profile: {
        id: input.botId,
        ...(input.appId ? { app_id: input.appId } : {}),
        name,
        team_id: this.identity.teamId,
        deleted: false,
        icons: { image_36: `https://a.slack-edge.com/80588/img/plugins/app/bot_36.png` },
      },
      team: this.identity.teamId,
    };
    return structuredClone(this.ws.insert(channel, message, 'seed'));
  }

  callsTo(method: string): SlackCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  onCall(listener: (call: SlackCall) => void): () => void {
    this.events.on('call', listener);
    return () => this.events.off('call', listener);
  }

  waitFor<T>(predicate: () => T | undefined | null | false, timeoutMs = 10_000): Promise<T> {
    return waitFor(predicate, timeoutMs);
  }

  /** Resolves with the first recorded call to `method` (optionally matching) — past or future. */
  waitForCall(method: string, match: (call: SlackCall) => boolean = () => true, timeoutMs = 10_000): Promise<SlackCall> {
    return waitFor(() => this.calls.find((call) => call.method === method && match(call)), timeoutMs, `a ${method} call`);
  }

  // ---- fault injection and limits ---------------------------------------------------------------

  /** The next `times` calls to `method` ('*' for any) fail this way instead of being handled. */
  failNext(method: string, failure: SlackFailure, times = 1): void {
    const queue = this.failures.get(method) ?? [];
    queue.push({ failure, remaining: times });
    this.failures.set(method, queue);
  }

  /** Sliding 60 s window; `null` removes the limit. `burst` caps calls within any one second. */
  setRateLimit(method: string, perMinute: number | null, options: { scope?: RateLimitScope; burst?: number } = {}): void {
    this.limiter.set(
      method,
      perMinute === null
        ? undefined
        : { perMinute, scope: options.scope ?? 'workspace', ...(options.burst !== undefined ? { burst: options.burst } : {}) },
    );
  }

  useRealisticRateLimits(): void {
    for (const [method, rule] of Object.entries(SLACK_PUBLISHED_LIMITS)) this.limiter.set(method, rule);
  }

  clearRateLimits(): void {
    this.limiter.clear();
  }

  /** Delay before answering `method` ('*' for every method). */
  setLatency(method: string, ms: number): void {
    this.latency.set(method, ms);
  }

  setStreamingUnsupported(value: FakeSlackOptions['streamingUnsupported']): void {
    this.streamingUnsupported = value;
  }

  // ---- response_url -----------------------------------------------------------------------------

  /** Registers a response_url and returns it; pass a context to have answers land in the workspace. */
  responseUrl(idOrContext: string | ResponseUrlContext = {}): string {
    const context = typeof idOrContext === 'string' ? { id: idOrContext } : idOrContext;
    const id = context.id ?? randomId(16);
    if (!this.responseUrls.has(id)) this.responseUrls.set(id, { context, createdAt: Date.now(), uses: 0 });
    return `${this.origin}/response/${id}`;
  }

  /** Every post made to a response_url `responseUrl()` returned, refused ones included, oldest first. */
  responsesTo(url: string): ResponseUrlPost[] {
    const id = url.slice(url.lastIndexOf('/') + 1);
    return this.responses.filter((post) => post.id === id);
  }

  // ---- Socket Mode ------------------------------------------------------------------------------

  sendEnvelope(type: EnvelopeType, payload: object, options?: EnvelopeOptions): Promise<SocketAck> {
    return this.socket.sendEnvelope(type, payload, options);
  }

  /** Sends `{"type":"disconnect"}` to every connection and then closes them (unless `close: false`). */
  disconnectSocket(reason = 'refresh_requested', options: { close?: boolean } = {}): Promise<void> {
    return this.socket.disconnect(reason, options.close ?? true);
  }

  /** Cuts every WebSocket without a disconnect message. */
  dropSocket(): void {
    this.socket.drop();
  }

  get socketConnections(): number {
    return this.socket.openConnections;
  }

  get socketConnectionsTotal(): number {
    return this.socket.connectionsOpened;
  }

  get socketAcks(): SocketAck[] {
    return this.socket.acks;
  }

  get sentEnvelopes(): SentEnvelope[] {
    return this.socket.envelopes;
  }

  /** Resolves once `total` connections have ever been opened and one is open now. */
  waitForSocket(total = 1, timeoutMs = 10_000): Promise<true> {
    return waitFor(() => this.socket.connectionsOpened >= total && this.socket.openConnections > 0, timeoutMs, `${total} Socket Mode connection(s)`);
  }

  // ---- HTTP -------------------------------------------------------------------------------------

  private get streamLifetimeMs(): number {
    return this.options.streamLifetimeMs ?? 300_000;
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    if (path.startsWith('/api/')) return this.handleApi(req, res, path.slice('/api/'.length));
    if (path.startsWith('/response/')) return this.handleResponseUrl(req, res, path.slice('/response/'.length));
    sendJson(res, 404, { ok: false, error: 'not_found' });
  }

  private async handleApi(req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
    const at = Date.now();
    const contentType = req.headers['content-type'] ?? '';
    const raw = await readBody(req);
    const parsed = parseArgs(req, raw, contentType);
    const token = bearerToken(req) ?? (parsed.isJson ? undefined : stringOrUndefined(parsed.args.token));
    await sleep(this.latency.get(method) ?? this.latency.get('*') ?? this.options.latencyMs ?? 0);

    const outcome = this.decide(method, parsed, token);
    const call: SlackCall = {
      method,
      args: parsed.args,
      at,
      status: outcome.status,
      ok: isRecord(outcome.body) && outcome.body.ok === true,
      ...(isRecord(outcome.body) && typeof outcome.body.error === 'string' ? { error: outcome.body.error } : {}),
      response: outcome.body,
      ...(token ? { token } : {}),
      contentType,
    };
    this.calls.push(call);
    this.events.emit('call', call);
    this.reply(res, method, outcome);
  }

  private decide(method: string, parsed: ParsedArgs, token: string | undefined): Outcome {
    if (parsed.error) return ok200({ ok: false, error: parsed.error });
    const authError = this.checkToken(method, token);
    if (authError) return ok200({ ok: false, error: authError });
    const injected = this.takeFailure(method);
    if (injected) return injected;
    const channel = stringOrUndefined(parsed.args.channel) ?? stringOrUndefined(parsed.args.channel_id);
    const decision = this.limiter.take(method, channel);
    if (!decision.allowed) return rateLimited(decision.retryAfterSeconds);
    const handler = METHODS[method];
    if (!handler) return ok200({ ok: false, error: 'unknown_method', req_method: method });
    const accepted = acceptedScopes(method, parsed.args, this.ws);
    if (accepted.length > 0 && !accepted.some((scope) => this.scopes.has(scope))) {
      return ok200({ ok: false, error: 'missing_scope', needed: accepted.join(','), provided: [...this.scopes].join(',') });
    }
    try {
      return ok200({ ok: true, ...handler(parsed.args, this.methodContext()) });
    } catch (error) {
      if (error instanceof SlackApiError) return ok200({ ok: false, error: error.error, ...error.extra });
      throw error;
    }
  }

  private checkToken(method: string, token: string | undefined): string | undefined {
    if (!token) return 'not_authed';
    const wantsAppToken = APP_TOKEN_METHODS.has(method);
    const isAppToken = token.startsWith('xapp-');
    if (wantsAppToken !== isAppToken) {
      return token.startsWith('xox') || isAppToken ? 'not_allowed_token_type' : 'invalid_auth';
    }
    if (isAppToken) return this.options.appToken === undefined || token === this.options.appToken ? undefined : 'invalid_auth';
    if (this.options.botToken !== undefined) return token === this.options.botToken ? undefined : 'invalid_auth';
    return token.startsWith('xoxb-') || token.startsWith('xoxp-') ? undefined : 'invalid_auth';
  }

  private takeFailure(method: string): Outcome | undefined {
    for (const key of [method, '*']) {
      const queue = this.failures.get(key);
      const head = queue?.[0];
      if (!queue || !head) continue;
      head.remaining -= 1;
      if (head.remaining <= 0) queue.shift();
      const { failure } = head;
      if ('error' in failure) return ok200({ ok: false, error: failure.error, ...failure.extra });
      if (failure.status === 429) return rateLimited('retryAfter' in failure ? failure.retryAfter : 1);
      return { status: failure.status, body: 'body' in failure && failure.body !== undefined ? failure.body : `HTTP ${failure.status}` };
    }
    return undefined;
  }

  private methodContext(): MethodContext {
    return {
      ws: this.ws,
      ephemerals: this.ephemerals,
      assistantCalls: this.assistantCalls,
      repliesPageSize: this.options.repliesPageSize ?? 1000,
      repliesRepeatParent: this.options.repliesRepeatParent ?? true,
      streamLifetimeMs: this.streamLifetimeMs,
      streamingRefusal: (channel) => this.streamingRefusal(channel),
      strictStreamingMode: this.options.strictStreamingMode ?? false,
      homeTabEnabled: this.options.homeTabEnabled ?? true,
      scopes: this.scopes,
      openSocketUrl: () => this.socket.issueUrl(),
    };
  }

  private streamingRefusal(channel: string): string | undefined {
    const setting = this.streamingUnsupported;
    const fromChannel = this.ws.channel(channel).spec.streamingUnsupported;
    if (setting === true || fromChannel) return 'channel_type_not_supported';
    if (isRecord(setting) && (setting.channels === undefined || setting.channels.includes(channel))) {
      return setting.error ?? 'channel_type_not_supported';
    }
    return undefined;
  }

  private reply(res: ServerResponse, method: string, outcome: Outcome): void {
    const headers: Record<string, string> = {
      'x-slack-req-id': randomId(32),
      'x-oauth-scopes': [...this.scopes].join(','),
      ...outcome.headers,
    };
    const accepted = acceptedScopes(method, {}, this.ws);
    if (accepted.length > 0) headers['x-accepted-oauth-scopes'] = accepted.join(',');
    if (typeof outcome.body === 'string') {
      res.writeHead(outcome.status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
      res.end(outcome.body);
      return;
    }
    sendJson(res, outcome.status, outcome.body, headers);
  }

  private async handleResponseUrl(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const raw = (await readBody(req)).toString('utf8');
    const state = this.responseUrls.get(id);
    const ttl = this.options.responseUrlTtlMs ?? 30 * 60_000;
    const refuse = (status: number, error: string): void => {
      this.responses.push({ id, body: safeJsonObject(raw), at: Date.now(), status });
      sendJson(res, status, { ok: false, error });
    };
    if (req.method !== 'POST') return refuse(405, 'invalid_method');
    if (!state || Date.now() - state.createdAt > ttl) return refuse(404, 'expired_url');
    if (state.uses >= RESPONSE_URL_MAX_USES) return refuse(404, 'used_url');
    const body = safeJsonObject(raw);
    if (typeof body.text !== 'string' && !Array.isArray(body.blocks) && body.delete_original !== true) return refuse(400, 'no_text');
    state.uses += 1;
    this.applyResponse(state.context, body);
    this.responses.push({ id, body, at: Date.now(), status: 200 });
    sendJson(res, 200, { ok: true });
  }

  /** What Slack does with a response_url answer, where the test told us where it belongs. */
  private applyResponse(context: ResponseUrlContext, body: Record<string, unknown>): void {
    const { channel, user, messageTs } = context;
    if (!channel || !this.ws.hasChannel(channel)) return;
    const text = typeof body.text === 'string' ? body.text : '';
    const blocks = Array.isArray(body.blocks) ? (body.blocks as SlackBlock[]) : undefined;
    const target = messageTs ? this.ws.findRecord(channel, messageTs) : undefined;
    if (body.delete_original === true && target && messageTs) return this.ws.remove(channel, messageTs, 'response_url');
    if (body.replace_original === true && target) {
      target.message.text = text;
      if (blocks) target.message.blocks = blocks;
      else delete target.message.blocks;
      this.ws.snapshot(target, 'response_url');
      return;
    }
    const threadTs = typeof body.thread_ts === 'string' ? body.thread_ts : undefined;
    const content = { text, ...(blocks ? { blocks } : {}), ...(threadTs ? { thread_ts: threadTs } : {}) };
    if (body.response_type === 'in_channel') {
      const { botUserId, botId, appId } = this.identity;
      this.ws.insert(channel, { user: botUserId, bot_id: botId, app_id: appId, ...content }, 'response_url');
      return;
    }
    if (user) this.ephemerals.push({ channel, user, ...content, message_ts: this.ws.nextTs(), at: Date.now() });
  }
}

// ---- request parsing helpers --------------------------------------------------------------------

interface ParsedArgs {
  args: Args;
  isJson: boolean;
  error?: string;
}

interface Outcome {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const ok200 = (body: Record<string, unknown>): Outcome => ({ status: 200, body });

const rateLimited = (retryAfterSeconds: number): Outcome => ({
  status: 429,
  body: { ok: false, error: 'ratelimited' },
  headers: { 'retry-after': String(retryAfterSeconds) },
});

function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Form fields that carry JSON are decoded for the record; handlers accept either form. */
function decodeJsonFields(args: Args): Args {
  const out: Args = { ...args };
  for (const key of JSON_FIELDS) {
    const value = out[key];
    if (typeof value !== 'string') continue;
    try {
      out[key] = JSON.parse(value) as unknown;
    } catch {
      // Left as the string; the method answers with its own *_format error.
    }
  }
  return out;
}

function parseArgs(req: IncomingMessage, raw: Buffer, contentType: string): ParsedArgs {
  const query = Object.fromEntries(new URL(req.url ?? '/', 'http://fake').searchParams);
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (raw.length === 0) return { args: decodeJsonFields(query), isJson: false };
  if (type === 'application/json') {
    try {
      const body = JSON.parse(raw.toString('utf8')) as unknown;
      if (!isRecord(body)) return { args: query, isJson: true, error: 'invalid_json' };
      return { args: { ...query, ...body }, isJson: true };
    } catch {
      return { args: query, isJson: true, error: 'invalid_json' };
    }
  }
  if (type === 'application/x-www-form-urlencoded' || type === 'text/plain' || type === '') {
    const form = Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
    return { args: decodeJsonFields({ ...query, ...form }), isJson: false };
  }
  if (type === 'multipart/form-data') return { args: query, isJson: false, error: 'invalid_form_data' };
  return { args: query, isJson: false, error: 'invalid_post_type' };
}

function safeJsonObject(raw: string): Record<string, unknown> {
  try {
    const value = JSON.parse(raw) as unknown;
    return isRecord(value) ? value : {};
  } catch {
    return {};
  }
}

export async function startFakeSlack(options?: FakeSlackOptions): Promise<FakeSlack> {
  return new FakeSlack(options).start();
}
