/**
 * A fake Anthropic Messages API on 127.0.0.1 that the real @anthropic-ai/sdk talks to unchanged
 * (give it `baseURL` / ANTHROPIC_BASE_URL = `url`). It validates like the API for each model and
 * API version, streams Server-Sent Events in the API's exact order (thinking, text and tool_use
 * blocks), answers errors in the API's JSON shape with a `request-id` header, and records every
 * request with the send time of each text delta.
 * Replies are scripted (a queue consumed in order) or come from a deterministic default.
 * The wire-format facts it relies on, and where they come from, are in anthropic.md.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  API_VERSIONS,
  DEFAULT_ERROR_MESSAGES,
  DEFAULT_ERROR_TYPES,
  KNOWN_MODELS,
  PromptCache,
  REFUSAL_EXPLANATIONS,
  ThinkingLedger,
  charsPerToken,
  contentText,
  conversationPrefix,
  estimateInputTokens,
  estimateTokensFor,
  genericModel,
  modelObject,
  resolveThinking,
  retiredModelObject,
  thinksFirst,
  toolNames,
  validateBody,
  type ApiErrorSpec,
  type ApiVersion,
  type CacheUsage,
  type Effort,
  type ModelInfo,
  type RefusalCategory,
  type RequestBody,
  type ThinkingDisplay,
  type ThinkingMode,
} from './anthropic-rules.js';
import { closeServer, isRecord, listenOnLoopback, randomId, readBody, sendJson, sleep, waitFor } from './util.js';

export {
  API_VERSIONS,
  KNOWN_MODELS,
  RETIRED_MODELS,
  estimateTokens,
  estimateTokensFor,
  estimateInputTokens,
  type ApiVersion,
  type Effort,
  type ModelInfo,
  type RefusalCategory,
  type ThinkingDisplay,
  type ThinkingMode,
} from './anthropic-rules.js';

export type StopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'pause_turn' | 'refusal';

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
}

export interface Timing {
  /** Delay before the first text (or tool input) delta; it starts once thinking has ended. */
  ttftMs?: number;
  /** Delay before each later delta; wins over tokensPerSecond. */
  tokenDelayMs?: number;
  /** Pace of output, applied per delta by its estimated token count. */
  tokensPerSecond?: number;
  /**
   * How long the thinking block stays open (from its content_block_start to its signature_delta)
   * when the model thinks. Time to the first text delta is then thinkingMs + ttftMs. Default 0.
   */
  thinkingMs?: number;
}

/** How the model thinks before it answers. Applies to text, tool-use, mid-stream-error and hang replies. */
export interface ThinkingScript {
  /**
   * undefined: what the real model does for this request: Haiku 5.5 thinks unless thinking is
   * disabled or a tool is forced; older models only with `thinking: {type: "enabled"}`.
   * false: no thinking block (adaptive thinking skipped it; ignored when manual thinking is on).
   * A string: the thinking text, streamed as thinking_delta events when the request's display is
   * `summarized` (empty `thinking` and only a signature when `omitted`). Ignored when the request
   * cannot think.
   */
  thinking?: string | false;
  /** Output tokens the thinking costs (in output_tokens, and against max_tokens). Default: by effort (see anthropic.md). */
  thinkingTokens?: number;
}

export interface RefusalSpec {
  /** Default null (a refusal that maps to no named category). */
  category?: RefusalCategory | null;
  /** Default the category's explanation, or null without a category. */
  explanation?: string | null;
  /** Text deltas sent before the refusal ends the answer; default all of `text`. 0: no content at all. */
  afterChunks?: number;
}

export interface TextReply extends Timing, ThinkingScript {
  text: string;
  /** Characters per delta (deltas break after whitespace where they can). Default 8. */
  chunkSize?: number;
  /** Exact deltas to send; their concatenation replaces `text`. */
  chunks?: string[];
  usage?: Partial<Usage>;
  /** Default end_turn, or max_tokens when the answer is cut at the request's max_tokens. */
  stopReason?: StopReason;
  /** The model named in the answer; default the (resolved) requested one. */
  model?: string;
  /** End with stop_reason "refusal" and stop_details, possibly after some text. */
  refusal?: RefusalSpec;
}

export interface ToolCallScript {
  /** Must be one of the request's tools. */
  name: string;
  input: Record<string, unknown>;
  /** Default a fresh `toolu_01…` id. */
  id?: string;
  /** Characters per input_json_delta. Default 12. */
  chunkSize?: number;
}

/** The model calls tools: optional text first, then one tool_use block per call; stop_reason "tool_use". */
export interface ToolUseReply extends Timing, ThinkingScript {
  toolUse: ToolCallScript | ToolCallScript[];
  /** Text written before the calls ("Let me check that."). */
  text?: string;
  chunkSize?: number;
  usage?: Partial<Usage>;
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

export interface MidStreamErrorReply extends Timing, ThinkingScript {
  midStreamError: { type: string; message: string };
  /** Text deltas sent before the `event: error` (after any thinking block). */
  afterChunks: number;
  /** The `event: error` waits for this, the stream open meanwhile (a sign the test needs first, such as the partial text on screen). */
  holdErrorUntil?: () => Promise<unknown>;
  text: string;
  chunkSize?: number;
}

/** Never finishes: with `afterChunks`, after that many text deltas (after any thinking block); without, before any byte is sent. */
export interface HangReply extends Timing, ThinkingScript {
  hang: true;
  afterChunks?: number;
  text?: string;
  chunkSize?: number;
}

export type Reply = TextReply | ToolUseReply | ErrorReply | MidStreamErrorReply | HangReply;
export type Responder = (body: RequestBody, request: RecordedRequest) => Reply | Promise<Reply>;

export interface IssuedToolUse {
  id: string;
  name: string;
  input: Record<string, unknown>;
}

export interface RecordedThinking {
  mode: ThinkingMode;
  display: ThinkingDisplay;
  /** The effort the request ran at (the model's default when not sent); undefined on models without effort. */
  effort: Effort | undefined;
  /** A thinking block was sent. */
  block: boolean;
  /** Output tokens the thinking cost. */
  tokens: number;
}

export interface RecordedRequest {
  /** The `request-id` the fake answered with. */
  id: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  /** The `anthropic-version` header. */
  apiVersion?: string;
  /** The credential sent (x-api-key, or the bearer token SDK 1.x sends its API key as). */
  apiKey?: string;
  /** The parsed JSON body (undefined when it was not JSON). */
  body: RequestBody | undefined;
  /** ms since the epoch when the request arrived. */
  at: number;
  status?: number;
  /** The client closed the connection before the answer was complete. */
  aborted: boolean;
  /** What answered: 'text', 'tool_use', 'refusal', 'error', 'mid-stream-error', 'hang', 'validation', 'route', 'models' or 'count_tokens'. */
  kind?: string;
  /** How the answer thought (set once a reply is planned). */
  thinking?: RecordedThinking;
  thinkingStartedAt?: number;
  thinkingEndedAt?: number;
  /** Tool calls the answer made. */
  toolUses: IssuedToolUse[];
  firstTokenAt?: number;
  lastTokenAt?: number;
  /** Send time of every text delta. */
  tokenTimes: number[];
  endedAt?: number;
}

export interface FakeAnthropicOptions {
  /** Model ids served (their facts from KNOWN_MODELS, generic Claude 4.5-like ones otherwise); default KNOWN_MODELS. */
  models?: string[];
  /** The only API key accepted; default any key starting with `sk-ant-`. */
  apiKey?: string;
  /** Answers when the script is empty; default `defaultResponder`. */
  responder?: Responder;
  /** Timing applied to replies that set none (thinkingMs included). */
  timing?: Timing;
  /**
   * Thinking blocks bound to their conversation prefix (Haiku 5.5): `enforced` (default) as for
   * accounts created after 2026-08-31; `on-request` as for older ones, which get the error only
   * when they set thinking.block_binding.prefix_mismatch_behavior to "error".
   */
  thinkingBinding?: 'enforced' | 'on-request';
  /**
   * GET /v1/models/{id} of a retired model: `not_found` (default) answers 404 not_found_error;
   * `catalogue` answers the model object with lifecycle "retired", as SDK 1.13's types describe.
   */
  retiredModelLookup?: 'not_found' | 'catalogue';
}

/** The API refuses bodies over 32 MB. */
const MAX_REQUEST_BYTES = 32 * 1024 * 1024;
const DEFAULT_CHUNK_SIZE = 8;
const DEFAULT_TOOL_INPUT_CHUNK = 12;
const THINKING_CHUNK_SIZE = 24;
/** Thinking tokens a reply spends when it scripts none, by effort: the model thinks more at higher effort. */
const THINKING_TOKENS_BY_EFFORT: Readonly<Record<Effort, number>> = { low: 32, medium: 64, high: 128, xhigh: 256, max: 512 };
const MANUAL_THINKING_TOKENS = 128;

type ScriptItem = Reply | Responder;

export class FakeAnthropic {
  readonly requests: RecordedRequest[] = [];
  private readonly script: ScriptItem[] = [];
  private readonly models: ReadonlyMap<string, ModelInfo>;
  private readonly cache = new PromptCache();
  private readonly ledger = new ThinkingLedger();
  private responder: Responder;
  private origin = '';
  private closeHttp!: () => Promise<void>;

  constructor(private readonly options: FakeAnthropicOptions = {}) {
    this.models = options.models ? new Map(options.models.map((id) => [id, KNOWN_MODELS.get(id) ?? genericModel(id)])) : KNOWN_MODELS;
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
    const version = checkVersion(req);
    if (typeof version !== 'string') return fail(version, 'validation');
    const bodyError = checkBodyShape(raw, record.body);
    if (bodyError) return fail(bodyError, 'validation');
    const body = record.body as RequestBody;
    const forCount = path.endsWith('count_tokens');
    const invalid = validateBody(body, {
      models: this.models,
      version,
      forCount,
      ledger: this.ledger,
      enforcePrefixBinding: (this.options.thinkingBinding ?? 'enforced') === 'enforced',
    });
    if (invalid) return fail(invalid, 'validation');
    const model = this.models.get(String(body.model)) as ModelInfo;

    if (forCount) {
      record.kind = 'count_tokens';
      record.status = 200;
      return sendJson(res, 200, { input_tokens: estimateInputTokens(body, model) });
    }
    const reply = await this.nextReply(body, record);
    await this.answer(reply, body, model, record, res, ended.signal);
  }

  private record(req: IncomingMessage, path: string, raw: Buffer): RecordedRequest {
    const apiKey = credentialOf(req);
    const apiVersion = headerValue(req, 'anthropic-version');
    const record: RecordedRequest = {
      id: `req_011C${randomId(20)}`,
      method: req.method ?? 'GET',
      path,
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')])),
      ...(apiVersion ? { apiVersion } : {}),
      ...(apiKey ? { apiKey } : {}),
      body: parseJsonObject(raw),
      at: Date.now(),
      aborted: false,
      toolUses: [],
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
      // Aliases and their snapshot are one model; the list names each once, by snapshot id, newest first.
      const unique = new Map([...this.models.values()].map((m) => [m.snapshot ?? m.id, m]));
      const data = [...unique.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).map(modelObject);
      record.status = 200;
      return sendJson(res, 200, { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
    }
    const model = this.models.get(id);
    if (model) {
      record.status = 200;
      return sendJson(res, 200, modelObject(model));
    }
    const retired = this.options.retiredModelLookup === 'catalogue' ? retiredModelObject(id) : undefined;
    if (retired) {
      record.status = 200;
      return sendJson(res, 200, retired);
    }
    this.sendError(res, record, { status: 404, type: 'not_found_error', message: `model: ${id}` });
  }

  private sendError(res: ServerResponse, record: RecordedRequest, spec: ApiErrorSpec, headers: Record<string, string> = {}): void {
    record.status = spec.status;
    sendJson(res, spec.status, { type: 'error', error: { type: spec.type, message: spec.message }, request_id: record.id }, headers);
  }

  // ---- answers ----------------------------------------------------------------------------------

  private async answer(reply: Reply, body: RequestBody, model: ModelInfo, record: RecordedRequest, res: ServerResponse, ended: AbortSignal): Promise<void> {
    if ('status' in reply) {
      record.kind = 'error';
      return this.sendError(res, record, errorSpec(reply), errorHeaders(reply));
    }
    if ('hang' in reply && reply.afterChunks === undefined) {
      record.kind = 'hang';
      return; // nothing is ever sent; the client's timeout or abort ends it
    }
    const scriptError = 'toolUse' in reply ? unknownTool(reply, body) : undefined;
    if (scriptError) {
      // A test scripted a call to a tool the request does not offer: the script is wrong, say so loudly.
      console.error(`[fake anthropic] ${scriptError}`);
      record.kind = 'error';
      return this.sendError(res, record, { status: 500, type: 'api_error', message: `fake script error: ${scriptError}` });
    }
    const plan = this.plan(reply, body, model, record);
    record.kind = kindOf(reply, plan);
    if (body.stream === true) return this.answerStream(plan, record, res, ended);
    // Without streaming there is no "middle": a failure is an error status, a stall sends nothing.
    if ('hang' in reply) return;
    if ('midStreamError' in reply) {
      const status = Number(Object.entries(DEFAULT_ERROR_TYPES).find(([, type]) => type === reply.midStreamError.type)?.[0] ?? 500);
      return this.sendError(res, record, { status, ...reply.midStreamError });
    }
    await this.answerWhole(plan, record, res, ended);
  }

  /** Everything about an answer that does not depend on the transport. */
  private plan(reply: Exclude<Reply, ErrorReply>, body: RequestBody, model: ModelInfo, record: RecordedRequest): AnswerPlan {
    const maxTokens = typeof body.max_tokens === 'number' ? body.max_tokens : Number.MAX_SAFE_INTEGER;
    const resolved = resolveThinking(body, model);
    const timing: Timing = { ...this.options.timing, ...pickTiming(reply) };
    const explicitStop = 'stopReason' in reply ? reply.stopReason : undefined;
    const refusal = 'refusal' in reply ? reply.refusal : undefined;

    const scriptedDeltas = 'chunks' in reply && reply.chunks ? reply.chunks : splitIntoDeltas(reply.text ?? '', reply.chunkSize ?? DEFAULT_CHUNK_SIZE);
    const deltas = refusal?.afterChunks !== undefined ? scriptedDeltas.slice(0, refusal.afterChunks) : scriptedDeltas;
    const refusedAtOnce = refusal !== undefined && deltas.length === 0;

    const blocks: PlannedBlock[] = [];
    let thinkingTokens = 0;
    // Manual thinking always produces a block; adaptive thinking may skip it (`thinking: false`).
    const thinks = !refusedAtOnce && thinksFirst(body, model) && (resolved.mode === 'enabled' || reply.thinking !== false);
    if (thinks) {
      const text = typeof reply.thinking === 'string' ? reply.thinking : defaultThinking(body);
      const defaultTokens = resolved.mode === 'enabled' ? Math.min(MANUAL_THINKING_TOKENS, resolved.budgetTokens ?? MANUAL_THINKING_TOKENS) : THINKING_TOKENS_BY_EFFORT[resolved.effort ?? 'medium'];
      thinkingTokens = Math.min(reply.thinkingTokens ?? defaultTokens, explicitStop ? Number.MAX_SAFE_INTEGER : maxTokens);
      const shown = resolved.display === 'summarized' ? text : '';
      const signature = this.ledger.issue(model, shown, conversationPrefix(body, Array.isArray(body.messages) ? body.messages.length : 0));
      blocks.push({ kind: 'thinking', shown, deltas: shown ? splitIntoDeltas(shown, THINKING_CHUNK_SIZE) : [], signature });
    }
    record.thinking = { mode: resolved.mode, display: resolved.display, effort: resolved.effort, block: thinks, tokens: thinkingTokens };

    const remaining = maxTokens - thinkingTokens;
    const thinkingFilledBudget = !explicitStop && remaining <= 0;
    let truncated = thinkingFilledBudget;
    let textTokens = 0;
    if (!thinkingFilledBudget && deltas.length > 0) {
      const capped = explicitStop ? { deltas, truncated: false } : capAtMaxTokens(deltas, remaining * charsPerToken(model));
      truncated = capped.truncated;
      if (capped.deltas.length > 0) blocks.push({ kind: 'text', deltas: capped.deltas });
      textTokens = estimateTokensFor(model, capped.deltas.join(''));
    }
    let toolTokens = 0;
    if ('toolUse' in reply && !truncated) {
      for (const call of Array.isArray(reply.toolUse) ? reply.toolUse : [reply.toolUse]) {
        const json = JSON.stringify(call.input);
        const id = call.id ?? `toolu_01${randomId(22)}`;
        blocks.push({ kind: 'tool_use', id, name: call.name, input: call.input, pieces: ['', ...chunkString(json, call.chunkSize ?? DEFAULT_TOOL_INPUT_CHUNK)] });
        record.toolUses.push({ id, name: call.name, input: call.input });
        toolTokens += estimateTokensFor(model, `${call.name}${json}`) + 8;
      }
    }

    const stopReason: StopReason = explicitStop ?? (refusal ? 'refusal' : truncated ? 'max_tokens' : record.toolUses.length > 0 ? 'tool_use' : 'end_turn');
    const stopDetails: StopDetails | null =
      stopReason === 'refusal'
        ? { type: 'refusal', category: refusal?.category ?? null, explanation: refusal?.explanation !== undefined ? refusal.explanation : refusal?.category ? REFUSAL_EXPLANATIONS[refusal.category] : null }
        : null;
    const cache: CacheUsage = this.cache.account(body, model);
    const usageOverride = 'usage' in reply ? (reply.usage ?? {}) : {};
    const output = truncated ? maxTokens : refusedAtOnce ? 0 : Math.max(1, thinkingTokens + textTokens + toolTokens);
    const ends: AnswerPlan['ends'] =
      'midStreamError' in reply
        ? { after: reply.afterChunks, with: 'error', error: reply.midStreamError, ...(reply.holdErrorUntil ? { hold: reply.holdErrorUntil } : {}) }
        : 'hang' in reply
          ? { after: reply.afterChunks ?? 0, with: 'hang' }
          : undefined;
    return {
      model: ('model' in reply && reply.model) || model.snapshot || model.id,
      blocks,
      stopReason,
      stopDetails,
      usage: { ...cache, output_tokens: output, thinking_tokens: thinkingTokens, ...usageOverride },
      timing,
      ...(ends ? { ends } : {}),
    };
  }

  private async answerWhole(plan: AnswerPlan, record: RecordedRequest, res: ServerResponse, ended: AbortSignal): Promise<void> {
    // A non-streaming answer arrives after the whole generation time.
    let wait = plan.timing.ttftMs ?? 0;
    for (const block of plan.blocks) {
      if (block.kind === 'thinking') wait += plan.timing.thinkingMs ?? 0;
      if (block.kind === 'text') for (const delta of block.deltas.slice(1)) wait += deltaDelay(delta, plan.timing);
    }
    await sleep(wait, ended);
    if (ended.aborted) return;
    record.status = 200;
    record.firstTokenAt = record.lastTokenAt = Date.now();
    sendJson(res, 200, { ...messageShell(plan, record), content: plan.blocks.map(finalBlock), stop_reason: plan.stopReason, stop_details: plan.stopDetails, usage: fullUsage(plan.usage) });
  }

  private async answerStream(plan: AnswerPlan, record: RecordedRequest, res: ServerResponse, ended: AbortSignal): Promise<void> {
    record.status = 200;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const send = (event: string, data: object): void => {
      if (!ended.aborted) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    const startUsage = { ...fullUsage(plan.usage), output_tokens: 1, output_tokens_details: null };
    send('message_start', { type: 'message_start', message: { ...messageShell(plan, record), content: [], stop_reason: null, usage: startUsage } });

    let textDeltas = 0;
    let outputStarted = false;
    const nextOutputDelay = (delta: string): number => {
      const delay = outputStarted ? deltaDelay(delta, plan.timing) : (plan.timing.ttftMs ?? 0);
      outputStarted = true;
      return delay;
    };
    for (const [index, block] of plan.blocks.entries()) {
      send('content_block_start', { type: 'content_block_start', index, content_block: startBlock(block) });
      if (index === 0) send('ping', { type: 'ping' });
      if (block.kind === 'thinking') {
        record.thinkingStartedAt = Date.now();
        // The thinking phase lasts thinkingMs, its summarized text (if shown) spread over it.
        const pause = (plan.timing.thinkingMs ?? 0) / (block.deltas.length + 1);
        for (const delta of block.deltas) {
          await sleep(pause, ended);
          send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: delta } });
        }
        await sleep(pause, ended);
        if (ended.aborted) return;
        send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: block.signature } });
        record.thinkingEndedAt = Date.now();
      } else if (block.kind === 'text') {
        for (const delta of block.deltas) {
          if (plan.ends && textDeltas >= plan.ends.after) return this.endEarly(plan, record, res, send);
          await sleep(nextOutputDelay(delta), ended);
          if (ended.aborted) return;
          send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: delta } });
          const now = Date.now();
          record.firstTokenAt ??= now;
          record.lastTokenAt = now;
          record.tokenTimes.push(now);
          textDeltas += 1;
        }
      } else {
        for (const piece of block.pieces) {
          await sleep(piece === '' ? 0 : nextOutputDelay(piece), ended);
          if (ended.aborted) return;
          send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } });
        }
      }
      send('content_block_stop', { type: 'content_block_stop', index });
    }
    if (plan.ends) return this.endEarly(plan, record, res, send);
    if (plan.blocks.length === 0) send('ping', { type: 'ping' });
    send('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: plan.stopReason, stop_sequence: null, stop_details: plan.stopDetails },
      usage: { ...fullUsage(plan.usage) },
    });
    send('message_stop', { type: 'message_stop' });
    res.end();
  }

  /** A hang leaves the connection open until the client gives up; a mid-stream failure sends `event: error`. */
  private async endEarly(plan: AnswerPlan, record: RecordedRequest, res: ServerResponse, send: (event: string, data: object) => void): Promise<void> {
    if (plan.ends?.with !== 'error') return;
    await plan.ends.hold?.().catch(() => undefined);
    if (res.destroyed) return;
    send('error', { type: 'error', error: plan.ends.error, request_id: record.id });
    res.end();
  }
}

// ---- answer plumbing --------------------------------------------------------------------------------

type PlannedBlock =
  | { kind: 'thinking'; shown: string; deltas: string[]; signature: string }
  | { kind: 'text'; deltas: string[] }
  | { kind: 'tool_use'; id: string; name: string; input: Record<string, unknown>; pieces: string[] };

interface StopDetails {
  type: 'refusal';
  category: RefusalCategory | null;
  explanation: string | null;
}

interface AnswerPlan {
  model: string;
  blocks: PlannedBlock[];
  stopReason: StopReason;
  stopDetails: StopDetails | null;
  usage: CacheUsage & { output_tokens: number; thinking_tokens: number } & Partial<Usage>;
  timing: Timing;
  /** A hang or a mid-stream error after this many text deltas. */
  ends?: { after: number; with: 'hang' } | { after: number; with: 'error'; error: { type: string; message: string }; hold?: () => Promise<unknown> };
}

function kindOf(reply: Exclude<Reply, ErrorReply>, plan: AnswerPlan): string {
  if ('midStreamError' in reply) return 'mid-stream-error';
  if ('hang' in reply) return 'hang';
  if (plan.stopReason === 'refusal') return 'refusal';
  return 'toolUse' in reply ? 'tool_use' : 'text';
}

function unknownTool(reply: ToolUseReply, body: RequestBody): string | undefined {
  const offered = toolNames(body);
  const calls = Array.isArray(reply.toolUse) ? reply.toolUse : [reply.toolUse];
  const missing = calls.find((call) => !offered.includes(call.name));
  return missing ? `the reply calls tool '${missing.name}', but the request offers ${offered.length ? offered.map((n) => `'${n}'`).join(', ') : 'no tools'}` : undefined;
}

function startBlock(block: PlannedBlock): Record<string, unknown> {
  switch (block.kind) {
    case 'thinking':
      return { type: 'thinking', thinking: '', signature: '' };
    case 'text':
      return { type: 'text', text: '' };
    case 'tool_use':
      return { type: 'tool_use', id: block.id, name: block.name, input: {} };
  }
}

function finalBlock(block: PlannedBlock): Record<string, unknown> {
  switch (block.kind) {
    case 'thinking':
      return { type: 'thinking', thinking: block.shown, signature: block.signature };
    case 'text':
      return { type: 'text', text: block.deltas.join('') };
    case 'tool_use':
      return { type: 'tool_use', id: block.id, name: block.name, input: block.input };
  }
}

function pickTiming(reply: Timing): Timing {
  const timing: Timing = {};
  if (reply.ttftMs !== undefined) timing.ttftMs = reply.ttftMs;
  if (reply.tokenDelayMs !== undefined) timing.tokenDelayMs = reply.tokenDelayMs;
  if (reply.tokensPerSecond !== undefined) timing.tokensPerSecond = reply.tokensPerSecond;
  if (reply.thinkingMs !== undefined) timing.thinkingMs = reply.thinkingMs;
  return timing;
}

function deltaDelay(delta: string, timing: Timing): number {
  if (timing.tokenDelayMs !== undefined) return timing.tokenDelayMs;
  if (timing.tokensPerSecond) return (1000 * Math.ceil(delta.length / 4)) / timing.tokensPerSecond;
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
    output_tokens_details: usage.thinking_tokens > 0 ? { thinking_tokens: usage.thinking_tokens } : null,
    service_tier: 'standard',
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

function chunkString(text: string, size: number): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  return pieces;
}

/** The model stops at max_tokens: the answer is cut there and says so in stop_reason. */
function capAtMaxTokens(deltas: string[], budgetChars: number): { deltas: string[]; truncated: boolean } {
  const budget = Math.floor(budgetChars);
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

/** SDK 1.x sends `apiKey` as `Authorization: Bearer …`; other clients (curl, older SDKs) use x-api-key. With both, x-api-key wins. */
function credentialOf(req: IncomingMessage): string | undefined {
  return headerValue(req, 'x-api-key') ?? /^Bearer\s+(\S+)$/i.exec(headerValue(req, 'authorization') ?? '')?.[1];
}

function checkAuth(req: IncomingMessage, expected: string | undefined): ApiErrorSpec | undefined {
  const credential = credentialOf(req);
  if (!credential) return { status: 401, type: 'authentication_error', message: 'x-api-key header is required' };
  const valid = expected !== undefined ? credential === expected : credential.startsWith('sk-ant-');
  return valid ? undefined : { status: 401, type: 'authentication_error', message: 'invalid x-api-key' };
}

function checkVersion(req: IncomingMessage): ApiVersion | ApiErrorSpec {
  const version = headerValue(req, 'anthropic-version');
  if (!version) return { status: 400, type: 'invalid_request_error', message: 'anthropic-version: header is required' };
  if (!(API_VERSIONS as readonly string[]).includes(version)) {
    return { status: 400, type: 'invalid_request_error', message: `anthropic-version: invalid version '${version}'` };
  }
  return version as ApiVersion;
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

// ---- what came back from the client ---------------------------------------------------------------

export interface ToolResultSeen {
  toolUseId: string;
  /** The result's text: its string content, or its text blocks joined. */
  text: string;
  isError: boolean;
  /** The block as sent. */
  block: Record<string, unknown>;
}

/** The tool_result blocks of a request's last user message (what the client sent back after a tool_use reply). */
export function toolResultsOf(body: RequestBody | undefined): ToolResultSeen[] {
  const messages: unknown[] = Array.isArray(body?.messages) ? body.messages : [];
  const last = messages.findLast((message) => isRecord(message) && message.role === 'user');
  const content = isRecord(last) && Array.isArray(last.content) ? last.content : [];
  return content.flatMap((block): ToolResultSeen[] => {
    if (!isRecord(block) || block.type !== 'tool_result') return [];
    const inner = block.content;
    const text = typeof inner === 'string' ? inner : Array.isArray(inner) ? inner.map((part) => (isRecord(part) && typeof part.text === 'string' ? part.text : '')).join('') : '';
    return [{ toolUseId: String(block.tool_use_id), text, isError: block.is_error === true, block }];
  });
}

/**
 * A scripted step of a tool loop that answers from the tool results the client sent back:
 * `fake.enqueue({ toolUse: {name, input} }, fromToolResults((results) => ({ text: `It says ${results[0]?.text}` })))`.
 */
export function fromToolResults(answer: (results: ToolResultSeen[], body: RequestBody, request: RecordedRequest) => Reply | Promise<Reply>): Responder {
  return (body, request) => answer(toolResultsOf(body), body, request);
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

/** The summarized thinking of a reply that scripts none. */
function defaultThinking(body: RequestBody): string {
  const question = lastUserText(body).replace(/\s/g, ' ').slice(0, 80);
  return `The question is: "${question}". I will answer with the key steps and a command to check the result.`;
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
