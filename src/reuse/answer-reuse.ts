import { createHash } from 'node:crypto';
import type { ModelTurn } from '../core/conversation.js';

/**
 * When an answer may be reused for another question, and how. Pure.
 *
 * Only a first question in a new thread qualifies: its model request is then a single user turn,
 * `<@AUTHOR>: question`, and everything else the model sees is the configuration. The key hashes
 * the question (whitespace collapsed, case folded) with the model settings (model, sampling,
 * effort, thinking, max_tokens), a hash of the system prompt and the names of the tools offered,
 * so an answer is only reused for the same question under the same settings and tools. The author is not part of the key; the reused text is re-addressed to the new asker,
 * so that nobody is pinged by an answer meant for someone else.
 */
export interface ReuseSettings {
  model: string;
  /** Every other model setting that changes an answer, in a stable order. */
  modelSettings: readonly unknown[];
  system: string;
  tools: readonly string[];
}

export interface ReusableQuestion {
  author: string;
  question: string;
}

const AUTHOR_PREFIX = /^<@([UW][A-Z0-9]+)>:\s*/;

/** The question of a request that is one user turn written by one person; undefined otherwise. */
export function reusableQuestion(turns: readonly ModelTurn[]): ReusableQuestion | undefined {
  if (turns.length !== 1) return undefined;
  const [turn] = turns;
  if (!turn || turn.role !== 'user') return undefined;
  const match = AUTHOR_PREFIX.exec(turn.content);
  if (!match?.[1]) return undefined;
  const question = turn.content.slice(match[0].length);
  // Several people's messages merged into one turn are a conversation, not a first question.
  if (/\n\n<@[UW][A-Z0-9]+>: /.test(question) || question.trim() === '') return undefined;
  return { author: match[1], question };
}

export function normaliseQuestion(question: string): string {
  return question.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export function answerReuseKey(question: string, settings: ReuseSettings): string {
  return sha256(
    JSON.stringify(['v2', settings.model, settings.modelSettings, sha256(settings.system), [...settings.tools].sort(), normaliseQuestion(question)]),
  );
}

/** An answer written for `from`, addressed to `to` instead. */
export function readdress(text: string, from: string, to: string): string {
  return from === to ? text : text.split(`<@${from}>`).join(`<@${to}>`);
}

/**
 * Re-addresses streamed text delta by delta: a mention split across two deltas is held back
 * until it is complete, so the text emitted so far is always a prefix of the final text.
 */
export class ReaddressedStream {
  private raw = '';
  private emitted = '';

  constructor(
    private readonly from: string,
    private readonly to: string,
  ) {}

  /** Adds a delta; returns what can be shown now (possibly empty). */
  push(delta: string): string {
    this.raw += delta;
    return this.emit(this.raw.slice(0, this.raw.length - this.heldBack()));
  }

  /** The rest, at the end of the stream. */
  flush(): string {
    return this.emit(this.raw);
  }

  private heldBack(): number {
    const mention = `<@${this.from}>`;
    const start = this.raw.lastIndexOf('<');
    if (start === -1) return 0;
    const tail = this.raw.slice(start);
    return tail.length < mention.length && mention.startsWith(tail) ? tail.length : 0;
  }

  private emit(upTo: string): string {
    const text = readdress(upTo, this.from, this.to);
    const fresh = text.slice(this.emitted.length);
    this.emitted = text;
    return fresh;
  }
}
