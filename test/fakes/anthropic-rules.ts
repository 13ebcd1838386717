/**
 * What the fake Anthropic API checks before a model "answers": the models it serves and what each
 * accepts, request validation per API version with the real API's error messages, a model-aware
 * token estimate, a prompt-cache simulation and the ledger of thinking signatures it has issued.
 * Pure functions and data apart from the two small stateful classes at the end; the HTTP side
 * lives in anthropic.ts. The facts and their sources are in anthropic.md beside this file.
 */
import { createHash, randomBytes } from 'node:crypto';
import { isRecord } from './util.js';

export type Effort = 'low' | 'medium' | 'high' | 'xhigh' | 'max';
export const EFFORT_LEVELS: readonly Effort[] = ['low', 'medium', 'high', 'xhigh', 'max'];
export type ThinkingDisplay = 'summarized' | 'omitted';
/** `off`: no `thinking` sent and the model does not think by default; `disabled`: sent as disabled. */
export type ThinkingMode = 'off' | 'disabled' | 'enabled' | 'adaptive';

/** `anthropic-version` values the API serves. SDK 1.x sends 2026-10-21; the bot sends 2023-06-01 when it sets a temperature. */
export const API_VERSIONS = ['2023-06-01', '2026-10-21'] as const;
export type ApiVersion = (typeof API_VERSIONS)[number];
/** The version that removed `temperature`, `top_p` and `top_k`. */
export const SAMPLING_REMOVED_VERSION: ApiVersion = '2026-10-21';

export interface ThinkingSupport {
  /** `thinking: {type: "enabled", budget_tokens}` (manual extended thinking). */
  enabled: boolean;
  adaptive: boolean;
  /** What a request without `thinking` gets. */
  default: 'off' | 'adaptive';
  /** The display a request without `thinking.display` gets. */
  defaultDisplay: ThinkingDisplay;
  /** Levels `output_config.effort` accepts; empty: the model has no effort parameter. */
  effortLevels: readonly Effort[];
  defaultEffort?: Effort;
  /** Highest effort at which `thinking: {type: "disabled"}` is accepted; undefined: any. */
  disabledUpTo?: Effort;
  /** A thinking block is valid only behind the unchanged conversation prefix that produced it. */
  prefixBinding: boolean;
}

export interface ModelInfo {
  id: string;
  displayName: string;
  createdAt: string;
  /** The dated snapshot an alias resolves to (the API answers with it in `model`). */
  snapshot?: string;
  line: 'haiku' | 'sonnet' | 'opus';
  maxOutputTokens: number;
  contextWindow: number;
  /** Shortest prefix (in tokens) the API will cache for this model. */
  minCacheTokens: number;
  /**
   * On 2023-06-01: `exclusive`, `temperature` 0–1 or `top_p` but not both (Claude 4.5 and 4.6);
   * `fixed`, `temperature` only 1 and `top_p` only 0.99, never both, no `top_k` (Claude 4.7 and later).
   */
  sampling: 'exclusive' | 'fixed';
  /** Tokens the same text costs relative to the Claude 4.5 tokenizer (1.3 for the tokenizer of Claude 4.7 and later). */
  tokenizerRatio: number;
  /** A final assistant turn (prefill) is refused. */
  rejectsPrefill: boolean;
  thinking: ThinkingSupport;
}

const MANUAL_THINKING: ThinkingSupport = { enabled: true, adaptive: false, default: 'off', defaultDisplay: 'summarized', effortLevels: [], prefixBinding: false };

function family(ids: string[], info: Omit<ModelInfo, 'id' | 'snapshot'>, snapshot?: string): Array<[string, ModelInfo]> {
  return ids.map((id) => [id, { id, ...info, ...(snapshot && id !== snapshot ? { snapshot } : {}) }]);
}

/**
 * Models the fake serves. Anything else (e.g. the retired `claude-3-haiku-20240307`) gets the
 * API's 404 `not_found_error` "model: <id>". Haiku 5.5 and 4.5 follow Anthropic's model pages and
 * migration guide (anthropic.md); the Sonnet/Opus 4.5 and 4.6 entries exist so that those ids are
 * not refused, with their published limits.
 */
export const KNOWN_MODELS: ReadonlyMap<string, ModelInfo> = new Map([
  ...family(['claude-haiku-5-5'], {
    displayName: 'Claude Haiku 5.5',
    createdAt: '2026-10-07T00:00:00Z',
    line: 'haiku',
    maxOutputTokens: 128_000,
    contextWindow: 1_000_000,
    minCacheTokens: 512,
    sampling: 'fixed',
    tokenizerRatio: 1.3,
    rejectsPrefill: true,
    thinking: {
      enabled: false,
      adaptive: true,
      default: 'adaptive',
      defaultDisplay: 'omitted',
      effortLevels: EFFORT_LEVELS,
      defaultEffort: 'medium',
      disabledUpTo: 'high',
      prefixBinding: true,
    },
  }),
  ...family(
    ['claude-haiku-4-5', 'claude-haiku-4-5-20251001'],
    {
      displayName: 'Claude Haiku 4.5',
      createdAt: '2025-10-15T00:00:00Z',
      line: 'haiku',
      maxOutputTokens: 64_000,
      contextWindow: 200_000,
      minCacheTokens: 4096,
      sampling: 'exclusive',
      tokenizerRatio: 1,
      rejectsPrefill: false,
      thinking: MANUAL_THINKING,
    },
    'claude-haiku-4-5-20251001',
  ),
  ...family(
    ['claude-sonnet-4-5', 'claude-sonnet-4-5-20250929'],
    { displayName: 'Claude Sonnet 4.5', createdAt: '2025-09-29T00:00:00Z', line: 'sonnet', maxOutputTokens: 64_000, contextWindow: 200_000, minCacheTokens: 1024, sampling: 'exclusive', tokenizerRatio: 1, rejectsPrefill: false, thinking: MANUAL_THINKING },
    'claude-sonnet-4-5-20250929',
  ),
  ...family(
    ['claude-opus-4-5', 'claude-opus-4-5-20251101'],
    {
      displayName: 'Claude Opus 4.5',
      createdAt: '2025-11-24T00:00:00Z',
      line: 'opus',
      maxOutputTokens: 64_000,
      contextWindow: 200_000,
      minCacheTokens: 4096,
      sampling: 'exclusive',
      tokenizerRatio: 1,
      rejectsPrefill: false,
      thinking: { ...MANUAL_THINKING, effortLevels: ['low', 'medium', 'high'], defaultEffort: 'high' },
    },
    'claude-opus-4-5-20251101',
  ),
  ...family(['claude-sonnet-4-6'], {
    displayName: 'Claude Sonnet 4.6',
    createdAt: '2026-02-17T00:00:00Z',
    line: 'sonnet',
    maxOutputTokens: 64_000,
    contextWindow: 1_000_000,
    minCacheTokens: 2048,
    sampling: 'exclusive',
    tokenizerRatio: 1,
    rejectsPrefill: true,
    thinking: { ...MANUAL_THINKING, adaptive: true, effortLevels: ['low', 'medium', 'high', 'max'], defaultEffort: 'high' },
  }),
  ...family(['claude-opus-4-6'], {
    displayName: 'Claude Opus 4.6',
    createdAt: '2026-02-05T00:00:00Z',
    line: 'opus',
    maxOutputTokens: 128_000,
    contextWindow: 1_000_000,
    minCacheTokens: 4096,
    sampling: 'exclusive',
    tokenizerRatio: 1,
    rejectsPrefill: true,
    thinking: { ...MANUAL_THINKING, adaptive: true, effortLevels: ['low', 'medium', 'high', 'max'], defaultEffort: 'high' },
  }),
]);

/** Ids Anthropic has retired: inference answers 404 like for an unknown id. */
export const RETIRED_MODELS: ReadonlyMap<string, { displayName: string; line: ModelInfo['line']; createdAt: string; retiredAt: string }> = new Map([
  ['claude-3-haiku-20240307', { displayName: 'Claude Haiku 3', line: 'haiku', createdAt: '2024-03-07T00:00:00Z', retiredAt: '2026-04-20T00:00:00Z' }],
  ['claude-3-5-haiku-20241022', { displayName: 'Claude Haiku 3.5', line: 'haiku', createdAt: '2024-10-22T00:00:00Z', retiredAt: '2026-02-19T00:00:00Z' }],
  ['claude-3-7-sonnet-20250219', { displayName: 'Claude Sonnet 3.7', line: 'sonnet', createdAt: '2025-02-24T00:00:00Z', retiredAt: '2026-02-19T00:00:00Z' }],
]);

/** A model the fake was asked to serve that it has no facts for: a Claude 4.5-like model. */
export function genericModel(id: string): ModelInfo {
  return {
    id,
    displayName: id,
    createdAt: '2025-01-01T00:00:00Z',
    line: id.includes('opus') ? 'opus' : id.includes('sonnet') ? 'sonnet' : 'haiku',
    maxOutputTokens: 64_000,
    contextWindow: 200_000,
    minCacheTokens: 1024,
    sampling: 'exclusive',
    tokenizerRatio: 1,
    rejectsPrefill: false,
    thinking: MANUAL_THINKING,
  };
}

// ---- the model object of GET /v1/models ---------------------------------------------------------

const supported = (value: boolean): { supported: boolean } => ({ supported: value });

/** `capabilities` of a ModelInfo, in the shape of @anthropic-ai/sdk's ModelCapabilities. */
export function modelCapabilities(model: ModelInfo): Record<string, unknown> {
  const levels = new Set(model.thinking.effortLevels);
  const hasEffort = levels.size > 0;
  const newer = model.tokenizerRatio > 1;
  return {
    batch: supported(true),
    citations: supported(true),
    code_execution: supported(true),
    context_management: {
      supported: true,
      clear_thinking_20251015: supported(true),
      clear_tool_uses_20250919: supported(true),
      compact_20260112: supported(newer),
    },
    effort: {
      supported: hasEffort,
      low: supported(levels.has('low')),
      medium: supported(levels.has('medium')),
      high: supported(levels.has('high')),
      max: supported(levels.has('max')),
      xhigh: hasEffort ? supported(levels.has('xhigh')) : null,
    },
    image_input: supported(true),
    pdf_input: supported(true),
    server_tools: { supported: true, code_execution: supported(true), web_search: supported(true) },
    structured_outputs: supported(true),
    thinking: {
      supported: true,
      types: {
        adaptive: supported(model.thinking.adaptive),
        between_tools: supported(false),
        disabled: supported(true),
        enabled: supported(model.thinking.enabled),
      },
    },
  };
}

export function modelObject(model: ModelInfo): Record<string, unknown> {
  return {
    type: 'model',
    id: model.snapshot ?? model.id,
    display_name: model.displayName,
    created_at: model.createdAt,
    max_input_tokens: model.contextWindow,
    max_tokens: model.maxOutputTokens,
    capabilities: modelCapabilities(model),
    lifecycle: 'active',
    deprecated_at: null,
    retires_at: null,
    line: model.line,
  };
}

export function retiredModelObject(id: string): Record<string, unknown> | undefined {
  const retired = RETIRED_MODELS.get(id);
  if (!retired) return undefined;
  return {
    type: 'model',
    id,
    display_name: retired.displayName,
    created_at: retired.createdAt,
    max_input_tokens: null,
    max_tokens: null,
    capabilities: null,
    lifecycle: 'retired',
    deprecated_at: retired.createdAt,
    retires_at: retired.retiredAt,
    line: retired.line,
  };
}

// ---- validation ---------------------------------------------------------------------------------

export interface ApiErrorSpec {
  status: number;
  type: string;
  message: string;
}

const invalid = (message: string): ApiErrorSpec => ({ status: 400, type: 'invalid_request_error', message });
const notDict = (where: string): ApiErrorSpec => invalid(`${where}: Input should be a valid dictionary or object to extract fields from`);
const tagMismatch = (where: string, found: unknown, tags: readonly string[]): ApiErrorSpec =>
  invalid(`${where}: Input tag '${String(found)}' found using 'type' does not match any of the expected tags: ${tags.map((t) => `'${t}'`).join(', ')}`);
const oneOf = (values: readonly string[]): string =>
  values.length === 1 ? `'${values[0]}'` : `${values.slice(0, -1).map((v) => `'${v}'`).join(', ')} or '${values.at(-1)}'`;

/** Fields the Messages API accepts on 2023-06-01; anything else is "Extra inputs are not permitted", as for the real API. */
const CREATE_FIELDS = new Set([
  'model', 'max_tokens', 'messages', 'system', 'temperature', 'top_p', 'top_k', 'stream', 'metadata', 'stop_sequences',
  'tools', 'tool_choice', 'thinking', 'service_tier', 'container', 'mcp_servers', 'context_management', 'output_config',
  'output_format', 'cache_control', 'inference_geo', 'speed', 'diagnostics', 'user_profile_id', 'workspace_id',
]);
const COUNT_FIELDS = new Set([
  'model', 'messages', 'system', 'tools', 'tool_choice', 'thinking', 'mcp_servers', 'context_management', 'output_config',
  'output_format', 'cache_control', 'speed',
]);
const SAMPLING_FIELDS = ['temperature', 'top_p', 'top_k'] as const;

export type RequestBody = Record<string, unknown>;

export interface ValidationContext {
  models: ReadonlyMap<string, ModelInfo>;
  version: ApiVersion;
  /** POST /v1/messages/count_tokens (no max_tokens, no sampling). */
  forCount: boolean;
  ledger: ThinkingLedger;
  /** Thinking blocks are checked against their conversation prefix without being asked (accounts created after 2026-08-31). */
  enforcePrefixBinding: boolean;
}

/** Validates a Messages (or count_tokens) body in roughly the API's order; returns the first error. */
export function validateBody(body: RequestBody, context: ValidationContext): ApiErrorSpec | undefined {
  const allowed = context.forCount ? COUNT_FIELDS : CREATE_FIELDS;
  const removed = context.version === SAMPLING_REMOVED_VERSION ? new Set<string>(SAMPLING_FIELDS) : new Set<string>();
  for (const key of Object.keys(body)) if (!allowed.has(key) || removed.has(key)) return invalid(`${key}: Extra inputs are not permitted`);
  if (typeof body.model !== 'string' || body.model === '') return invalid('model: Field required');
  if (!context.forCount && body.max_tokens === undefined) return invalid('max_tokens: Field required');
  if (body.messages === undefined) return invalid('messages: Field required');
  const model = context.models.get(body.model);
  if (!model) return { status: 404, type: 'not_found_error', message: `model: ${body.model}` };
  return (
    (context.forCount ? undefined : checkMaxTokens(body.max_tokens, model)) ??
    checkSamplingValues(body) ??
    checkThinkingShape(body.thinking) ??
    checkOutputConfig(body.output_config) ??
    checkThinkingSupport(body, model) ??
    checkSamplingForModel(body, model) ??
    checkSystem(body.system) ??
    checkTools(body.tools) ??
    checkToolChoice(body, model) ??
    checkMessages(body.messages) ??
    checkConversation(body, model, context) ??
    (context.forCount ? undefined : checkThinkingBudget(body)) ??
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

function checkSamplingValues(body: RequestBody): ApiErrorSpec | undefined {
  for (const key of ['temperature', 'top_p'] as const) {
    const value = body[key];
    if (value === undefined) continue;
    if (typeof value !== 'number') return invalid(`${key}: Input should be a valid number`);
    if (value < 0) return invalid(`${key}: Input should be greater than or equal to 0`);
    if (value > 1) return invalid(`${key}: Input should be less than or equal to 1`);
  }
  if (body.top_k !== undefined) {
    if (typeof body.top_k !== 'number' || !Number.isInteger(body.top_k)) return invalid('top_k: Input should be a valid integer');
    if (body.top_k < 0) return invalid('top_k: Input should be greater than or equal to 0');
  }
  return undefined;
}

const EXCLUSIVE_SAMPLING = '`temperature` and `top_p` cannot both be specified for this model. Please use only one.';
const deprecatedSampling = (key: string): string => `\`${key}\` is deprecated for this model.`;

/** Sampling as the model allows it (the values' types and ranges were checked before). */
function checkSamplingForModel(body: RequestBody, model: ModelInfo): ApiErrorSpec | undefined {
  const { temperature, top_p: topP, top_k: topK } = body;
  if (model.sampling === 'fixed') {
    if (temperature !== undefined && temperature !== 1) return invalid(deprecatedSampling('temperature'));
    if (topP !== undefined && topP !== 0.99) return invalid(deprecatedSampling('top_p'));
    if (topK !== undefined) return invalid(deprecatedSampling('top_k'));
  }
  if (temperature !== undefined && topP !== undefined) return invalid(EXCLUSIVE_SAMPLING);
  const thinking = resolveThinking(body, model);
  if (thinking.mode === 'enabled' || (thinking.mode === 'adaptive' && isRecord(body.thinking))) {
    if (temperature !== undefined && temperature !== 1) {
      return invalid('`temperature` may only be set to 1 when thinking is enabled or in adaptive mode. Please consult our documentation at https://platform.claude.com/docs/en/build-with-claude/extended-thinking');
    }
    if (topK !== undefined) return invalid('`top_k` may not be set when thinking is enabled or in adaptive mode.');
  }
  return undefined;
}

const THINKING_TAGS = ['adaptive', 'between_tools', 'disabled', 'enabled'] as const;
const THINKING_FIELDS: Readonly<Record<string, ReadonlySet<string>>> = {
  adaptive: new Set(['type', 'display', 'block_binding']),
  enabled: new Set(['type', 'budget_tokens', 'display', 'block_binding']),
  disabled: new Set(['type']),
  between_tools: new Set(['type']),
};

function checkThinkingShape(thinking: unknown): ApiErrorSpec | undefined {
  if (thinking === undefined) return undefined;
  if (!isRecord(thinking)) return notDict('thinking');
  const type = thinking.type;
  if (typeof type !== 'string' || !(THINKING_TAGS as readonly string[]).includes(type)) return tagMismatch('thinking', type, THINKING_TAGS);
  for (const key of Object.keys(thinking)) if (!THINKING_FIELDS[type]?.has(key)) return invalid(`thinking.${type}.${key}: Extra inputs are not permitted`);
  if (thinking.display !== undefined && thinking.display !== null && thinking.display !== 'summarized' && thinking.display !== 'omitted') {
    return invalid(`thinking.${type}.display: Input should be 'summarized' or 'omitted'`);
  }
  if (type === 'enabled') {
    const budget = thinking.budget_tokens;
    if (budget === undefined) return invalid('thinking.enabled.budget_tokens: Field required');
    if (typeof budget !== 'number' || !Number.isInteger(budget)) return invalid('thinking.enabled.budget_tokens: Input should be a valid integer');
    if (budget < 1024) return invalid('thinking.enabled.budget_tokens: Input should be greater than or equal to 1024');
  }
  if (thinking.block_binding !== undefined) {
    const binding = thinking.block_binding;
    if (!isRecord(binding)) return notDict(`thinking.${type}.block_binding`);
    const behavior = binding.prefix_mismatch_behavior;
    if (behavior !== undefined && behavior !== 'error' && behavior !== 'drop_block') {
      return invalid(`thinking.${type}.block_binding.prefix_mismatch_behavior: Input should be 'error' or 'drop_block'`);
    }
  }
  return undefined;
}

function checkOutputConfig(config: unknown): ApiErrorSpec | undefined {
  if (config === undefined || config === null) return undefined;
  if (!isRecord(config)) return notDict('output_config');
  for (const key of Object.keys(config)) if (key !== 'effort' && key !== 'format') return invalid(`output_config.${key}: Extra inputs are not permitted`);
  const effort = config.effort;
  if (effort !== undefined && effort !== null && !(EFFORT_LEVELS as readonly unknown[]).includes(effort)) {
    return invalid(`output_config.effort: Input should be ${oneOf(EFFORT_LEVELS)}`);
  }
  return undefined;
}

function requestedEffort(body: RequestBody): Effort | undefined {
  const effort = isRecord(body.output_config) ? body.output_config.effort : undefined;
  return typeof effort === 'string' ? (effort as Effort) : undefined;
}

/** Thinking and effort against what the model supports. */
function checkThinkingSupport(body: RequestBody, model: ModelInfo): ApiErrorSpec | undefined {
  const thinking = isRecord(body.thinking) ? body.thinking : undefined;
  const support = model.thinking;
  if (thinking?.type === 'enabled' && !support.enabled) {
    return invalid('"thinking.type.enabled" is not supported for this model. Use "thinking.type.adaptive" and "output_config.effort" to control thinking behavior.');
  }
  if (thinking?.type === 'adaptive' && !support.adaptive) return invalid('adaptive thinking is not supported on this model');
  if (thinking?.type === 'between_tools') return invalid('"thinking.type.between_tools" is not supported for this model.');
  const effort = requestedEffort(body);
  if (effort !== undefined) {
    if (support.effortLevels.length === 0) return invalid('This model does not support the effort parameter.');
    if (!support.effortLevels.includes(effort)) return invalid(`output_config.effort '${effort}' is not supported by this model.`);
  }
  if (thinking?.type === 'disabled' && support.disabledUpTo !== undefined) {
    const level = effort ?? support.defaultEffort ?? 'high';
    if (EFFORT_LEVELS.indexOf(level) > EFFORT_LEVELS.indexOf(support.disabledUpTo)) {
      return invalid(`output_config.effort '${level}' is not supported when thinking is disabled on this model. Use effort '${support.disabledUpTo}' or below, or enable thinking.`);
    }
  }
  return undefined;
}

function checkThinkingBudget(body: RequestBody): ApiErrorSpec | undefined {
  const thinking = isRecord(body.thinking) ? body.thinking : undefined;
  if (thinking?.type !== 'enabled' || typeof body.max_tokens !== 'number' || typeof thinking.budget_tokens !== 'number') return undefined;
  if (body.max_tokens > thinking.budget_tokens) return undefined;
  return invalid('`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size');
}

/** `scope` is the top-level field the API names in its message for empty text ("system" or "messages"). */
function checkTextBlock(block: Record<string, unknown>, where: string, scope: 'system' | 'messages'): ApiErrorSpec | undefined {
  if (typeof block.text !== 'string') return invalid(`${where}.text: Field required`);
  if (block.text === '') return invalid(`${scope}: text content blocks must be non-empty`);
  if (block.text.trim() === '') return invalid(`${scope}: text content blocks must contain non-whitespace text`);
  return undefined;
}

function checkSystem(system: unknown): ApiErrorSpec | undefined {
  if (system === undefined || typeof system === 'string') return undefined;
  if (!Array.isArray(system)) return invalid('system: Input should be a valid string');
  for (const [index, block] of system.entries()) {
    const where = `system.${index}`;
    if (!isRecord(block) || typeof block.type !== 'string') return notDict(where);
    if (block.type !== 'text') return tagMismatch(where, block.type, ['text']);
    const error = checkTextBlock(block, where, 'system');
    if (error) return error;
  }
  return undefined;
}

// ---- tools --------------------------------------------------------------------------------------

const TOOL_NAME_PATTERN = '^[a-zA-Z0-9_-]{1,128}$';
const TOOL_NAME = /^[\w-]{1,128}$/;
const CUSTOM_TOOL_FIELDS = new Set(['type', 'name', 'description', 'input_schema', 'cache_control', 'strict', 'input_examples', 'defer_loading', 'allowed_callers', 'eager_input_streaming']);

/** Names of the tools a request offers (client and server tools). */
export function toolNames(body: RequestBody): string[] {
  return Array.isArray(body.tools) ? body.tools.flatMap((tool) => (isRecord(tool) && typeof tool.name === 'string' ? [tool.name] : [])) : [];
}

function checkTools(tools: unknown): ApiErrorSpec | undefined {
  if (tools === undefined) return undefined;
  if (!Array.isArray(tools)) return invalid('tools: Input should be a valid list');
  for (const [index, tool] of tools.entries()) {
    if (!isRecord(tool)) return notDict(`tools.${index}`);
    if (tool.type !== undefined && tool.type !== null && tool.type !== 'custom') {
      // A server tool (web_search_20250305, code_execution_20250825, …): only its name is ours to check.
      if (typeof tool.name !== 'string') return invalid(`tools.${index}.${typeName(tool.type)}.name: Field required`);
      continue;
    }
    const where = `tools.${index}.custom`;
    for (const key of Object.keys(tool)) if (!CUSTOM_TOOL_FIELDS.has(key)) return invalid(`${where}.${key}: Extra inputs are not permitted`);
    if (tool.name === undefined) return invalid(`${where}.name: Field required`);
    if (typeof tool.name !== 'string') return invalid(`${where}.name: Input should be a valid string`);
    if (!TOOL_NAME.test(tool.name)) return invalid(`${where}.name: String should match pattern '${TOOL_NAME_PATTERN}'`);
    if (tool.description !== undefined && typeof tool.description !== 'string') return invalid(`${where}.description: Input should be a valid string`);
    if (tool.input_schema === undefined) return invalid(`${where}.input_schema: Field required`);
    if (!isRecord(tool.input_schema)) return notDict(`${where}.input_schema`);
    if (tool.input_schema.type !== 'object') return invalid(`${where}.input_schema.type: Input should be 'object'`);
    if (tool.input_schema.properties !== undefined && !isRecord(tool.input_schema.properties)) {
      return invalid(`${where}.input_schema: JSON schema is invalid. It must match JSON Schema draft 2020-12 (https://json-schema.org/draft/2020-12). Learn more about tool use at https://platform.claude.com/docs/en/agents-and-tools/tool-use/overview.`);
    }
  }
  const names = tools.map((tool) => (isRecord(tool) ? tool.name : undefined));
  if (new Set(names).size !== names.length) return invalid('tools: Tool names must be unique.');
  return undefined;
}

const TOOL_CHOICE_TAGS = ['auto', 'any', 'tool', 'none'] as const;

/** The `tool_choice.type` of a request, if any. */
export function toolChoiceType(body: RequestBody): string | undefined {
  return isRecord(body.tool_choice) && typeof body.tool_choice.type === 'string' ? body.tool_choice.type : undefined;
}

function checkToolChoice(body: RequestBody, model: ModelInfo): ApiErrorSpec | undefined {
  const choice = body.tool_choice;
  if (choice === undefined) return undefined;
  if (!isRecord(choice)) return notDict('tool_choice');
  const type = choice.type;
  if (typeof type !== 'string' || !(TOOL_CHOICE_TAGS as readonly string[]).includes(type)) return tagMismatch('tool_choice', type, TOOL_CHOICE_TAGS);
  if (type === 'tool' && typeof choice.name !== 'string') return invalid('tool_choice.tool.name: Field required');
  if (choice.disable_parallel_tool_use !== undefined && typeof choice.disable_parallel_tool_use !== 'boolean') {
    return invalid(`tool_choice.${type}.disable_parallel_tool_use: Input should be a valid boolean`);
  }
  const names = toolNames(body);
  if ((type === 'any' || type === 'tool') && names.length === 0) return invalid('tool_choice may only be specified while providing tools.');
  if (type === 'tool' && !names.includes(choice.name as string)) return invalid(`tool_choice.tool.name: Tool '${String(choice.name)}' not found in provided tools`);
  if ((type === 'any' || type === 'tool') && resolveThinking(body, model).mode === 'enabled') return invalid('Thinking may not be enabled when tool_choice forces tool use.');
  return undefined;
}

// ---- messages -----------------------------------------------------------------------------------

const TOOL_RESULT_CONTENT_TAGS = ['text', 'image', 'search_result', 'document'] as const;

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
    const error = checkBlock(block, `${where}.content.${blockIndex}`);
    if (error) return error;
  }
  return undefined;
}

function checkBlock(block: unknown, where: string): ApiErrorSpec | undefined {
  if (!isRecord(block) || typeof block.type !== 'string') return notDict(where);
  switch (block.type) {
    case 'text':
      return checkTextBlock(block, where, 'messages');
    case 'tool_use':
      if (typeof block.id !== 'string') return invalid(`${where}.id: Field required`);
      if (typeof block.name !== 'string') return invalid(`${where}.name: Field required`);
      if (!isRecord(block.input)) return invalid(`${where}.input: Input should be a valid dictionary`);
      return undefined;
    case 'tool_result':
      return checkToolResult(block, where);
    case 'thinking':
      if (typeof block.thinking !== 'string') return invalid(`${where}.thinking: Field required`);
      if (typeof block.signature !== 'string') return invalid(`${where}.signature: Field required`);
      return undefined;
    case 'redacted_thinking':
      return typeof block.data === 'string' ? undefined : invalid(`${where}.data: Field required`);
    default:
      return undefined;
  }
}

function checkToolResult(block: Record<string, unknown>, where: string): ApiErrorSpec | undefined {
  if (typeof block.tool_use_id !== 'string') return invalid(`${where}.tool_use_id: Field required`);
  if (block.is_error !== undefined && typeof block.is_error !== 'boolean') return invalid(`${where}.is_error: Input should be a valid boolean`);
  const { content } = block;
  if (content === undefined || typeof content === 'string') return undefined;
  if (!Array.isArray(content)) return invalid(`${where}.content: Input should be a valid string or list`);
  for (const [index, inner] of content.entries()) {
    const innerWhere = `${where}.content.${index}`;
    if (!isRecord(inner) || typeof inner.type !== 'string') return notDict(innerWhere);
    if (!(TOOL_RESULT_CONTENT_TAGS as readonly string[]).includes(inner.type)) return tagMismatch(innerWhere, inner.type, TOOL_RESULT_CONTENT_TAGS);
    if (inner.type === 'text') {
      const error = checkTextBlock(inner, innerWhere, 'messages');
      if (error) return error;
    }
  }
  return undefined;
}

type Block = Record<string, unknown>;
/** A block or tool type as the API names it in a message. */
const typeName = (value: unknown): string => (typeof value === 'string' ? value : (JSON.stringify(value) ?? 'undefined'));
const blocksOf = (message: unknown): Block[] =>
  isRecord(message) && Array.isArray(message.content) ? message.content.filter((block): block is Block => isRecord(block)) : [];
const isThinkingBlock = (block: Block | undefined): boolean => block?.type === 'thinking' || block?.type === 'redacted_thinking';

/** Rules that span messages: tool-use pairing, thinking blocks, prefill, the version's content rules. */
function checkConversation(body: RequestBody, model: ModelInfo, context: ValidationContext): ApiErrorSpec | undefined {
  const messages = body.messages as unknown[];
  const lastAssistant = messages.findLastIndex((message) => isRecord(message) && message.role === 'assistant');
  for (const [index, message] of messages.entries()) {
    const role = (message as Block).role;
    const blocks = blocksOf(message);
    if (role === 'assistant') {
      const error = checkToolUsePairing(messages, index) ?? checkThinkingBlocks(body, model, context, index, index === lastAssistant);
      if (error) return error;
    } else {
      const error = checkToolResults(messages, index);
      if (error) return error;
    }
    if (context.version === SAMPLING_REMOVED_VERSION) {
      for (const [blockIndex, block] of blocks.entries()) {
        if (role === 'assistant' && block.type === 'document') return invalid(`messages.${index}.content.${blockIndex}: \`document\` blocks are not allowed in \`assistant\` messages.`);
        if (role === 'user' && block.type === 'text' && Array.isArray(block.citations) && block.citations.length > 0) {
          return invalid(`messages.${index}.content.${blockIndex}.citations: \`citations\` are not allowed on \`text\` blocks in \`user\` messages.`);
        }
      }
    }
  }
  const finalIsAssistant = lastAssistant === messages.length - 1;
  if (finalIsAssistant && model.rejectsPrefill) return invalid('This model does not support assistant message prefill. The conversation must end with a user message.');
  return checkManualThinkingTurn(body, model, lastAssistant, finalIsAssistant);
}

/** The message after an assistant turn with tool_use blocks must open with a tool_result for each. */
function checkToolUsePairing(messages: unknown[], index: number): ApiErrorSpec | undefined {
  const ids = blocksOf(messages[index]).flatMap((block) => (block.type === 'tool_use' && typeof block.id === 'string' ? [block.id] : []));
  if (ids.length === 0) return undefined;
  const next = messages[index + 1];
  const answered = new Set<string>();
  if (isRecord(next) && next.role === 'user') {
    for (const block of blocksOf(next)) {
      if (block.type !== 'tool_result') break;
      if (typeof block.tool_use_id === 'string') answered.add(block.tool_use_id);
    }
  }
  const missing = ids.filter((id) => !answered.has(id));
  if (missing.length === 0) return undefined;
  return invalid(
    `messages.${index}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`,
  );
}

/** Every tool_result answers a tool_use of the message just before. */
function checkToolResults(messages: unknown[], index: number): ApiErrorSpec | undefined {
  const previous = messages[index - 1];
  const offered = new Set(
    isRecord(previous) && previous.role === 'assistant' ? blocksOf(previous).flatMap((block) => (block.type === 'tool_use' ? [block.id] : [])) : [],
  );
  for (const [blockIndex, block] of blocksOf(messages[index]).entries()) {
    if (block.type !== 'tool_result' || offered.has(block.tool_use_id)) continue;
    return invalid(
      `messages.${index}.content.${blockIndex}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(block.tool_use_id)}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`,
    );
  }
  return undefined;
}

/** Thinking blocks passed back: first in their message, issued by this API for this model, unchanged, behind their own prefix. */
function checkThinkingBlocks(body: RequestBody, model: ModelInfo, context: ValidationContext, index: number, isLatest: boolean): ApiErrorSpec | undefined {
  const blocks = blocksOf((body.messages as unknown[])[index]);
  if (!blocks.some(isThinkingBlock)) return undefined;
  const first = blocks[0];
  if (!isThinkingBlock(first)) {
    return invalid(`messages.${index}.content.0: If an assistant message contains any thinking blocks, the first block must be \`thinking\` or \`redacted_thinking\`. Found \`${typeName(first?.type)}\`.`);
  }
  const behavior = isRecord(body.thinking) && isRecord(body.thinking.block_binding) ? body.thinking.block_binding.prefix_mismatch_behavior : undefined;
  const bindingChecked = model.thinking.prefixBinding && behavior !== 'drop_block' && (context.enforcePrefixBinding || behavior === 'error');
  for (const [blockIndex, block] of blocks.entries()) {
    if (block.type !== 'thinking') continue;
    const where = `messages.${index}.content.${blockIndex}`;
    const issued = context.ledger.lookup(String(block.signature));
    if (!issued || issued.model !== modelKey(model)) return invalid(`${where}: Invalid \`signature\` in \`thinking\` block`);
    // An omitted block came back with empty text; whatever text is put there is ignored.
    if (issued.thinking !== '' && block.thinking !== issued.thinking) {
      return isLatest
        ? invalid(`${where}: \`thinking\` or \`redacted_thinking\` blocks in the latest assistant message cannot be modified. These blocks must remain as they were in the original response.`)
        : invalid(`${where}: Invalid \`signature\` in \`thinking\` block`);
    }
    if (bindingChecked && issued.prefix !== conversationPrefix(body, index)) {
      return invalid(`${where}: Invalid \`signature\` in \`thinking\` block. The block is bound to a different conversation.`);
    }
  }
  return undefined;
}

/**
 * Manual extended thinking (`type: "enabled"`) requires the assistant turn in progress — the one
 * holding the lastmost tool_use, or a prefill — to start with its thinking block. Adaptive thinking
 * has no such rule.
 */
function checkManualThinkingTurn(body: RequestBody, model: ModelInfo, lastAssistant: number, finalIsAssistant: boolean): ApiErrorSpec | undefined {
  if (resolveThinking(body, model).mode !== 'enabled' || lastAssistant < 0) return undefined;
  const blocks = blocksOf((body.messages as unknown[])[lastAssistant]);
  const inToolLoop = blocks.some((block) => block.type === 'tool_use');
  if (!finalIsAssistant && !inToolLoop) return undefined;
  const first = blocks[0];
  if (isThinkingBlock(first)) return undefined;
  const found = typeName(first?.type ?? 'text');
  return invalid(
    `messages.${lastAssistant}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${found}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block (preceeding the lastmost set of \`tool_use\` and \`tool_result\` blocks). We recommend you include thinking blocks from previous turns. To avoid this requirement, disable \`thinking\`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking`,
  );
}

function checkPromptLength(body: RequestBody, model: ModelInfo): ApiErrorSpec | undefined {
  const tokens = estimateInputTokens(body, model);
  return tokens > model.contextWindow ? invalid(`prompt is too long: ${tokens} tokens > ${model.contextWindow} maximum`) : undefined;
}

// ---- what a valid request asks for --------------------------------------------------------------

export interface ResolvedThinking {
  mode: ThinkingMode;
  display: ThinkingDisplay;
  /** The effort the request runs at (the model's default when not sent); undefined on models without effort. */
  effort: Effort | undefined;
  budgetTokens?: number;
}

/** Thinking as the API resolves it for a request: sent values over the model's defaults. */
export function resolveThinking(body: RequestBody, model: ModelInfo): ResolvedThinking {
  const thinking = isRecord(body.thinking) ? body.thinking : undefined;
  const type = thinking?.type;
  const mode: ThinkingMode =
    type === 'enabled' || type === 'adaptive' || type === 'disabled' ? type : model.thinking.default === 'adaptive' ? 'adaptive' : 'off';
  const display = thinking?.display === 'summarized' || thinking?.display === 'omitted' ? thinking.display : model.thinking.defaultDisplay;
  const effort = model.thinking.effortLevels.length > 0 ? (requestedEffort(body) ?? model.thinking.defaultEffort) : undefined;
  return { mode, display, effort, ...(typeof thinking?.budget_tokens === 'number' ? { budgetTokens: thinking.budget_tokens } : {}) };
}

/** Whether the model opens its answer with a thinking block: thinking is on and no tool is forced. */
export function thinksFirst(body: RequestBody, model: ModelInfo): boolean {
  const { mode } = resolveThinking(body, model);
  const forced = toolChoiceType(body) === 'any' || toolChoiceType(body) === 'tool';
  return mode === 'enabled' || (mode === 'adaptive' && !forced);
}

// ---- token estimate -----------------------------------------------------------------------------

/** The Claude 4.5 tokenizer as the fake sees it: one token per four characters, rounded up. Deterministic, and close enough for English. */
export const estimateTokens = (text: string): number => Math.ceil(text.length / 4);

/** Characters per token for a model's tokenizer (4 for Claude 4.5; about 3.1 for the tokenizer of Claude 4.7 and later). */
export const charsPerToken = (model: Pick<ModelInfo, 'tokenizerRatio'> | undefined): number => 4 / (model?.tokenizerRatio ?? 1);

/** Tokens of a text for the model's tokenizer. */
export const estimateTokensFor = (model: Pick<ModelInfo, 'tokenizerRatio'> | undefined, text: string): number =>
  // In hundredths, so that 1.3 × 1000 characters is 325 tokens and not 326 by floating-point error.
  Math.ceil((text.length * Math.round((model?.tokenizerRatio ?? 1) * 100)) / 400);

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

/** Input tokens of a request; without a model, with the Claude 4.5 tokenizer. */
export function estimateInputTokens(body: RequestBody, model?: Pick<ModelInfo, 'tokenizerRatio'>): number {
  return Math.max(1, estimateTokensFor(model, promptPieces(body).map((p) => p.text).join('')));
}

// ---- prompt cache -------------------------------------------------------------------------------

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
    const total = estimateInputTokens(body, model);
    let text = '';
    let read = 0;
    let write: { tokens: number; ttl: 'ephemeral_5m' | 'ephemeral_1h'; key: string } | undefined;
    const now = Date.now();
    for (const piece of pieces) {
      text += piece.text;
      if (!piece.breakpoint) continue;
      const tokens = estimateTokensFor(model, text);
      if (tokens < model.minCacheTokens) continue;
      const key = createHash('sha256').update(`${modelKey(model)}\0${text}`).digest('hex');
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

// ---- thinking signatures ------------------------------------------------------------------------

/** The model a signature or cache entry belongs to: an alias and its snapshot are one model. */
export const modelKey = (model: ModelInfo): string => model.snapshot ?? model.id;

export interface IssuedThinking {
  model: string;
  /** The `thinking` text as sent ('' when its display was omitted). */
  thinking: string;
  /** Hash of the conversation prefix the block was produced behind. */
  prefix: string;
}

/**
 * Every thinking block the fake has sent, by signature, so a block passed back can be checked as
 * the API checks it: issued here, for this model, unchanged, and (for models that bind thinking to
 * the conversation) behind the same system, tools and earlier messages.
 */
export class ThinkingLedger {
  private readonly issued = new Map<string, IssuedThinking>();

  issue(model: ModelInfo, thinking: string, prefix: string): string {
    const signature = randomBytes(144).toString('base64');
    this.issued.set(signature, { model: modelKey(model), thinking, prefix });
    return signature;
  }

  lookup(signature: string): IssuedThinking | undefined {
    return this.issued.get(signature);
  }
}

/**
 * A hash of what comes before message `messageCount` of a request: system, tools and the earlier
 * messages. Cache breakpoints move from request to request and do not change the conversation;
 * thinking blocks are compared by signature (an omitted block's text is ignored by the API).
 */
export function conversationPrefix(body: RequestBody, messageCount: number): string {
  const messages: unknown[] = Array.isArray(body.messages) ? body.messages.slice(0, messageCount) : [];
  const normalized = {
    system: typeof body.system === 'string' ? [{ type: 'text', text: body.system }] : (body.system ?? []),
    tools: body.tools ?? [],
    messages: messages.map((message) =>
      isRecord(message) ? { role: message.role, content: typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content } : message,
    ),
  };
  return createHash('sha256').update(JSON.stringify(canonical(normalized))).digest('hex');
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (!isRecord(value)) return value;
  if (value.type === 'thinking') return { type: 'thinking', signature: value.signature };
  return Object.fromEntries(Object.entries(value).filter(([key]) => key !== 'cache_control').map(([key, inner]) => [key, canonical(inner)]));
}

// ---- errors -------------------------------------------------------------------------------------

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

export type RefusalCategory = 'cyber' | 'bio' | 'frontier_llm' | 'reasoning_extraction' | 'general_harms';

/** What `stop_details.explanation` says when a test does not script one. Only `cyber` is Anthropic's own wording. */
export const REFUSAL_EXPLANATIONS: Readonly<Record<RefusalCategory, string>> = {
  cyber: 'This request was declined because it could enable cyber harm.',
  bio: 'This request was declined because it could enable biological harm.',
  frontier_llm: 'This request was declined because it could assist the development of competing AI models.',
  reasoning_extraction: 'This request was declined because it asks the model to reproduce its internal reasoning.',
  general_harms: 'This request was declined because it could be related to an area that was determined as harmful.',
};
