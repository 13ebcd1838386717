import Anthropic from '@anthropic-ai/sdk';
import type { ModelTurn } from '../core/conversation.js';
import type { Config } from '../config.js';
import { recordModelCall } from '../ops/metrics.js';
import { classifyModelError, ModelError } from './errors.js';
import { mayBeCacheable } from './prompt-cache.js';
import { StreamWatchdog } from './stream-watchdog.js';

/**
 * The Anthropic edge: one function that streams an answer as text deltas and ends with usage and
 * a stop reason. The worker decides what Slack sees; this file only speaks to the model.
 */
export interface ModelUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

export type StopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'refusal' | 'pause_turn' | 'tool_use' | 'other';

export interface ModelRequest {
  system: string;
  turns: readonly ModelTurn[];
  model: string;
  /** undefined: the model's own sampling, on the SDK's current API version. */
  temperature: number | undefined;
  maxTokens: number;
  /** An opaque per-user id for Anthropic's abuse detection; never a name or an email. */
  endUserId?: string;
  signal?: AbortSignal;
}

export type ModelEvent =
  | { type: 'text'; text: string }
  | { type: 'done'; usage: ModelUsage; stopReason: StopReason; model: string; requestId: string | undefined };

/**
 * API version 2026-10-21 (the default of SDK 1.x) removed temperature, top_p and top_k and answers
 * 400 to any of them. The product lets teams set the temperature (0.7 by default), so a request
 * that carries one is sent with the previous API version, which still accepts it; with
 * ANTHROPIC_TEMPERATURE=none the bot sends none and uses the SDK's current version.
 */
export const SAMPLING_API_VERSION = '2023-06-01';

/** The SDK's types no longer list temperature; the 2023-06-01 API still takes it. */
interface SamplingParams {
  temperature?: number;
}


export function createAnthropicClient(model: Config['model']): Anthropic {
  return new Anthropic({
    apiKey: model.apiKey,
    ...(model.baseUrl ? { baseURL: model.baseUrl } : {}),
    timeout: model.timeoutMs,
    // The answer job owns retries (model/retry-policy.ts), so the SDK must not multiply them.
    maxRetries: 0,
  });
}

/**
 * Streams one answer. Kept as a loop over model turns so that tool use can be added later
 * without touching the worker: today every turn ends the answer.
 */
export async function* streamAnswer(client: Anthropic, request: ModelRequest): AsyncGenerator<ModelEvent> {
  const messages: Anthropic.MessageParam[] = toMessageParams(request.turns, request.model, request.system.length);
  for (;;) {
    const turn = yield* streamTurn(client, request, messages);
    if (turn.stopReason !== 'tool_use') {
      yield turn;
      return;
    }
    throw new ModelError('invalid_request', 'the model asked to use a tool, and this bot offers none');
  }
}

async function* streamTurn(
  client: Anthropic,
  request: ModelRequest,
  messages: Anthropic.MessageParam[],
): AsyncGenerator<ModelEvent, Extract<ModelEvent, { type: 'done' }>> {
  const params: Anthropic.MessageStreamParams & SamplingParams = {
    model: request.model,
    max_tokens: request.maxTokens,
    system: systemBlocks(request.system, request.model),
    messages,
    ...(request.endUserId ? { metadata: { user_id: request.endUserId } } : {}),
  };
  const headers: Record<string, string> = {};
  if (request.temperature !== undefined) {
    params.temperature = request.temperature;
    headers['anthropic-version'] = SAMPLING_API_VERSION;
  }
  const call = recordModelCall(request.model);
  // ANTHROPIC_TIMEOUT_MS also bounds each silence within the stream, which the SDK does not.
  const watchdog = new StreamWatchdog(client.timeout, request.signal);
  try {
    const stream = client.messages.stream(params, { headers, signal: watchdog.signal });
    for await (const event of stream) {
      watchdog.kick();
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta' && event.delta.text.length > 0) {
        call.text();
        yield { type: 'text', text: event.delta.text };
      }
    }
    const final = await stream.finalMessage();
    const usage = toUsage(final.usage);
    call.succeeded(usage);
    return {
      type: 'done',
      usage,
      stopReason: toStopReason(final.stop_reason),
      model: final.model,
      requestId: stream.request_id ?? undefined,
    };
  } catch (error) {
    const failure = watchdog.fired ? new ModelError('timeout', `the stream sent nothing for ${watchdog.idleMs} ms`, { cause: error }) : classifyModelError(error);
    call.failed(failure);
    throw failure;
  } finally {
    watchdog.stop();
  }
}

/**
 * The system prompt and, for long threads, the history before the newest question carry cache
 * breakpoints: the next question in the same thread then reads them from Anthropic's prompt cache
 * at a tenth of the input price.
 */
function systemBlocks(system: string, model: string): Anthropic.TextBlockParam[] {
  const block: Anthropic.TextBlockParam = { type: 'text', text: system };
  if (mayBeCacheable(system.length, model)) block.cache_control = { type: 'ephemeral' };
  return [block];
}

/** The history breakpoint caches everything before it: the system prompt (systemChars) and the earlier turns. */
export function toMessageParams(turns: readonly ModelTurn[], model: string, systemChars = 0): Anthropic.MessageParam[] {
  const params: Anthropic.MessageParam[] = turns.map((turn) => ({ role: turn.role, content: turn.content }));
  const historyChars = turns.slice(0, -1).reduce((sum, turn) => sum + turn.content.length, 0);
  const lastHistoryIndex = params.length - 2;
  if (mayBeCacheable(systemChars + historyChars, model) && lastHistoryIndex >= 0) {
    const turn = params[lastHistoryIndex]!;
    turn.content = [{ type: 'text', text: turn.content as string, cache_control: { type: 'ephemeral' } }];
  }
  return params;
}

function toUsage(usage: Anthropic.Usage): ModelUsage {
  return {
    inputTokens: usage.input_tokens,
    outputTokens: usage.output_tokens,
    cacheReadTokens: usage.cache_read_input_tokens ?? 0,
    cacheWriteTokens: usage.cache_creation_input_tokens ?? 0,
  };
}

function toStopReason(reason: string | null): StopReason {
  switch (reason) {
    case 'end_turn':
    case 'max_tokens':
    case 'stop_sequence':
    case 'refusal':
    case 'pause_turn':
    case 'tool_use':
      return reason;
    default:
      return 'other';
  }
}

/**
 * Asks the API whether the configured model exists, so that a retired model (such as
 * claude-3-haiku-20240307) is reported to the operator at start-up rather than to the first user.
 */
export async function checkModelAvailable(client: Anthropic, model: string): Promise<'ok' | ModelError> {
  try {
    await client.models.retrieve(model);
    return 'ok';
  } catch (error) {
    return classifyModelError(error);
  }
}
