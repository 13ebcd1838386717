import type { Conversation } from './conversation.js';

/**
 * Continue on an answer cut at max_tokens: the conversation up to and including the cut answer,
 * then a request to go on. Recent models refuse a prefilled (trailing assistant) turn, so the
 * request is a user turn on every model. Pure.
 */
export const CONTINUE_INSTRUCTION =
  'Continue your previous answer exactly where it stopped, mid-sentence or mid-code-block if that is where it was cut. Do not repeat anything you already wrote and do not add an introduction.';

export function asContinuation(conversation: Conversation, askedBy: string): Conversation {
  const request = `<@${askedBy}>: ${CONTINUE_INSTRUCTION}`;
  const turns = conversation.turns.map((turn) => ({ ...turn }));
  const last = turns.at(-1);
  if (last?.role === 'user') last.content = `${last.content}\n\n${request}`;
  else turns.push({ role: 'user', content: request });
  return { ...conversation, turns };
}
