/**
 * A fake Anthropic Messages API on 127.0.0.1 that the real @anthropic-ai/sdk talks to unchanged
 * (give it `baseURL` / ANTHROPIC_BASE_URL = `url`). It validates like the API, streams
 * Server-Sent Events in the API's exact order, answers errors in the API's JSON shape with a
 * `request-id` header, and records every request with the send time of each text delta.
 * Replies are scripted (a queue consumed in order) or come from a deterministic default.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  DEFAULT_ERROR_MESSAGES,
  DEFAULT_ERROR_TYPES,
  KNOWN_MODELS,
  PromptCache,
  contentText,
  estimateInputTokens,
  estimateTokens,
  validateBody,
  type ApiErrorSpec,
  type CacheUsage,
  type ModelInfo,
  type RequestBody,
} from './anthropic-rules.js';
import { closeServer, isRecord, listenOnLoopback, randomId, readBody, sendJson, sleep, waitFor } from './util.js';

export { KNOWN_MODELS, estimateTokens, estimateInputTokens, type ModelInfo } from './anthropic-rules.js';

export type StopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'pause_turn' | 'refusal';

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
}

export interface Timing {
  /** Delay before the first text delta (after message_start and ping). */
  ttftMs?: number;
  /** Delay before each later delta; wins over tokensPerSecond. */
  tokenDelayMs?: number;
  /** Pace of output, applied per delta by its estimated token count. */
  tokensPerSecond?: number;
}

export interface TextReply extends Timing {
  text: string;
  /** Characters per delta (deltas break after whitespace where they can). Default 8. */
  chunkSize?: number;
  /** Exact deltas to send; their concatenation replaces `text`. */
  chunks?: string[];
  usage?: Partial<Usage>;
  /** Default end_turn, or max_tokens when the text is cut at the request's max_tokens. */
  stopReason?: StopReason;
  /** The model named in the answer; default the (resolved) requested one. */
  model?: string;
}

export interface ErrorReply {
  status: number;
  errorType?: string;
  message?: string;
  /** Seconds, sent as `retry-after` (429 also carries anthropic-ratelimit-* headers). */
  retryAfter?: number;
  headers?: Record<string, string>;
}

export interface MidStreamErrorReply extends Timing {
  midStreamError: { type: string; message: string };
  /** Deltas sent before the `event: error`. */
  afterChunks: number;
  text: string;
  chunkSize?: number;
}

/** Never finishes: with `afterChunks`, after that many deltas; without, before any byte is sent. */
export interface HangReply extends Timing {
  hang: true;
  afterChunks?: number;
  text?: string;
  chunkSize?: number;
}

export type Reply = TextReply | ErrorReply | MidStreamErrorReply | HangReply;
export type Responder = (body: RequestBody, request: RecordedRequest) => Reply | Promise<Reply>;

export interface RecordedRequest {
  /** The `request-id` the fake answered with. */
  id: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  /** The credential sent (x-api-key, or the bearer token SDK 1.x sends its API key as). */
  apiKey?: string;
  /** The parsed JSON body (undefined when it was not JSON). */
  body: RequestBody | undefined;
  /** ms since the epoch when the request arrived. */
  at: number;
  status?: number;
  /** The client closed the connection before the answer was complete. */
  aborted: boolean;
  /** What answered: 'text', 'error', 'mid-stream-error', 'hang', 'validation' or 'route'. */
  kind?: string;
  firstTokenAt?: number;
  lastTokenAt?: number;
  /** Send time of every text delta. */
  tokenTimes: number[];
  endedAt?: number;
}

export interface FakeAnthropicOptions {
  /** Model ids served (their limits from KNOWN_MODELS, generic ones otherwise); default KNOWN_MODELS. */
  models?: string[];
  /** The only API key accepted; default any key starting with `sk-ant-`. */
  apiKey?: string;
  /** Answers when the script is empty; default `defaultResponder`. */
  responder?: Responder;
  /** Timing applied to replies that set none. */
  timing?: Timing;
}

/** The API refuses bodies over 32 MB. */
const MAX_REQUEST_BYTES = 32 * 1024 * 1024;
const DEFAULT_CHUNK_SIZE = 8;

type ScriptItem = Reply | Responder;

export class FakeAnthropic {
  readonly requests: RecordedRequest[] = [];
  private readonly script: ScriptItem[] = [];
  private readonly models: ReadonlyMap<string, ModelInfo>;
  private readonly cache = new PromptCache();
  private responder: Responder;
  private origin = '';
  private closeHttp!: () => Promise<void>;

  constructor(private readonly options: FakeAnthropicOptions = {}) {
    this.models = options.models ? modelTable(options.models) : KNOWN_MODELS;
    this.responder = options.responder ?? defaultResponder;
  }

  async start(): Promise<this> {
    const { server, port } = await listenOnLoopback((req, res) => this.route(req, res));
    this.origin = `http://127.0.0.1:${port}`;
    this.closeHttp = () => closeServer(server);
    return this;
  }

  /** Base URL for the SDK (`baseURL` / ANTHROPIC_BASE_URL); the SDK appends /v1/messages. */
  get url(): string {
    return this.origin;
  }

  close(): Promise<void> {
    return this.closeHttp();
  }

  /** Queues replies for the next /v1/messages requests, consumed in order. */
  enqueue(...replies: ScriptItem[]): void {
    this.script.push(...replies);
  }

  /** Replies still queued. */
  get pending(): number {
    return this.script.length;
  }

  setResponder(responder: Responder): void {
    this.responder = responder;
  }

  /** The /v1/messages requests (not count_tokens or models). */
  messageRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path === '/v1/messages');
  }

  waitFor<T>(predicate: () => T | undefined | null | false, timeoutMs = 10_000): Promise<T> {
    return waitFor(predicate, timeoutMs);
  }

  /** Resolves with the `n`-th (1-based) /v1/messages request once it has arrived. */
  waitForRequest(n = 1, timeoutMs = 10_000): Promise<RecordedRequest> {
    return waitFor(() => this.messageRequests()[n - 1], timeoutMs, `/v1/messages request #${n}`);
  }

  // ---- HTTP -------------------------------------------------------------------------------------

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const raw = await readBody(req);
    const record = this.record(req, path, raw);
    const ended = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) record.aborted = true;
      record.endedAt ??= Date.now();
      ended.abort();
    });
    res.setHeader('request-id', record.id);
    res.setHeader('anthropic-organization-id', 'fake-org-0000');

    const fail = (spec: ApiErrorSpec, kind: string): void => {
      record.kind = kind;
      this.sendError(res, record, spec);
    };
    const authError = checkAuth(req, this.options.apiKey);
    if (authError) return fail(authError, 'validation');
    if (req.method === 'GET' && path.startsWith('/v1/models')) return this.answerModels(res, record, path);
    if (req.method !== 'POST' || (path !== '/v1/messages' && path !== '/v1/messages/count_tokens')) {
      return fail({ status: 404, type: 'not_found_error', message: 'Not found' }, 'route');
    }
    const bodyError = checkVersion(req) ?? checkBodyShape(raw, record.body);
    if (bodyError) return fail(bodyError, 'validation');
    const body = record.body as RequestBody;
    const invalid = validateBody(body, this.models, path.endsWith('count_tokens'));
    if (invalid) return fail(invalid, 'validation');

    if (path.endsWith('count_tokens')) {
      record.kind = 'count_tokens';
      record.status = 200;
      return sendJson(res, 200, { input_tokens: estimateInputTokens(body) });
    }
    const reply = await this.nextReply(body, record);
    await this.answer(reply, body, record, res, ended.signal);
  }

  private record(req: IncomingMessage, path: string, raw: Buffer): RecordedRequest {
    const apiKey = credentialOf(req);
    const record: RecordedRequest = {
      id: `req_011C${randomId(20)}`,
      method: req.method ?? 'GET',
      path,
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')])),
      ...(apiKey ? { apiKey } : {}),
      body: parseJsonObject(raw),
      at: Date.now(),
      aborted: false,
      tokenTimes: [],
    };
    this.requests.push(record);
    return record;
  }

  private async nextReply(body: RequestBody, record: RecordedRequest): Promise<Reply> {
    const item = this.script.shift() ?? this.responder;
    return typeof item === 'function' ? item(body, record) : item;
  }

  private answerModels(res: ServerResponse, record: RecordedRequest, path: string): void {
    record.kind = 'models';
    const id = decodeURIComponent(path.slice('/v1/models/'.length));
    if (path === '/v1/models' || path === '/v1/models/') {
      // Aliases and their snapshot are one model; the list names each once, by snapshot id.
      const data = [...new Map([...this.models.values()].map((m) => [m.snapshot ?? m.id, modelObject(m)])).values()];
      record.status = 200;
      return sendJson(res, 200, { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
    }
    const model = this.models.get(id);
    if (!model) return this.sendError(res, record, { status: 404, type: 'not_found_error', message: `model: ${id}` });
    record.status = 200;
    sendJson(res, 200, modelObject(model));
  }

  private sendError(res: ServerResponse, record: RecordedRequest, spec: ApiErrorSpec, headers: Record<string, string> = {}): void {
    record.status = spec.status;
    sendJson(res, spec.status, { type: 'error', error: { type: spec.type, message: spec.message }, request_id: record.id }, headers);
  }

  // ---- answers ----------------------------------------------------------------------------------

  private async answer(reply: Reply, body: RequestBody, record: RecordedRequest, res: ServerResponse, ended: AbortSignal): Promise<void> {
    if ('status' in reply) {
      record.kind = 'error';
      return this.sendError(res, record, errorSpec(reply), errorHeaders(reply));
    }
    if ('hang' in reply && reply.afterChunks === undefined) {
      record.kind = 'hang';
      return; // nothing is ever sent; the client's timeout or abort ends it
    }
    const plan = this.plan(reply, body);
    record.kind = 'midStreamError' in reply ? 'mid-stream-error' : 'hang' in reply ? 'hang' : 'text';
    if (body.stream === true) return this.answerStream(plan, reply, record, res, ended);
    // Without streaming there is no "middle": a failure is an error status, a stall sends nothing.
    if ('hang' in reply) return;
    if ('midStreamError' in reply) {
      const status = Number(Object.entries(DEFAULT_ERROR_TYPES).find(([, type]) => type === reply.midStreamError.type)?.[0] ?? 500);
      return this.sendError(res, record, { status, ...reply.midStreamError });
    }
    await this.answerWhole(plan, record, res, ended);
  }

  /** Everything about an answer that does not depend on the transport. */
  private plan(reply: TextReply | MidStreamErrorReply | HangReply, body: RequestBody): AnswerPlan {
    const requested = String(body.model);
    const model = this.models.get(requested);
    const maxTokens = typeof body.max_tokens === 'number' ? body.max_tokens : Number.MAX_SAFE_INTEGER;
    const scripted = 'chunks' in reply && reply.chunks ? reply.chunks : splitIntoDeltas(reply.text ?? '', reply.chunkSize ?? DEFAULT_CHUNK_SIZE);
    const explicitStop = 'stopReason' in reply ? reply.stopReason : undefined;
    const { deltas, truncated } = explicitStop ? { deltas: scripted, truncated: false } : capAtMaxTokens(scripted, maxTokens);
    const text = deltas.join('');
    const cache: CacheUsage = model ? this.cache.account(body, model) : emptyCacheUsage(estimateInputTokens(body));
    const usageOverride = 'usage' in reply ? (reply.usage ?? {}) : {};
    return {
      model: ('model' in reply && reply.model) || model?.snapshot || requested,
      deltas,
      text,
      stopReason: explicitStop ?? (truncated ? 'max_tokens' : 'end_turn'),
      usage: {
        ...cache,
        output_tokens: truncated ? maxTokens : Math.max(1, estimateTokens(text)),
        ...usageOverride,
      },
      timing: { ...this.options.timing, ...pickTiming(reply) },
    };
  }

  private async answerWhole(plan: AnswerPlan, record: RecordedRequest, res: ServerResponse, ended: AbortSignal): Promise<void> {
    // A non-streaming answer arrives after the whole generation time.
    let wait = plan.timing.ttftMs ?? 0;
    for (const delta of plan.deltas.slice(1)) wait += deltaDelay(delta, plan.timing);
    await sleep(wait, ended);
    if (ended.aborted) return;
    record.status = 200;
    record.firstTokenAt = record.lastTokenAt = Date.now();
    sendJson(res, 200, { ...messageShell(plan, record), content: [{ type: 'text', text: plan.text }], stop_reason: plan.stopReason, usage: fullUsage(plan.usage) });
  }

  private async answerStream(
    plan: AnswerPlan,
    reply: TextReply | MidStreamErrorReply | HangReply,
    record: RecordedRequest,
    res: ServerResponse,
    ended: AbortSignal,
  ): Promise<void> {
    record.status = 200;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const send = (event: string, data: object): void => {
      if (!ended.aborted) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    const startUsage = { ...fullUsage(plan.usage), output_tokens: 1 };
    send('message_start', { type: 'message_start', message: { ...messageShell(plan, record), content: [], stop_reason: null, usage: startUsage } });
    send('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    send('ping', { type: 'ping' });

    const stopAfter = 'afterChunks' in reply && reply.afterChunks !== undefined ? reply.afterChunks : plan.deltas.length;
    for (const [index, delta] of plan.deltas.slice(0, stopAfter).entries()) {
      await sleep(index === 0 ? (plan.timing.ttftMs ?? 0) : deltaDelay(delta, plan.timing), ended);
      if (ended.aborted) return;
      send('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: delta } });
      const now = Date.now();
      record.firstTokenAt ??= now;
      record.lastTokenAt = now;
      record.tokenTimes.push(now);
    }
    if ('hang' in reply) return; // the connection stays open until the client gives up
    if ('midStreamError' in reply) {
      send('error', { type: 'error', error: reply.midStreamError, request_id: record.id });
      res.end();
      return;
    }
    send('content_block_stop', { type: 'content_block_stop', index: 0 });
    send('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: plan.stopReason, stop_sequence: null, stop_details: null },
      usage: { ...fullUsage(plan.usage) },
    });
    send('message_stop', { type: 'message_stop' });
    res.end();
  }
}

// ---- answer plumbing --------------------------------------------------------------------------------

interface AnswerPlan {
  model: string;
  deltas: string[];
  text: string;
  stopReason: StopReason;
  usage: CacheUsage & { output_tokens: number } & Partial<Usage>;
  timing: Timing;
}

function pickTiming(reply: Timing): Timing {
  const timing: Timing = {};
  if (reply.ttftMs !== undefined) timing.ttftMs = reply.ttftMs;
  if (reply.tokenDelayMs !== undefined) timing.tokenDelayMs = reply.tokenDelayMs;
  if (reply.tokensPerSecond !== undefined) timing.tokensPerSecond = reply.tokensPerSecond;
  return timing;
}

function deltaDelay(delta: string, timing: Timing): number {
  if (timing.tokenDelayMs !== undefined) return timing.tokenDelayMs;
  if (timing.tokensPerSecond) return (1000 * estimateTokens(delta)) / timing.tokensPerSecond;
  return 0;
}

/** The Message fields shared by message_start and a non-streaming answer. */
function messageShell(plan: AnswerPlan, record: RecordedRequest): Record<string, unknown> {
  return {
    id: `msg_01${record.id.slice(-22)}`,
    type: 'message',
    role: 'assistant',
    model: plan.model,
    stop_sequence: null,
    stop_details: null,
    container: null,
  };
}

function fullUsage(usage: AnswerPlan['usage']): Record<string, unknown> {
  return {
    input_tokens: usage.input_tokens,
    cache_creation_input_tokens: usage.cache_creation_input_tokens ?? 0,
    cache_read_input_tokens: usage.cache_read_input_tokens ?? 0,
    cache_creation: usage.cache_creation,
    output_tokens: usage.output_tokens,
    service_tier: 'standard',
  };
}

function emptyCacheUsage(inputTokens: number): CacheUsage {
  return {
    input_tokens: inputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
  };
}

/**
 * Splits text into deltas of about `size` characters, breaking after whitespace where it can,
 * like the few-token text_delta events the API sends.
 */
export function splitIntoDeltas(text: string, size = DEFAULT_CHUNK_SIZE): string[] {
  const words = text.match(/\s*\S+\s*|\s+/g) ?? [];
  const deltas: string[] = [];
  let current = '';
  for (const word of words) {
    if (current !== '' && current.length + word.length > size) {
      deltas.push(current);
      current = '';
    }
    current += word;
    while (current.length > size * 2) {
      deltas.push(current.slice(0, size));
      current = current.slice(size);
    }
  }
  if (current !== '') deltas.push(current);
  return deltas;
}

/** The model stops at max_tokens: the answer is cut there and says so in stop_reason. */
function capAtMaxTokens(deltas: string[], maxTokens: number): { deltas: string[]; truncated: boolean } {
  const budget = maxTokens * 4;
  let used = 0;
  const kept: string[] = [];
  for (const delta of deltas) {
    if (used + delta.length > budget) {
      const rest = delta.slice(0, budget - used);
      if (rest) kept.push(rest);
      return { deltas: kept, truncated: true };
    }
    kept.push(delta);
    used += delta.length;
  }
  return { deltas: kept, truncated: false };
}

function errorSpec(reply: ErrorReply): ApiErrorSpec {
  const type = reply.errorType ?? DEFAULT_ERROR_TYPES[reply.status] ?? (reply.status >= 500 ? 'api_error' : 'invalid_request_error');
  return { status: reply.status, type, message: reply.message ?? DEFAULT_ERROR_MESSAGES[type] ?? type };
}

function errorHeaders(reply: ErrorReply): Record<string, string> {
  const headers: Record<string, string> = { ...reply.headers };
  const retryAfter = reply.retryAfter ?? (reply.status === 429 ? 1 : undefined);
  if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
  if (reply.status === 429) {
    const reset = new Date(Date.now() + (retryAfter ?? 1) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    Object.assign(headers, {
      'anthropic-ratelimit-requests-limit': '50',
      'anthropic-ratelimit-requests-remaining': '0',
      'anthropic-ratelimit-requests-reset': reset,
      'anthropic-ratelimit-input-tokens-limit': '50000',
      'anthropic-ratelimit-input-tokens-remaining': '0',
      'anthropic-ratelimit-input-tokens-reset': reset,
      'anthropic-ratelimit-output-tokens-limit': '10000',
      'anthropic-ratelimit-output-tokens-remaining': '10000',
      'anthropic-ratelimit-output-tokens-reset': reset,
      'anthropic-ratelimit-tokens-limit': '60000',
      'anthropic-ratelimit-tokens-remaining': '0',
      'anthropic-ratelimit-tokens-reset': reset,
      ...reply.headers,
    });
  }
  return headers;
}

// ---- request checks -------------------------------------------------------------------------------

/** SDK 1.x sends `apiKey` as `Authorization: Bearer …`; other clients (curl, older SDKs) use x-api-key. */
function credentialOf(req: IncomingMessage): string | undefined {
  return headerValue(req, 'x-api-key') ?? /^Bearer\s+(\S+)$/i.exec(headerValue(req, 'authorization') ?? '')?.[1];
}

function checkAuth(req: IncomingMessage, expected: string | undefined): ApiErrorSpec | undefined {
  const credential = credentialOf(req);
  if (!credential) return { status: 401, type: 'authentication_error', message: 'x-api-key header is required' };
  const valid = expected !== undefined ? credential === expected : credential.startsWith('sk-ant-');
  return valid ? undefined : { status: 401, type: 'authentication_error', message: 'invalid x-api-key' };
}

function checkVersion(req: IncomingMessage): ApiErrorSpec | undefined {
  const version = headerValue(req, 'anthropic-version');
  if (!version) return { status: 400, type: 'invalid_request_error', message: 'anthropic-version: header is required' };
  // The SDK pins its own dated version; any well-formed date is accepted.
  if (!/^\d{4}-\d{2}-\d{2}$/.test(version)) {
    return { status: 400, type: 'invalid_request_error', message: `anthropic-version: invalid version '${version}'` };
  }
  return undefined;
}

function checkBodyShape(raw: Buffer, body: RequestBody | undefined): ApiErrorSpec | undefined {
  if (raw.length > MAX_REQUEST_BYTES) return { status: 413, type: 'request_too_large', message: DEFAULT_ERROR_MESSAGES.request_too_large ?? '' };
  if (!body) return { status: 400, type: 'invalid_request_error', message: 'There was an issue with your request body: it must be a JSON object' };
  return undefined;
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseJsonObject(raw: Buffer): RequestBody | undefined {
  try {
    const value = JSON.parse(raw.toString('utf8')) as unknown;
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function modelTable(ids: string[]): ReadonlyMap<string, ModelInfo> {
  return new Map(
    ids.map((id) => [
      id,
      KNOWN_MODELS.get(id) ?? { id, displayName: id, createdAt: '2025-01-01T00:00:00Z', maxOutputTokens: 64_000, contextWindow: 200_000, minCacheTokens: 1024, exclusiveSampling: false },
    ]),
  );
}

function modelObject(model: ModelInfo): { type: 'model'; id: string; display_name: string; created_at: string } {
  return { type: 'model', id: model.snapshot ?? model.id, display_name: model.displayName, created_at: model.createdAt };
}

// ---- the default answer ------------------------------------------------------------------------------

/** Text of the last user turn, as the model sees it. */
export function lastUserText(body: RequestBody): string {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  for (let i = messages.length - 1; i >= 0; i -= 1) {
    const message: unknown = messages[i];
    if (isRecord(message) && message.role === 'user') return contentText(message.content);
  }
  return '';
}

/**
 * A deterministic answer that quotes the last user message, so tests can check what the model
 * was asked, with a little Markdown so formatting paths are exercised.
 */
export const defaultResponder: Responder = (body) => {
  const question = lastUserText(body);
  const turns = Array.isArray(body.messages) ? body.messages.length : 0;
  return {
    text:
      `Answer to: ${question}\n\n` +
      `Here is what the fake model can say about it. **Short version:** it depends on your setup.\n\n` +
      `- The question was ${question.length} characters long.\n` +
      `- The conversation had ${turns} message${turns === 1 ? '' : 's'}.\n\n` +
      'Run `aws sts get-caller-identity` to check which account you are using.',
  };
};

export async function startFakeAnthropic(options?: FakeAnthropicOptions): Promise<FakeAnthropic> {
  return new FakeAnthropic(options).start();
}
