/**
 * What Anthropic's models accept that `GET /v1/models/{id}` does not say: sampling parameters,
 * assistant prefill, the tokenizer and the shortest cacheable prompt. Context and output limits,
 * thinking and effort support come from the models endpoint at start-up (model/model-profile.ts);
 * this table only covers the rest. Pure.
 *
 * Sources: Anthropic's model overview pages, "What's new in Claude Haiku 5.5" and its migration
 * guide (sampling, prefill, tokenizer), the prompt-caching page ("Cache limitations") and the API
 * versioning page (2026-10-21 removes temperature, top_p and top_k for every model).
 */
export type SamplingRule =
  /** temperature 0–1 is accepted on API version 2023-06-01 (not on 2026-10-21). */
  | 'adjustable'
  /** Only temperature 1 is accepted, and only on 2023-06-01: the model samples its own way. */
  | 'fixed';

export interface ModelFamily {
  /** Matches the model id and its dated snapshots. */
  prefix: string;
  sampling: SamplingRule;
  /** A final assistant turn (prefill) is answered with a 400. */
  rejectsPrefill: boolean;
  /** How many more tokens the same text takes than on Claude Haiku 4.5's tokenizer. */
  tokenScale: number;
  minCacheableTokens: number;
}

const FAMILIES: readonly ModelFamily[] = [
  { prefix: 'claude-haiku-5-5', sampling: 'fixed', rejectsPrefill: true, tokenScale: 1.3, minCacheableTokens: 512 },
  { prefix: 'claude-haiku-4-5', sampling: 'adjustable', rejectsPrefill: false, tokenScale: 1, minCacheableTokens: 4096 },
  { prefix: 'claude-sonnet-5-5', sampling: 'fixed', rejectsPrefill: true, tokenScale: 1.3, minCacheableTokens: 1024 },
  { prefix: 'claude-opus-5-5', sampling: 'fixed', rejectsPrefill: true, tokenScale: 1.3, minCacheableTokens: 512 },
  { prefix: 'claude-sonnet-5', sampling: 'fixed', rejectsPrefill: true, tokenScale: 1, minCacheableTokens: 1024 },
  { prefix: 'claude-opus-5', sampling: 'fixed', rejectsPrefill: true, tokenScale: 1, minCacheableTokens: 512 },
  { prefix: 'claude-opus-4-8', sampling: 'fixed', rejectsPrefill: true, tokenScale: 1, minCacheableTokens: 1024 },
  { prefix: 'claude-opus-4-7', sampling: 'fixed', rejectsPrefill: true, tokenScale: 1, minCacheableTokens: 4096 },
  { prefix: 'claude-opus-4-6', sampling: 'adjustable', rejectsPrefill: true, tokenScale: 1, minCacheableTokens: 4096 },
  { prefix: 'claude-sonnet-4-6', sampling: 'adjustable', rejectsPrefill: true, tokenScale: 1, minCacheableTokens: 2048 },
  { prefix: 'claude-opus-4-5', sampling: 'adjustable', rejectsPrefill: false, tokenScale: 1, minCacheableTokens: 4096 },
  { prefix: 'claude-sonnet-4-5', sampling: 'adjustable', rejectsPrefill: false, tokenScale: 1, minCacheableTokens: 1024 },
];

/**
 * A model this table does not know is treated like the newest generation: no sampling
 * parameters, no prefill, the larger token count and the smallest cache minimum (marking a prompt
 * too short to cache costs nothing).
 */
const NEWEST_GENERATION: Omit<ModelFamily, 'prefix'> = { sampling: 'fixed', rejectsPrefill: true, tokenScale: 1.3, minCacheableTokens: 512 };

export function familyOf(model: string): ModelFamily {
  return FAMILIES.find((family) => model === family.prefix || model.startsWith(`${family.prefix}-`)) ?? { prefix: model, ...NEWEST_GENERATION };
}

/** The API version a request carrying a temperature must use: 2026-10-21 removed the parameter. */
export const SAMPLING_API_VERSION = '2023-06-01';

/**
 * Why this model would reject this temperature (undefined: it accepts it). Checked at start-up
 * so that a wrong setting stops the process once instead of failing every question.
 */
export function temperatureProblem(model: string, temperature: number): string | undefined {
  const family = familyOf(model);
  if (family.sampling === 'adjustable') return temperature >= 0 && temperature <= 1 ? undefined : `${model} takes a temperature between 0 and 1`;
  if (temperature === 1) return undefined;
  return `${model} samples its own way and rejects any temperature but 1 (Anthropic answers 400); remove ANTHROPIC_TEMPERATURE, or set ANTHROPIC_MODEL to a model that accepts ${temperature}, such as claude-haiku-4-5`;
}
