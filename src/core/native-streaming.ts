/**
 * Rules for Slack's native text streaming (chat.startStream / appendStream / stopStream), kept
 * apart from the calls themselves so they are tested without servers. Pure.
 */
export type StreamingSetting = 'auto' | 'native' | 'update';

/**
 * Slack streams to one recipient: outside a DM `chat.startStream` needs `recipient_user_id`, and
 * the text appears live for that person. In a direct message (or the assistant panel, which is
 * one) that is everybody who reads the conversation; in a channel thread others would only see
 * the end, while `chat.update` shows the answer growing to all of them. So `auto` streams natively
 * in DMs and uses chat.update in channels; `native` streams natively wherever Slack accepts it.
 */
export function wantsNativeStream(setting: StreamingSetting, conversation: { source: string; channel: string }): boolean {
  if (setting === 'update') return false;
  if (setting === 'native') return true;
  return conversation.source === 'dm' || conversation.source === 'assistant' || conversation.channel.startsWith('D');
}

/**
 * Slack caps the `markdown_text` of one call at 12,000 characters and renders a message's markdown
 * within the same total; past it the stream waits, and the final update (which splits long
 * answers into follow-up messages) shows the rest.
 */
export const MAX_STREAMED_CHARS = 12_000;
export const CONTINUED_NOTE = '\n\n_…continued when complete_';

export type StreamStep =
  /** Send these characters: the stream then holds the answer so far. */
  | { kind: 'append'; text: string }
  /** Nothing new to send. */
  | { kind: 'wait' }
  /** The answer grew past what one streamed message holds: send this note once, then nothing. */
  | { kind: 'full'; text: string }
  /** The text no longer extends what was streamed (streams only grow): switch to chat.update. */
  | { kind: 'rewrite' };

/**
 * What to append next, given what the stream already holds (`streamed`, the model text sent so
 * far) and the model's answer so far. A stream is append-only, so text that does not continue
 * what was streamed cannot be shown this way.
 */
export function nextStreamStep(streamed: string, answerSoFar: string, full: boolean): StreamStep {
  if (!answerSoFar.startsWith(streamed)) return { kind: 'rewrite' };
  if (full || answerSoFar.length === streamed.length) return { kind: 'wait' };
  if (answerSoFar.length + CONTINUED_NOTE.length > MAX_STREAMED_CHARS) return { kind: 'full', text: CONTINUED_NOTE };
  return { kind: 'append', text: answerSoFar.slice(streamed.length) };
}
