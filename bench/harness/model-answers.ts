/**
 * What the fake model answers in the bench: for question `[Q00042]`, a Markdown answer of a set
 * length that starts with `Answer Q00042:` and ends with `End of answer Q00042.`, so the harness can
 * tell when the first and the complete text became visible in Slack. The pace (time to first
 * token, tokens per second) is set per run.
 */
import { lastUserText, type Responder, type TextReply } from '../../test/fakes/anthropic.js';

export interface ModelPace {
  /** How long the model thinks before it writes (Claude Haiku 5.5 thinks first, unseen). */
  thinkingMs?: number;
  /** Time to first token after the thinking (ms). */
  ttftMs: number;
  /** Output speed; undefined for a model that answers instantly. */
  tokensPerSecond?: number;
  /** Characters per text delta. */
  chunkSize: number;
  /** Length of each answer, in characters (about four per token). */
  answerChars: number;
}

/**
 * Claude Haiku 5.5's usual pace at low effort: a short think (about 300 ms), then about half a
 * second to the first word, then ~120 tokens a second.
 */
export const REALISTIC_PACE: ModelPace = { thinkingMs: 300, ttftMs: 500, tokensPerSecond: 120, chunkSize: 32, answerChars: 1200 };
/** A question the model thinks about for a while (higher effort, a harder question): 3 s before the first word. */
export const THINKING_PACE: ModelPace = { ...REALISTIC_PACE, thinkingMs: 3000 };
export const INSTANT_PACE: ModelPace = { ttftMs: 0, chunkSize: 64, answerChars: 400 };

const BODY = [
  '**Short version:** it depends on your setup, so here is the usual path.\n\n',
  '- Create the resource with the console or `aws` CLI and tag it.\n',
  '- Give the role only the permissions it needs (least privilege).\n',
  '- Check the result with `aws sts get-caller-identity` and CloudWatch metrics.\n\n',
  'Most teams automate this with CloudFormation or Terraform once it works by hand. ',
];

export function answerText(id: string, chars: number): string {
  const start = `Answer ${id}: `;
  const end = ` End of answer ${id}.`;
  let middle = '';
  for (let i = 0; middle.length < chars - start.length - end.length; i += 1) middle += BODY[i % BODY.length];
  return start + middle.slice(0, Math.max(0, chars - start.length - end.length)).trimEnd() + end;
}

export const endMarker = (id: string): string => `End of answer ${id}.`;
export const startMarker = (id: string): string => `Answer ${id}:`;

export function questionIdIn(text: string): string | undefined {
  return /\[([A-Z]\d{5})\]/.exec(text)?.[1];
}

/** Answers every question at `pace`; `paceFor` may give some questions (warm-up ones) another. */
export function benchResponder(pace: ModelPace, paceFor: (id: string) => ModelPace = () => pace): Responder {
  return (body) => {
    const id = questionIdIn(lastUserText(body)) ?? 'X00000';
    const chosen = paceFor(id);
    const reply: TextReply = { text: answerText(id, chosen.answerChars), chunkSize: chosen.chunkSize, ttftMs: chosen.ttftMs, ...(chosen.thinkingMs ? { thinkingMs: chosen.thinkingMs } : {}) };
    if (chosen.tokensPerSecond !== undefined) reply.tokensPerSecond = chosen.tokensPerSecond;
    else reply.tokenDelayMs = 0;
    return reply;
  };
}
