import type Anthropic from '@anthropic-ai/sdk';
import { familyOf, type ModelFamily } from '../core/model-families.js';
import { classifyModelError, ModelError } from './errors.js';

/**
 * What the bot knows about a model before it asks it anything: its limits and what it accepts,
 * from `GET /v1/models/{id}` where the API says it (context and output limits, thinking types,
 * effort levels) and from core/model-families.ts for the rest. Asked once at start-up.
 */
export type Effort = 'low' | 'medium' | 'high' | 'xhigh' | 'max';
const EFFORTS: readonly Effort[] = ['low', 'medium', 'high', 'xhigh', 'max'];

export interface ModelProfile {
  id: string;
  family: ModelFamily;
  /** undefined when the models endpoint could not be read. */
  maxInputTokens: number | undefined;
  maxOutputTokens: number | undefined;
  /** `thinking: {type: "adaptive"}` is accepted. */
  adaptiveThinking: boolean;
  /** `thinking: {type: "disabled"}` is accepted. */
  canDisableThinking: boolean;
  /** `output_config.effort` levels the model accepts (empty: send none). */
  efforts: readonly Effort[];
  /** Where the facts came from: the API, or the offline fallback because the API did not answer. */
  source: 'api' | 'fallback';
}

/** Models whose thinking and effort support the bot assumes when the models endpoint is unreachable. */
const ADAPTIVE_WITHOUT_API = ['claude-haiku-5-5', 'claude-sonnet-5-5', 'claude-opus-5-5', 'claude-opus-5', 'claude-sonnet-5', 'claude-opus-4-8', 'claude-opus-4-7', 'claude-opus-4-6', 'claude-sonnet-4-6'];

function profileFromInfo(info: Anthropic.Models.ModelInfo): ModelProfile {
  const capabilities = info.capabilities;
  const effort = capabilities?.effort;
  return {
    id: info.id,
    family: familyOf(info.id),
    maxInputTokens: info.max_input_tokens ?? undefined,
    maxOutputTokens: info.max_tokens ?? undefined,
    adaptiveThinking: capabilities?.thinking.supported === true && capabilities.thinking.types.adaptive.supported,
    canDisableThinking: capabilities?.thinking.supported === true && capabilities.thinking.types.disabled.supported,
    efforts: effort?.supported ? EFFORTS.filter((level) => effort[level]?.supported === true) : [],
    source: 'api',
  };
}

/** When the API cannot be asked, the bot falls back to what it knows of the model's family. */
function fallbackProfile(model: string): ModelProfile {
  const adaptive = ADAPTIVE_WITHOUT_API.some((prefix) => model === prefix || model.startsWith(`${prefix}-`));
  return {
    id: model,
    family: familyOf(model),
    maxInputTokens: undefined,
    maxOutputTokens: undefined,
    adaptiveThinking: adaptive,
    canDisableThinking: adaptive,
    efforts: adaptive ? ['low', 'medium', 'high'] : [],
    source: 'fallback',
  };
}

/**
 * Asks the API about the configured model, so that a retired or unknown model (such as
 * claude-3-haiku-20240307) is reported to the operator at start-up rather than to the first user.
 */
async function fetchModelProfile(client: Anthropic, model: string): Promise<{ profile: ModelProfile; problem?: ModelError }> {
  try {
    const info = await client.models.retrieve(model);
    // The catalogue may still list a retired model: asking it anything would fail.
    if (info.lifecycle === 'retired') return { profile: profileFromInfo(info), problem: new ModelError('model_not_found', `${model} was retired${info.retires_at ? ` on ${info.retires_at}` : ''}`) };
    return { profile: profileFromInfo(info) };
  } catch (error) {
    return { profile: fallbackProfile(model), problem: classifyModelError(error) };
  }
}

/**
 * The profiles of the models this process uses (the configured one and the fallback), known from
 * the family tables at once and from the API once it has answered.
 */
export class ModelProfiles {
  private readonly known = new Map<string, ModelProfile>();

  get(model: string): ModelProfile {
    return this.known.get(model) ?? fallbackProfile(model);
  }

  /** Asks the API about each model; resolves with what went wrong for each model that could not be checked. */
  async load(client: Anthropic, models: readonly string[]): Promise<Map<string, ModelError>> {
    const problems = new Map<string, ModelError>();
    await Promise.all(
      models.map(async (model) => {
        const { profile, problem } = await fetchModelProfile(client, model);
        this.known.set(model, profile);
        if (problem) problems.set(model, problem);
      }),
    );
    return problems;
  }
}
