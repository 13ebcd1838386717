import type Anthropic from '@anthropic-ai/sdk';
import { totalUsage, type ModelCall, type ModelUsage } from '../core/model-usage.js';
import type { ModelError } from './errors.js';
import type { LoopRequest, LoopResult, LoopStatus, ModelLoop, Step } from './model-loop.js';
import type { ToolSource } from './tools.js';

/**
 * An answer, from the model loop to whatever shows it. The same code serves a Slack message, a
 * slash command's response_url and the terminal client: the loop's events become a view (text
 * so far, a status line, the tool steps), and its result becomes the final answer with the notes
 * a person needs (cut at the length limit, declined, stopped, failed, reused, written by the
 * fallback model).
 */
export interface AnswerView {
  /** The answer's Markdown so far. */
  text: string;
  /** A short status shown instead of (or before) text: thinking, retrying. */
  status: string | undefined;
  steps: readonly Step[];
}

/** How an answer ended, as shown. `notice` is a message that is not a model answer. */
export type FinalState = 'done' | 'truncated' | 'stopped' | 'failed' | 'refused' | 'notice';

export interface FinalAnswer {
  markdown: string;
  state: FinalState;
  footnote?: string;
  sources: readonly ToolSource[];
  steps: readonly Step[];
}

/** Where an answer is shown while it is written. */
export interface AnswerSurface {
  readonly firstVisibleAt: number | undefined;
  /** The whole view so far; called often, must not block. */
  show(view: AnswerView): void;
  finish(answer: FinalAnswer): Promise<unknown>;
}

export interface AnswerOutcome {
  /** refused here means declined by the model; `over-limit` is a question refused by usage limits. */
  status: LoopStatus | 'over-limit';
  calls: ModelCall[];
  usage: ModelUsage;
  model?: string | undefined;
  firstTokenAt?: number | undefined;
  firstVisibleAt?: number | undefined;
  finishedAt: number;
  error?: ModelError | undefined;
  servedFrom?: 'cache' | 'shared' | undefined;
  toolCalls: number;
  sources: readonly ToolSource[];
  refusal?: Anthropic.RefusalStopDetails | undefined;
}

/** What a person sees before the first words (a new answer's placeholder says the same). */
export const THINKING_STATUS_TEXT = ':hourglass_flowing_sand: _Thinking…_';
const CACHED_ANSWER_NOTE = ':zap: _Reused answer: this exact question was answered recently, so no new model call was made. Reply in this thread for a fresh one._';

function refusalNote(refusal: Anthropic.RefusalStopDetails | undefined): string {
  const why = refusal?.category === 'reasoning_extraction' ? ' It does not write out its internal reasoning.' : '';
  return `:no_entry_sign: _The model declined to answer this.${why} Rephrase the question or ask about something else; this exchange is left out of the thread's memory._`;
}

export interface AnswerNotes {
  /** ANTHROPIC_MAX_TOKENS, for the note under an answer cut at the length limit. */
  maxTokens: number;
  /** Notes about the input (a question read only in part). */
  extra?: string | undefined;
}

export async function produceAnswer(surface: AnswerSurface, loop: ModelLoop, request: LoopRequest, notes: AnswerNotes, signal?: AbortSignal): Promise<AnswerOutcome> {
  const view: { text: string; status: string | undefined; steps: Step[] } = { text: '', status: undefined, steps: [] };
  for await (const event of loop(request, signal)) {
    switch (event.type) {
      case 'text':
        view.text += event.text;
        view.status = undefined;
        break;
      case 'thinking':
        if (view.text.length === 0) view.status = THINKING_STATUS_TEXT;
        break;
      case 'retrying':
        view.text = view.text.slice(0, event.keepChars);
        view.status = event.status;
        break;
      case 'step': {
        const index = view.steps.findIndex((step) => step.id === event.step.id);
        if (index === -1) view.steps.push(event.step);
        else view.steps[index] = event.step;
        break;
      }
      case 'done': {
        const { result } = event;
        const final = finalAnswerOf(result, view.steps, notes);
        await surface.finish(final);
        return {
          status: result.status,
          calls: result.calls,
          usage: totalUsage(result.calls),
          model: result.model,
          firstTokenAt: result.firstTextAt,
          firstVisibleAt: surface.firstVisibleAt,
          finishedAt: Date.now(),
          error: result.error,
          servedFrom: result.servedFrom,
          toolCalls: result.toolCalls,
          sources: result.sources,
          refusal: result.refusal,
        };
      }
    }
    surface.show({ text: view.text, status: view.status, steps: [...view.steps] });
  }
  throw new Error('the model loop ended without a result');
}

function finalAnswerOf(result: LoopResult, steps: readonly Step[], notes: AnswerNotes): FinalAnswer {
  const base = { sources: result.sources, steps };
  switch (result.status) {
    case 'stopped':
      return { ...base, state: 'stopped', markdown: result.text.length > 0 ? `${result.text}\n\n_⏹ Stopped._` : '_⏹ Stopped before any text was written._' };
    case 'failed':
      return { ...base, state: 'failed', markdown: `:warning: ${result.error?.userMessage ?? 'The answer failed.'}` };
    case 'refused':
      // The partial text is replaced: what the model began before declining is not the answer.
      return { ...base, state: 'refused', markdown: refusalNote(result.refusal) };
    case 'truncated':
    case 'answered': {
      const footnote = finalAnswerNotes(result, notes);
      const markdown =
        result.text.length > 0 || result.status === 'answered'
          ? result.text
          : '_The model used its whole output allowance before writing any text._';
      return { ...base, state: result.status === 'truncated' ? 'truncated' : 'done', markdown, ...(footnote ? { footnote } : {}) };
    }
  }
}

function finalAnswerNotes(result: LoopResult, notes: AnswerNotes): string | undefined {
  const lines: string[] = [];
  if (result.status === 'truncated') lines.push(`_The answer reached the length limit (${notes.maxTokens} tokens). Press Continue for the rest._`);
  if (result.servedFrom === 'cache') lines.push(CACHED_ANSWER_NOTE);
  if (result.fallback) lines.push(`_Written by ${result.fallback.to}: ${result.fallback.from} could not answer this one._`);
  if (notes.extra) lines.push(notes.extra);
  return lines.length > 0 ? lines.join('\n') : undefined;
}
