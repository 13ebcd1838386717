/**
 * A Slack thread becomes the model's conversation: the thread is the bot's only memory.
 * Pure: no Slack client, no clock, so every rule here is tested without servers.
 */
import { authorLabel, subjectTurnText } from './message-subject.js';
import { redactSecrets } from './redact.js';
import { estimateTokens } from './token-estimate.js';

/** What the bot marks its own messages as (in Slack message metadata), to read them back. */
export type BotMessageKind = 'answer' | 'question' | 'notice';

export interface ThreadMessage {
  ts: string;
  /** Author's user id; for the bot's own posts, the bot user. */
  user?: string;
  botId?: string;
  text: string;
  subtype?: string;
  /** Set on the bot's own posts: what the post is. */
  kind?: BotMessageKind;
  /** For `/aws` question posts: who asked. */
  askedBy?: string;
  /**
   * For the bot's answers: the ts of the question answered. An answer is often posted after
   * later messages were written (two questions sent together), yet it belongs right after its
   * question, and the later question's answer must see it.
   */
  answersTs?: string;
  /** Set on the note that replaced an answer the model declined: it and its question stay out of history. */
  declined?: boolean;
  hasFiles?: boolean;
  /** Set on a message someone asked the bot about with the message shortcut: who asked. */
  askedAboutBy?: string;
  /** For a post of another app: the name Slack shows for it, when known. */
  appName?: string;
}

export interface ModelTurn {
  role: 'user' | 'assistant';
  content: string;
}

export interface ConversationOptions {
  botUserId: string;
  botId?: string;
  /** The message being answered: later messages of the thread are not part of its context. */
  questionTs: string;
  /** Bot messages that are not history yet: the answer being written, placeholders. */
  excludeTs?: ReadonlySet<string>;
  /** Upper bound on the estimated tokens of all turns. */
  tokenBudget: number;
  /** Longest text kept from one message; longer ones are cut with a visible note. */
  maxMessageChars: number;
  /** How many more tokens the model's tokenizer makes of the same text (core/model-families.ts); default 1. */
  tokenScale?: number;
}

export interface Conversation {
  turns: ModelTurn[];
  /** Messages left out because the thread did not fit the token budget. */
  omittedMessages: number;
  /** True when the question itself was longer than maxMessageChars and was cut. */
  questionTruncated: boolean;
}

const IGNORED_SUBTYPES = new Set([
  'message_changed',
  'message_deleted',
  'channel_join',
  'channel_leave',
  'channel_topic',
  'channel_purpose',
  'channel_name',
  'pinned_item',
  'assistant_app_thread',
]);

export const TRUNCATION_NOTE = '[… message shortened: only the first part was read]';
const OMITTED_NOTE = (count: number) =>
  `[${count} earlier message${count === 1 ? '' : 's'} of this thread left out to fit the context]`;

/** A deliberately pessimistic token estimate per message (see token-estimate.ts). */
export { estimateTokens };

export function stripMention(text: string, botUserId: string): string {
  const mention = new RegExp(`<@${escapeRegExp(botUserId)}(?:\\|[^>]*)?>`, 'g');
  return text
    .replace(mention, ' ')
    .split('\n')
    .map((line) => line.replace(/[ \t]+/g, ' ').trim())
    .join('\n')
    .trim();
}

function isFromBot(message: ThreadMessage, options: Pick<ConversationOptions, 'botUserId' | 'botId'>): boolean {
  return message.user === options.botUserId || (options.botId !== undefined && message.botId === options.botId);
}

export function buildConversation(thread: readonly ThreadMessage[], options: ConversationOptions): Conversation {
  // A question the model declined, and the note in its place, are not carried forward: sending
  // the same exchange again would most likely be declined again.
  const declined = new Set(thread.filter((message) => message.declined && message.answersTs).map((message) => message.answersTs!));
  const answered = new Set(thread.filter((message) => message.answersTs && isFromBot(message, options)).map((message) => message.answersTs!));
  const relevant = thread
    .filter((message) => (!declined.has(message.ts) || message.ts === options.questionTs) && isRelevant(message, options, answered))
    .sort((a, b) => compareTs(positionOf(a), positionOf(b)) || compareTs(a.ts, b.ts));
  let questionTruncated = false;
  const turns = relevant.map((message): ModelTurn => {
    const turn = toTurn(message, options);
    if (message.ts === options.questionTs && turn.content.length > options.maxMessageChars) questionTruncated = true;
    // Whatever anyone pasted in the thread, credentials never reach the model (masked before
    // shortening, so that a cut cannot leave half a key unrecognised).
    return { role: turn.role, content: shorten(redactSecrets(turn.content).text, options.maxMessageChars) };
  });

  const kept = keepNewestWithinBudget(turns, options.tokenBudget / (options.tokenScale ?? 1));
  const merged = mergeSameRole(dropLeadingAssistantTurns(kept));
  const omittedMessages = turns.length - kept.length;
  if (omittedMessages > 0 && merged[0]) {
    merged[0] = { role: 'user', content: `${OMITTED_NOTE(omittedMessages)}\n\n${merged[0].content}` };
  }
  return { turns: merged, omittedMessages, questionTruncated };
}

/** Where a message belongs in the conversation: an answer right after the question it answers. */
function positionOf(message: ThreadMessage): string {
  return message.answersTs ?? message.ts;
}

function isRelevant(message: ThreadMessage, options: ConversationOptions, answered: ReadonlySet<string>): boolean {
  if (compareTs(positionOf(message), options.questionTs) > 0) return false;
  // An earlier answer to this very question (a reposted or retried one) is not its history.
  if (message.answersTs === options.questionTs) return false;
  if (options.excludeTs?.has(message.ts)) return false;
  if (message.subtype && IGNORED_SUBTYPES.has(message.subtype)) return false;
  if (isFromBot(message, options)) return message.kind !== 'notice';
  // Other bots and integrations talk in channels too; their posts are not questions to answer
  // nor the bot's own answers, so they would only confuse the roles. The exception is a post
  // someone asked the bot about with the message shortcut (an alarm, a deploy notice): it is the
  // question then, and the context of the thread's later questions once answered.
  if (isFromOtherApp(message)) return (message.ts === options.questionTs || answered.has(message.ts)) && message.text.trim().length > 0;
  return stripMention(message.text, options.botUserId).length > 0 || message.hasFiles === true;
}

function toTurn(message: ThreadMessage, options: ConversationOptions): ModelTurn {
  if (isFromBot(message, options) && message.kind === 'question') {
    const asker = message.askedBy ? `<@${message.askedBy}>` : 'someone';
    return { role: 'user', content: `${asker}: ${stripQuestionHeader(message.text)}` };
  }
  if (isFromBot(message, options)) return { role: 'assistant', content: message.text.trim() };
  const text = stripMention(message.text, options.botUserId);
  const author = isFromOtherApp(message) ? { ...(message.appName ? { appName: message.appName } : {}) } : { ...(message.user ? { userId: message.user } : {}) };
  if (message.askedAboutBy) return { role: 'user', content: subjectTurnText(message.askedAboutBy, author, text) };
  if (isFromOtherApp(message)) return { role: 'user', content: `${authorLabel(author)}: ${text}` };
  const body = text.length > 0 ? text : '[shared a file; only text is read]';
  return { role: 'user', content: `<@${message.user ?? 'unknown'}>: ${body}` };
}

/** Called only for messages that are not the bot's own. */
function isFromOtherApp(message: ThreadMessage): boolean {
  return message.botId !== undefined || message.subtype === 'bot_message';
}

/** `/aws` posts read "*<@U…> asked:* question"; the model only needs the question. */
function stripQuestionHeader(text: string): string {
  return text.replace(/^\*?<@[^>]+> asked:\*?\s*/, '').trim();
}

function shorten(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  return `${text.slice(0, maxChars)}\n${TRUNCATION_NOTE}`;
}

/** The newest turns matter most: walk back from the question and stop when the budget is spent. */
function keepNewestWithinBudget(turns: readonly ModelTurn[], budget: number): ModelTurn[] {
  const kept: ModelTurn[] = [];
  let spent = 0;
  for (let index = turns.length - 1; index >= 0; index -= 1) {
    const turn = turns[index]!;
    const cost = estimateTokens(turn.content);
    // The question itself is always kept (already capped by maxMessageChars).
    if (kept.length > 0 && spent + cost > budget) break;
    kept.unshift(turn);
    spent += cost;
  }
  return kept;
}

/** The Messages API wants the conversation to open with a user turn. */
function dropLeadingAssistantTurns(turns: readonly ModelTurn[]): ModelTurn[] {
  const firstUser = turns.findIndex((turn) => turn.role === 'user');
  return firstUser === -1 ? [] : turns.slice(firstUser);
}

function mergeSameRole(turns: readonly ModelTurn[]): ModelTurn[] {
  const merged: ModelTurn[] = [];
  for (const turn of turns) {
    const last = merged.at(-1);
    if (last && last.role === turn.role) last.content = `${last.content}\n\n${turn.content}`;
    else merged.push({ ...turn });
  }
  return merged;
}

/** Slack timestamps are "seconds.micros" strings; compare them as such, not as floats. */
export function compareTs(a: string, b: string): number {
  const [aSeconds = '0', aMicros = '0'] = a.split('.');
  const [bSeconds = '0', bMicros = '0'] = b.split('.');
  return Number(aSeconds) - Number(bSeconds) || Number(aMicros.padEnd(6, '0')) - Number(bMicros.padEnd(6, '0'));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
