import type { SlackMessage } from '../fakes/slack.js';
import { blockActions, sendAction, SIGNING_SECRET, type SlackHttpResult } from '../support/slack-requests.js';
import { BOT_USER, isFinal, type Asked, type Stack } from './stack.js';

/**
 * What the failure tests look at in the fake workspace: the bot's replies in a thread, their
 * buttons, and pressing one the way Slack delivers a click (a signed block_actions request).
 */
export function botRepliesIn(stack: Stack, asked: Pick<Asked, 'channel' | 'threadTs' | 'ts'>): SlackMessage[] {
  return stack.slack.messagesIn(asked.channel, asked.threadTs).filter((message) => message.user === BOT_USER && message.ts !== asked.ts);
}

interface ButtonElement {
  action_id?: string;
  value?: string;
}

export function buttonsOf(message: SlackMessage): ButtonElement[] {
  const blocks = (message.blocks ?? []) as Array<{ type?: string; elements?: ButtonElement[] }>;
  return blocks.filter((block) => block.type === 'actions').flatMap((block) => block.elements ?? []);
}

export function buttonValue(message: SlackMessage, actionId: string): string | undefined {
  return buttonsOf(message).find((button) => button.action_id === actionId)?.value;
}

/** The bot's final message for `asked` that offers Retry (an answer that failed for good). */
export function failedAnswer(stack: Stack, asked: Asked, timeoutMs = 15_000): Promise<SlackMessage> {
  return stack.slack.waitFor(() => botRepliesIn(stack, asked).find((message) => isFinal(message) && buttonValue(message, 'answer_retry') !== undefined), timeoutMs);
}

/** Clicks a button of a bot message as `user`, exactly as Slack posts it to the request URL. */
export function pressButton(stack: Stack, message: SlackMessage, actionId: string, channel: string, user = 'U0ALICE'): Promise<SlackHttpResult> {
  const value = buttonValue(message, actionId);
  if (value === undefined) throw new Error(`message ${message.ts} has no ${actionId} button`);
  return sendAction(stack.eventsUrl, SIGNING_SECRET, blockActions({ message, actionId, value, channel, user }));
}

/** How often `needle` occurs in `text`. */
export function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls an asynchronous check (an HTTP probe, say) until it holds. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}

/** The turns of a model request as text, whatever blocks (cache breakpoints) carry them. */
export function turnsOf(request: { body?: Record<string, unknown> | undefined } | undefined): Array<{ role: string; content: string }> {
  const messages = (request?.body?.messages ?? []) as Array<{ role: string; content: string | Array<{ type: string; text?: string }> }>;
  return messages.map((message) => ({
    role: message.role,
    content: typeof message.content === 'string' ? message.content : message.content.map((block) => block.text ?? '').join(''),
  }));
}
