/**
 * What the fake Anthropic API checks before a model "answers": known models and their limits,
 * request validation with the real API's error messages, a deterministic token estimate and a
 * prompt-cache simulation. Pure functions and data; the HTTP side lives in anthropic.ts.
 */
import { createHash } from 'node:crypto';
import { isRecord } from './util.js';

export interface ModelInfo {
  id: string;
  displayName: string;
  createdAt: string;
  /** The dated snapshot an alias resolves to (the API answers with it in `model`). */
  snapshot?: string;
  maxOutputTokens: number;
  contextWindow: number;
  /** Shortest prefix (in tokens) the API will cache for this model. */
  minCacheTokens: number;
  /** Newer models refuse `temperature` together with `top_p`. */
  exclusiveSampling: boolean;
}

function family(
  ids: string[],
  info: Omit<ModelInfo, 'id' | 'snapshot'>,
  snapshot?: string,
): Array<[string, ModelInfo]> {
  return ids.map((id) => [id, { id, ...info, ...(snapshot && id !== snapshot ? { snapshot } : {}) }]);
}

/**
 * Models the fake serves. Anything else (e.g. the retired `claude-3-haiku-20240307`) gets the
 * API's 404 `not_found_error` "model: <id>". The 4.5 limits are Anthropic's published ones
 * (64k output, 200k context; caching needs 4,096 tokens on Haiku 4.5 and Opus 4.5, 1,024 on
 * Sonnet 4.5); the 4.6 entries copy their 4.5 siblings and exist so newer ids are not refused.
 */
export const KNOWN_MODELS: ReadonlyMap<string, ModelInfo> = new Map([
  ...family(
    ['claude-haiku-4-5', 'claude-haiku-4-5-20251001'],
    { displayName: 'Claude Haiku 4.5', createdAt: '2025-10-15T00:00:00Z', maxOutputTokens: 64_000, contextWindow: 200_000, minCacheTokens: 4096, exclusiveSampling: true },
    'claude-haiku-4-5-20251001',
  ),
  ...family(
    ['claude-sonnet-4-5', 'claude-sonnet-4-5-20250929'],
    { displayName: 'Claude Sonnet 4.5', createdAt: '2025-09-29T00:00:00Z', maxOutputTokens: 64_000, contextWindow: 200_000, minCacheTokens: 1024, exclusiveSampling: true },
    'claude-sonnet-4-5-20250929',
  ),
  ...family(
    ['claude-opus-4-5', 'claude-opus-4-5-20251101'],
    { displayName: 'Claude Opus 4.5', createdAt: '2025-11-24T00:00:00Z', maxOutputTokens: 64_000, contextWindow: 200_000, minCacheTokens: 4096, exclusiveSampling: true },
    'claude-opus-4-5-20251101',
  ),
  ...family(['claude-sonnet-4-6'], { displayName: 'Claude Sonnet 4.6', createdAt: '2026-02-17T00:00:00Z', maxOutputTokens: 64_000, contextWindow: 200_000, minCacheTokens: 1024, exclusiveSampling: true }),
  ...family(['claude-opus-4-6'], { displayName: 'Claude Opus 4.6', createdAt: '2026-02-05T00:00:00Z', maxOutputTokens: 64_000, contextWindow: 200_000, minCacheTokens: 4096, exclusiveSampling: true }),
]);

export interface ApiErrorSpec {
  status: number;
  type: string;
  message: string;
}

const invalid = (message: string): ApiErrorSpec => ({ status: 400, type: 'invalid_request_error', message });

/** Fields the Messages API accepts; anything else is "Extra inputs are not permitted", as for the real API. */
const CREATE_FIELDS = new Set([
  'model', 'max_tokens', 'messages', 'system', 'temperature', 'top_p', 'top_k', 'stream', 'metadata', 'stop_sequences',
  'tools', 'tool_choice', 'thinking', 'service_tier', 'container', 'mcp_servers', 'context_management', 'output_config',
  'output_format', 'cache_control', 'inference_geo', 'speed', 'diagnostics', 'user_profile_id', 'workspace_id',
]);
const COUNT_FIELDS = new Set([
  'model', 'messages', 'system', 'tools', 'tool_choice', 'thinking', 'mcp_servers', 'context_management', 'output_config',
  'output_format', 'cache_control', 'speed',
]);

export type RequestBody = Record<string, unknown>;

/** Validates a Messages (or count_tokens) body in roughly the API's order; returns the first error. */
export function validateBody(body: RequestBody, models: ReadonlyMap<string, ModelInfo>, forCount: boolean): ApiErrorSpec | undefined {
  const allowed = forCount ? COUNT_FIELDS : CREATE_FIELDS;
  for (const key of Object.keys(body)) if (!allowed.has(key)) return invalid(`${key}: Extra inputs are not permitted`);
  if (typeof body.model !== 'string' || body.model === '') return invalid('model: Field required');
  if (!forCount && body.max_tokens === undefined) return invalid('max_tokens: Field required');
  if (body.messages === undefined) return invalid('messages: Field required');
  const model = models.get(body.model);
  if (!model) return { status: 404, type: 'not_found_error', message: `model: ${body.model}` };
  return (
    (forCount ? undefined : checkMaxTokens(body.max_tokens, model)) ??
    checkSampling(body, model) ??
    checkSystem(body.system) ??
    checkMessages(body.messages) ??
    checkPromptLength(body, model)
  );
}

function checkMaxTokens(value: unknown, model: ModelInfo): ApiErrorSpec | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value)) return invalid('max_tokens: Input should be a valid integer');
  if (value < 1) return invalid('max_tokens: Input should be greater than or equal to 1');
  if (value > model.maxOutputTokens) {
    return invalid(`max_tokens: ${value} > ${model.maxOutputTokens}, which is the maximum allowed number of output tokens for ${model.snapshot ?? model.id}`);
  }
  return undefined;
}

function checkSampling(body: RequestBody, model: ModelInfo): ApiErrorSpec | undefined {
  for (const key of ['temperature', 'top_p'] as const) {
    const value = body[key];
    if (value === undefined) continue;
    if (typeof value !== 'number') return invalid(`${key}: Input should be a valid number`);
    if (value < 0) return invalid(`${key}: Input should be greater than or equal to 0`);
    if (value > 1) return invalid(`${key}: Input should be less than or equal to 1`);
  }
  if (model.exclusiveSampling && body.temperature !== undefined && body.top_p !== undefined) {
    return invalid('`temperature` and `top_p` cannot both be specified for this model. Please use only one.');
  }
  return undefined;
}

/** `scope` is the top-level field the API names in its message for empty text ("system" or "messages"). */
function checkTextBlock(block: unknown, where: string, scope: 'system' | 'messages'): ApiErrorSpec | undefined {
  if (!isRecord(block) || typeof block.type !== 'string') return invalid(`${where}: Input should be a valid dictionary or object to extract fields from`);
  if (block.type !== 'text') return undefined;
  if (typeof block.text !== 'string') return invalid(`${where}.text: Field required`);
  if (block.text === '') return invalid(`${scope}: text content blocks must be non-empty`);
  if (block.text.trim() === '') return invalid(`${scope}: text content blocks must contain non-whitespace text`);
  return undefined;
}

function checkSystem(system: unknown): ApiErrorSpec | undefined {
  if (system === undefined || typeof system === 'string') return undefined;
  if (!Array.isArray(system)) return invalid('system: Input should be a valid string');
  for (const [index, block] of system.entries()) {
    const error = checkTextBlock(block, `system.${index}`, 'system');
    if (error) return error;
  }
  return undefined;
}

function checkMessages(messages: unknown): ApiErrorSpec | undefined {
  if (!Array.isArray(messages)) return invalid('messages: Input should be a valid list');
  if (messages.length === 0) return invalid('messages: at least one message is required');
  for (const [index, message] of messages.entries()) {
    const isFinalAssistant = index === messages.length - 1 && isRecord(message) && message.role === 'assistant';
    const error = checkMessage(message, index, isFinalAssistant);
    if (error) return error;
  }
  const first = messages[0] as Record<string, unknown>;
  if (first.role !== 'user') return invalid('messages: first message must use the "user" role');
  return undefined;
}

function checkMessage(message: unknown, index: number, isFinalAssistant: boolean): ApiErrorSpec | undefined {
  const where = `messages.${index}`;
  if (!isRecord(message)) return invalid(`${where}: Input should be a valid dictionary`);
  if (message.role !== 'user' && message.role !== 'assistant') return invalid(`${where}.role: Input should be 'user' or 'assistant'`);
  const { content } = message;
  if (typeof content === 'string') {
    // Only a trailing assistant turn (a prefill) may be empty, and it must not end in whitespace.
    if (isFinalAssistant) return /\s$/.test(content) ? invalid('messages: final assistant content cannot end with trailing whitespace') : undefined;
    if (content === '') return invalid('messages: text content blocks must be non-empty');
    if (content.trim() === '') return invalid('messages: text content blocks must contain non-whitespace text');
    return undefined;
  }
  if (!Array.isArray(content)) return invalid(`${where}.content: Input should be a valid string or list`);
  if (content.length === 0 && !isFinalAssistant) {
    return invalid(`${where}: all messages must have non-empty content except for the optional final assistant message`);
  }
  for (const [blockIndex, block] of content.entries()) {
    const error = checkTextBlock(block, `${where}.content.${blockIndex}`, 'messages');
    if (error) return error;
  }
  return undefined;
}

function checkPromptLength(body: RequestBody, model: ModelInfo): ApiErrorSpec | undefined {
  const tokens = estimateInputTokens(body);
  return tokens > model.contextWindow ? invalid(`prompt is too long: ${tokens} tokens > ${model.contextWindow} maximum`) : undefined;
}

// ---- token estimate ------------------------------------------------------------------------------

/** The fake's tokenizer: one token per four characters, rounded up. Deterministic, and close enough for English. */
export const estimateTokens = (text: string): number => Math.ceil(text.length / 4);

/** Text of a content value (string or blocks), other block kinds counted by their JSON. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((block) => (isRecord(block) && typeof block.text === 'string' ? block.text : JSON.stringify(block))).join('');
}

interface PromptPiece {
  text: string;
  breakpoint?: 'ephemeral_5m' | 'ephemeral_1h';
}

/** The prompt in the order the API caches it (tools, system, messages), one piece per block. */
function promptPieces(body: RequestBody): PromptPiece[] {
  const pieces: PromptPiece[] = [];
  const push = (value: unknown): void => {
    const text = isRecord(value) && typeof value.text === 'string' ? value.text : JSON.stringify(value);
    const control = isRecord(value) && isRecord(value.cache_control) ? value.cache_control : undefined;
    pieces.push({ text, ...(control ? { breakpoint: control.ttl === '1h' ? 'ephemeral_1h' : 'ephemeral_5m' } : {}) });
  };
  if (Array.isArray(body.tools)) body.tools.forEach(push);
  if (typeof body.system === 'string') pieces.push({ text: body.system });
  else if (Array.isArray(body.system)) body.system.forEach(push);
  for (const message of Array.isArray(body.messages) ? body.messages : []) {
    const content = isRecord(message) ? message.content : undefined;
    if (Array.isArray(content)) content.forEach(push);
    else pieces.push({ text: contentText(content) });
  }
  // Top-level cache_control asks the API to place the breakpoint on the last block itself.
  const last = pieces.at(-1);
  if (isRecord(body.cache_control) && last && !last.breakpoint) last.breakpoint = body.cache_control.ttl === '1h' ? 'ephemeral_1h' : 'ephemeral_5m';
  return pieces;
}

export function estimateInputTokens(body: RequestBody): number {
  return Math.max(1, estimateTokens(promptPieces(body).map((p) => p.text).join('')));
}

// ---- prompt cache --------------------------------------------------------------------------------

export interface CacheUsage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
}

/**
 * Prompt caching as the API bills it: the longest prefix ending at a cache_control breakpoint
 * that was written earlier (within its TTL, refreshed on use) is read; the prefix up to the last
 * breakpoint, if longer, is written. Prefixes shorter than the model's minimum are not cached.
 */
export class PromptCache {
  private readonly entries = new Map<string, number>(); // key → expiry (ms epoch)

  account(body: RequestBody, model: ModelInfo): CacheUsage {
    const pieces = promptPieces(body);
    const total = estimateInputTokens(body);
    let text = '';
    let read = 0;
    let write: { tokens: number; ttl: 'ephemeral_5m' | 'ephemeral_1h'; key: string } | undefined;
    const now = Date.now();
    for (const piece of pieces) {
      text += piece.text;
      if (!piece.breakpoint) continue;
      const tokens = estimateTokens(text);
      if (tokens < model.minCacheTokens) continue;
      const key = createHash('sha256').update(`${model.snapshot ?? model.id}\0${text}`).digest('hex');
      const ttlMs = piece.breakpoint === 'ephemeral_1h' ? 3_600_000 : 300_000;
      const expiry = this.entries.get(key);
      if (expiry !== undefined && expiry > now) {
        read = tokens;
        this.entries.set(key, now + ttlMs);
        write = undefined;
      } else {
        write = { tokens, ttl: piece.breakpoint, key };
        this.entries.set(key, now + ttlMs);
      }
    }
    const created = write ? write.tokens - read : 0;
    return {
      input_tokens: Math.max(0, total - read - created),
      cache_creation_input_tokens: created,
      cache_read_input_tokens: read,
      cache_creation: {
        ephemeral_5m_input_tokens: write?.ttl === 'ephemeral_5m' ? created : 0,
        ephemeral_1h_input_tokens: write?.ttl === 'ephemeral_1h' ? created : 0,
      },
    };
  }
}

export const DEFAULT_ERROR_TYPES: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

export const DEFAULT_ERROR_MESSAGES: Readonly<Record<string, string>> = {
  invalid_request_error: 'Invalid request',
  authentication_error: 'invalid x-api-key',
  billing_error: 'Your credit balance is too low to access the Anthropic API.',
  permission_error: 'Your API key does not have permission to use the specified resource.',
  not_found_error: 'Not found',
  request_too_large: 'Request exceeds the maximum allowed number of bytes.',
  rate_limit_error: 'This request would exceed your organization’s rate limit. Please try again later.',
  api_error: 'Internal server error',
  timeout_error: 'Request timed out',
  overloaded_error: 'Overloaded',
};
