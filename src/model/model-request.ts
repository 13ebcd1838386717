import type Anthropic from '@anthropic-ai/sdk';
import { SAMPLING_API_VERSION } from '../core/model-families.js';
import { ZERO_USAGE, type ModelUsage } from '../core/model-usage.js';
import { classifyModelError, ModelError } from './errors.js';
import type { Effort, ModelProfile } from './model-profile.js';
import { StreamWatchdog } from './stream-watchdog.js';

/**
 * One request to the Messages API, streamed: what is sent for a model (thinking, effort,
 * sampling, the output allowance) and what comes back (text as it arrives, then the whole
 * message as received, which a tool round passes back unchanged).
 */
export interface ModelSettings {
  name: string;
  /** The answer's own allowance of output tokens (the product's max_tokens). */
  maxTokens: number;
  /** Output tokens added to max_tokens when the model may think: thinking counts toward max_tokens. */
  thinkingTokens: number;
  /** undefined: none sent, on the SDK's own API version. */
  temperature: number | undefined;
  effort: Effort;
  thinking: 'adaptive' | 'disabled';
  /** ANTHROPIC_TIMEOUT_MS: until the response starts, and the longest silence within a stream. */
  timeoutMs: number;
}

export interface RequestShape {
  params: Anthropic.MessageStreamParams & { temperature?: number };
  headers: Record<string, string>;
  /** Whether the model may think in this request (then its output allowance includes thinking). */
  thinks: boolean;
}

export function requestShape(
  profile: ModelProfile,
  settings: ModelSettings,
  body: { system: Anthropic.TextBlockParam[]; messages: Anthropic.MessageParam[]; tools?: Anthropic.Tool[]; toolChoice?: Anthropic.ToolChoice; endUserId?: string },
): RequestShape {
  const thinking = thinkingFor(profile, settings);
  const thinks = thinking?.type === 'adaptive';
  const allowance = settings.maxTokens + (thinks ? settings.thinkingTokens : 0);
  const params: RequestShape['params'] = {
    // The name as configured: the models endpoint may answer an alias with its dated snapshot.
    model: settings.name,
    max_tokens: profile.maxOutputTokens ? Math.min(allowance, profile.maxOutputTokens) : allowance,
    system: body.system,
    messages: body.messages,
    ...(thinking ? { thinking } : {}),
    ...(profile.efforts.includes(settings.effort) ? { output_config: { effort: settings.effort } } : {}),
    ...(body.tools && body.tools.length > 0 ? { tools: body.tools, ...(body.toolChoice ? { tool_choice: body.toolChoice } : {}) } : {}),
    ...(body.endUserId ? { metadata: { user_id: body.endUserId } } : {}),
  };
  const headers: Record<string, string> = {};
  if (settings.temperature !== undefined) {
    // API version 2026-10-21 (the SDK's default) removed temperature; the previous version takes it.
    params.temperature = settings.temperature;
    headers['anthropic-version'] = SAMPLING_API_VERSION;
  }
  return { params, headers, thinks };
}

/** Thinking is sent explicitly on models that think, and never to models that cannot. */
function thinkingFor(profile: ModelProfile, settings: ModelSettings): Anthropic.ThinkingConfigParam | undefined {
  if (!profile.adaptiveThinking) return undefined;
  // Turning thinking off is only accepted at effort low, medium or high.
  if (settings.thinking === 'disabled' && profile.canDisableThinking && ['low', 'medium', 'high'].includes(settings.effort)) return { type: 'disabled' };
  return { type: 'adaptive' };
}

export type RequestEvent = { type: 'text'; text: string } | { type: 'thinking' };

export interface RequestResult {
  /** The assistant message as received, thinking blocks included (pick blocks by type). */
  content: Anthropic.ContentBlock[];
  stopReason: Anthropic.StopReason | null;
  refusal: Anthropic.RefusalStopDetails | undefined;
  usage: ModelUsage;
  model: string;
  requestId: string | undefined;
}

/** A failed request, with what it had used when it failed (input is billed once the stream starts). */
export class RequestFailure extends Error {
  constructor(
    readonly error: ModelError,
    readonly usage: ModelUsage,
  ) {
    super(error.message, { cause: error });
  }
}

export async function* streamRequest(client: Anthropic, shape: RequestShape, timeoutMs: number, signal?: AbortSignal): AsyncGenerator<RequestEvent, RequestResult> {
  // The SDK's timeout ends at the response's first byte; the watchdog bounds every later silence.
  const watchdog = new StreamWatchdog(timeoutMs, signal);
  let usage = ZERO_USAGE;
  try {
    const stream = client.messages.stream(shape.params, { headers: shape.headers, signal: watchdog.signal });
    for await (const event of stream) {
      watchdog.kick();
      if (event.type === 'message_start') usage = toUsage(event.message.usage);
      else if (event.type === 'message_delta') usage = { ...usage, outputTokens: event.usage.output_tokens };
      else if (event.type === 'content_block_start' && event.content_block.type === 'thinking') yield { type: 'thinking' };
      else if (event.type === 'content_block_delta' && event.delta.type === 'text_delta' && event.delta.text.length > 0) yield { type: 'text', text: event.delta.text };
    }
    const final = await stream.finalMessage();
    return {
      content: final.content,
      stopReason: final.stop_reason,
      refusal: final.stop_reason === 'refusal' ? (final.stop_details ?? { type: 'refusal', category: null, explanation: null }) : undefined,
      usage: toUsage(final.usage),
      model: final.model,
      requestId: stream.request_id ?? undefined,
    };
  } catch (error) {
    const failure = watchdog.fired ? new ModelError('timeout', `the stream sent nothing for ${watchdog.idleMs} ms`, { cause: error }) : classifyModelError(error);
    throw new RequestFailure(failure, usage);
  } finally {
    watchdog.stop();
  }
}

function toUsage(usage: Pick<Anthropic.Usage, 'input_tokens' | 'output_tokens'> & Partial<Anthropic.Usage>): ModelUsage {
  return {
    inputTokens: usage.input_tokens,
    outputTokens: usage.output_tokens,
    cacheReadTokens: usage.cache_read_input_tokens ?? 0,
    cacheWriteTokens: usage.cache_creation_input_tokens ?? 0,
  };
}
