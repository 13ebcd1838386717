import type Anthropic from '@anthropic-ai/sdk';
import { setTimeout as delay } from 'node:timers/promises';
import { abortable } from '../core/abortable.js';
import type { ModelTurn } from '../core/conversation.js';
import { ZERO_USAGE, type ModelCall, type ModelUsage } from '../core/model-usage.js';
import type { Logger } from '../ops/logger.js';
import { ModelError } from './errors.js';
import { RequestFailure, requestShape, streamRequest, type ModelSettings, type RequestResult } from './model-request.js';
import type { ModelProfile } from './model-profile.js';
import { mayBeCacheable } from './prompt-cache.js';
import { backoffDelayMs } from './retry-policy.js';
import type { Tool, ToolAsker, ToolOutcome, ToolSource } from './tools.js';

/**
 * The model loop: one answer is a loop over model turns. Each turn streams; a turn that asks for
 * tools has them run (with a time limit and a size cap each) and the next turn gets their
 * results; a turn that fails is retried with backoff, keeping the turns before it. It knows
 * nothing of Slack or Redis: it yields what happens (text, thinking, tool steps, retries) and
 * ends with a result, and the surface it writes to (a Slack message, a response_url, a terminal)
 * decides what people see.
 */
export interface LoopSettings extends ModelSettings {
  /** One attempt on this model after a refusal or exhausted retries (undefined: none). */
  fallbackModel: string | undefined;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** Rounds of tool calls per answer; after the last one the model must answer with what it has. */
  maxToolRounds: number;
  toolTimeoutMs: number;
  /** Longest tool result the model is given, in estimated tokens. */
  toolResultTokens: number;
}

export interface LoopRequest {
  system: string;
  turns: readonly ModelTurn[];
  /** A shorter history, asked for once when the context is too long; absent when there is none. */
  shorterTurns?: () => readonly ModelTurn[];
  tools: readonly Tool[];
  asker: ToolAsker;
  /** An opaque per-person id for Anthropic's abuse detection; never a name or an email. */
  endUserId: string;
}

/** Records what the loop does, for metrics; wired by the composition root. */
export interface ModelObserver {
  requestStarted(model: string): { firstText(): void; succeeded(usage: ModelUsage): void; failed(kind: string): void };
  toolFinished(tool: string, isError: boolean, durationMs: number): void;
  refused(model: string, category: string | null): void;
}

export interface LoopDeps {
  anthropic: Anthropic;
  settings: LoopSettings;
  /** What the API said about each model at start-up (model/model-profile.ts). */
  profileOf: (model: string) => ModelProfile;
  logger: Logger;
  observer?: ModelObserver | undefined;
}

export type StepStatus = 'in_progress' | 'complete' | 'error';

/** A tool call as a person sees it. */
export interface Step {
  id: string;
  title: string;
  status: StepStatus;
  sources: ToolSource[];
}

export type LoopStatus = 'answered' | 'truncated' | 'refused' | 'stopped' | 'failed';

export interface LoopResult {
  status: LoopStatus;
  /** The answer's text: every turn's text, thinking never included. */
  text: string;
  /** Every request made, each with its usage (priced one by one). */
  calls: ModelCall[];
  /** The model that wrote the answer. */
  model: string | undefined;
  /** Set when the fallback model wrote it instead of the configured one. */
  fallback?: { from: string; to: string };
  refusal?: Anthropic.RefusalStopDetails;
  error?: ModelError;
  /** Pages the answer's tool calls returned or read, without duplicates. */
  sources: ToolSource[];
  toolCalls: number;
  /** How long the answer may be reused for others: the shortest reuse time of the tools it used. */
  reusableForSeconds: number;
  firstTextAt?: number;
  /** Set when the answer came from another question's answer (reuse/) instead of a model call. */
  servedFrom?: 'cache' | 'shared';
}

export type LoopEvent =
  | { type: 'text'; text: string }
  | { type: 'thinking' }
  /** A turn is tried again: the text after `keepChars` is void; `status` says why. */
  | { type: 'retrying'; keepChars: number; status: string }
  | { type: 'step'; step: Step }
  | { type: 'done'; result: LoopResult };

export type ModelLoop = (request: LoopRequest, signal?: AbortSignal) => AsyncGenerator<LoopEvent, void>;

const CHARS_PER_TOOL_TOKEN = 3.5;

export function modelLoop(deps: LoopDeps): ModelLoop {
  return (request, signal) => runModelLoop(request, deps, signal);
}

export async function* runModelLoop(request: LoopRequest, deps: LoopDeps, signal?: AbortSignal): AsyncGenerator<LoopEvent, void> {
  const { settings, logger } = deps;
  const toolsByName = new Map(request.tools.map((tool) => [tool.definition.name, tool]));
  const toolParams = [...request.tools]
    .map((tool) => ({ name: tool.definition.name, description: tool.definition.description, input_schema: tool.definition.inputSchema }))
    // A stable order keeps the tool definitions inside the prompt-cached prefix from one question to the next.
    .sort((a, b) => a.name.localeCompare(b.name));
  const calls: ModelCall[] = [];
  const sources = new Map<string, ToolSource>();
  let toolCalls = 0;
  let reusableForSeconds = Number.POSITIVE_INFINITY;
  let firstTextAt: number | undefined;
  let model = settings.name;
  let maxAttempts = settings.maxAttempts;
  let fellBackFrom: string | undefined;
  let turns = request.turns;
  let shortened = false;
  let text: string;

  const done = (result: Omit<LoopResult, 'calls' | 'sources' | 'toolCalls' | 'reusableForSeconds' | 'model'> & { model?: string }): LoopEvent => ({
    type: 'done',
    result: {
      model,
      ...result,
      calls,
      sources: [...sources.values()],
      toolCalls,
      reusableForSeconds,
      ...(firstTextAt ? { firstTextAt } : {}),
      ...(fellBackFrom ? { fallback: { from: fellBackFrom, to: model } } : {}),
    },
  });

  /** Falls back once: the fallback model starts the answer over, with one attempt. */
  const fallBack = (): boolean => {
    if (!settings.fallbackModel || fellBackFrom || settings.fallbackModel === model) return false;
    fellBackFrom = model;
    model = settings.fallbackModel;
    maxAttempts = 1;
    return true;
  };

  conversation: for (;;) {
    const profile = deps.profileOf(model);
    const messages = toMessageParams(turns, model, request.system.length + JSON.stringify(toolParams).length);
    const system = systemBlocks(request.system, model, toolParams.length > 0);
    text = '';
    let rounds = 0;
    for (;;) {
      const turnStart = text.length;
      let result: RequestResult | undefined;
      for (let attempt = 1; result === undefined; attempt += 1) {
        const shape = requestShape(profile, { ...settings, name: model }, {
          system,
          messages,
          tools: toolParams,
          // After the last round of tools the model answers with what it has.
          ...(rounds >= settings.maxToolRounds && toolParams.length > 0 ? { toolChoice: { type: 'none' } } : {}),
          endUserId: request.endUserId,
        });
        const observed = deps.observer?.requestStarted(model);
        try {
          const stream = streamRequest(deps.anthropic, shape, settings.timeoutMs, signal);
          let next = await stream.next();
          let turnHasText = false;
          while (!next.done) {
            const event = next.value;
            if (event.type === 'thinking') yield event;
            else {
              observed?.firstText();
              firstTextAt ??= Date.now();
              // Each turn's text starts a paragraph of its own.
              const piece = !turnHasText && text.length > 0 && !text.endsWith('\n\n') ? `\n\n${event.text}` : event.text;
              turnHasText = true;
              text += piece;
              yield { type: 'text', text: piece };
            }
            next = await stream.next();
          }
          result = next.value;
          observed?.succeeded(result.usage);
        } catch (caught) {
          if (!(caught instanceof RequestFailure)) throw caught;
          const { error } = caught;
          observed?.failed(error.kind);
          if (caught.usage !== ZERO_USAGE) calls.push({ model, usage: caught.usage });
          if (error.kind === 'cancelled') {
            yield done({ status: 'stopped', text });
            return;
          }
          if (error.kind === 'context_too_long' && !shortened && rounds === 0 && request.shorterTurns) {
            // Once, with a much shorter history, before telling anyone: the newest turns matter most.
            shortened = true;
            turns = request.shorterTurns();
            logger.warn({ model: error.toLog() }, 'context too long; retrying with a shorter history');
            yield { type: 'retrying', keepChars: 0, status: ':hourglass_flowing_sand: _The thread is long; reading its most recent part…_' };
            continue conversation;
          }
          if (error.retryable && attempt < maxAttempts) {
            const waitMs = backoffDelayMs(attempt, { maxAttempts, baseMs: settings.retryBaseMs, maxMs: settings.retryMaxMs }, error.details.retryAfterMs);
            logger.warn({ model: error.toLog(), attempt, delayMs: waitMs }, 'model call failed; retrying');
            text = text.slice(0, turnStart);
            yield { type: 'retrying', keepChars: turnStart, status: `:hourglass_flowing_sand: _The model is busy; retrying (attempt ${attempt + 1} of ${maxAttempts})…_` };
            if (!(await pause(waitMs, signal))) {
              yield done({ status: 'stopped', text });
              return;
            }
            continue;
          }
          if (error.retryable && fallBack()) {
            logger.warn({ model: error.toLog(), fallbackModel: model }, 'model call failed for good; one attempt on the fallback model');
            yield { type: 'retrying', keepChars: 0, status: `:hourglass_flowing_sand: _${fellBackFrom} is unavailable; asking ${model}…_` };
            continue conversation;
          }
          logger.error({ model: error.toLog(), attempt }, 'model call failed for good');
          yield done({ status: 'failed', text, error });
          return;
        }
      }

      calls.push({ model: result.model, usage: result.usage });
      if (result.stopReason === 'refusal') {
        deps.observer?.refused(result.model, result.refusal?.category ?? null);
        logger.warn({ model: result.model, refusal: result.refusal, requestId: result.requestId }, 'the model declined to answer');
        // The same request would most likely be declined again: never retried on the same model.
        if (fallBack()) {
          yield { type: 'retrying', keepChars: 0, status: `:hourglass_flowing_sand: _Asking ${model} instead…_` };
          continue conversation;
        }
        yield done({ status: 'refused', text, model: result.model, ...(result.refusal ? { refusal: result.refusal } : {}) });
        return;
      }
      if (result.stopReason === 'tool_use' && toolParams.length > 0) {
        const uses = result.content.filter((block): block is Anthropic.ToolUseBlock => block.type === 'tool_use');
        // The assistant turn goes back exactly as received, thinking blocks first and unchanged.
        messages.push({ role: 'assistant', content: result.content as Anthropic.ContentBlockParam[] });
        const outcomes = yield* runTools(uses, toolsByName, request.asker, deps, signal);
        if (signal?.aborted) {
          yield done({ status: 'stopped', text });
          return;
        }
        for (const { outcome, tool } of outcomes) {
          toolCalls += 1;
          for (const source of outcome.sources) if (!sources.has(source.url)) sources.set(source.url, source);
          reusableForSeconds = Math.min(reusableForSeconds, tool?.reuseSeconds ?? 0);
        }
        messages.push({ role: 'user', content: withMovingBreakpoint(messages, outcomes.map(({ use, outcome }) => toolResultBlock(use.id, outcome, settings.toolResultTokens))) });
        rounds += 1;
        continue;
      }
      yield done({ status: result.stopReason === 'max_tokens' ? 'truncated' : 'answered', text, model: result.model });
      return;
    }
  }
}

async function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  try {
    await delay(ms, undefined, signal ? { signal } : undefined);
    return true;
  } catch {
    return false;
  }
}

interface ToolRun {
  use: Anthropic.ToolUseBlock;
  tool: Tool | undefined;
  outcome: ToolOutcome;
}

/** The calls of one turn run together; each step is shown as it starts and as it ends. */
async function* runTools(
  uses: readonly Anthropic.ToolUseBlock[],
  toolsByName: ReadonlyMap<string, Tool>,
  asker: ToolAsker,
  deps: LoopDeps,
  signal: AbortSignal | undefined,
): AsyncGenerator<LoopEvent, ToolRun[]> {
  const runs = uses.map((use) => {
    const tool = toolsByName.get(use.name);
    const input = isRecord(use.input) ? use.input : {};
    const title = tool ? safeDescribe(tool, input) : use.name;
    return { use, tool, title, promise: runOne(use, tool, input, asker, deps, signal) };
  });
  for (const run of runs) yield { type: 'step', step: { id: run.use.id, title: run.title, status: 'in_progress', sources: [] } };
  const pending = new Map(runs.map((run, index) => [index, run.promise.then((outcome) => ({ index, outcome }))]));
  const outcomes: ToolOutcome[] = [];
  while (pending.size > 0) {
    const { index, outcome } = await Promise.race(pending.values());
    pending.delete(index);
    outcomes[index] = outcome;
    const run = runs[index]!;
    yield { type: 'step', step: { id: run.use.id, title: run.title, status: outcome.isError ? 'error' : 'complete', sources: outcome.sources } };
  }
  return runs.map((run, index) => ({ use: run.use, tool: run.tool, outcome: outcomes[index]! }));
}

async function runOne(use: Anthropic.ToolUseBlock, tool: Tool | undefined, input: Record<string, unknown>, asker: ToolAsker, deps: LoopDeps, signal: AbortSignal | undefined): Promise<ToolOutcome> {
  if (!tool) return { text: `There is no tool named ${use.name}.`, isError: true, sources: [] };
  const startedAt = Date.now();
  const limit = AbortSignal.timeout(deps.settings.toolTimeoutMs);
  const callSignal = signal ? AbortSignal.any([signal, limit]) : limit;
  let outcome: ToolOutcome;
  try {
    // A tool that ignores its signal must not hold the answer: its time limit also ends the wait.
    outcome = await abortable(tool.run(input, { signal: callSignal, asker }), callSignal);
  } catch (error) {
    outcome = {
      text: callSignal.aborted && limit.aborted ? `The tool did not answer within ${deps.settings.toolTimeoutMs / 1000} seconds.` : `The tool failed: ${error instanceof Error ? error.message : String(error)}`,
      isError: true,
      sources: [],
    };
  }
  const durationMs = Date.now() - startedAt;
  deps.observer?.toolFinished(use.name, outcome.isError, durationMs);
  deps.logger.info({ tool: use.name, isError: outcome.isError, durationMs, sources: outcome.sources.length, ...(outcome.log ? { toolLog: outcome.log } : {}) }, 'tool call');
  return outcome;
}

function safeDescribe(tool: Tool, input: Record<string, unknown>): string {
  try {
    return tool.describe(input);
  } catch {
    return tool.definition.name;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toolResultBlock(id: string, outcome: ToolOutcome, maxTokens: number): Anthropic.ToolResultBlockParam {
  const maxChars = Math.floor(maxTokens * CHARS_PER_TOOL_TOKEN);
  const text = outcome.text.length > maxChars ? `${outcome.text.slice(0, maxChars)}\n[… result cut to its first ${maxChars} characters]` : outcome.text;
  return { type: 'tool_result', tool_use_id: id, content: text.length > 0 ? text : '(no output)', ...(outcome.isError ? { is_error: true } : {}) };
}

/**
 * The newest tool results carry a cache breakpoint, so the next round reads everything before
 * it from the prompt cache; older rounds' breakpoints are taken away (the API allows four).
 */
function withMovingBreakpoint(messages: Anthropic.MessageParam[], blocks: Anthropic.ToolResultBlockParam[]): Anthropic.ToolResultBlockParam[] {
  for (const message of messages) {
    if (message.role !== 'user' || typeof message.content === 'string') continue;
    for (const block of message.content) if (block.type === 'tool_result') delete block.cache_control;
  }
  const last = blocks.at(-1);
  if (last) last.cache_control = { type: 'ephemeral' };
  return blocks;
}

/**
 * The system prompt, with the tool definitions before it, and for long threads the history
 * before the newest question carry cache breakpoints: the next question in the same thread reads
 * them from Anthropic's prompt cache at a tenth of the input price.
 */
function systemBlocks(system: string, model: string, hasTools: boolean): Anthropic.TextBlockParam[] {
  const block: Anthropic.TextBlockParam = { type: 'text', text: system };
  if (hasTools || mayBeCacheable(system.length, model)) block.cache_control = { type: 'ephemeral' };
  return [block];
}

/** The history breakpoint caches everything before it: the tools and system prompt (prefixChars) and the earlier turns. */
export function toMessageParams(turns: readonly ModelTurn[], model: string, prefixChars = 0): Anthropic.MessageParam[] {
  const params: Anthropic.MessageParam[] = turns.map((turn) => ({ role: turn.role, content: turn.content }));
  const historyChars = turns.slice(0, -1).reduce((sum, turn) => sum + turn.content.length, 0);
  const lastHistoryIndex = params.length - 2;
  if (mayBeCacheable(prefixChars + historyChars, model) && lastHistoryIndex >= 0) {
    const turn = params[lastHistoryIndex]!;
    turn.content = [{ type: 'text', text: turn.content as string, cache_control: { type: 'ephemeral' } }];
  }
  return params;
}
