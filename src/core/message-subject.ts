/**
 * A Slack message as the question of the message shortcut ("Ask aws-orchestrator" in a message's
 * menu): what it says, read from its text, its blocks and its attachments (another app's alarm
 * often has no text at all, only an attachment), who wrote it, and the notes the person who asked
 * may get. Pure: the payload's message in, text out.
 */
import type { MessageAuthor } from './jobs.js';

/** A message as Slack stores it and sends it in a shortcut payload; only what is read here. */
export interface StoredMessage {
  text?: unknown;
  user?: unknown;
  bot_id?: unknown;
  username?: unknown;
  bot_profile?: unknown;
  blocks?: unknown;
  attachments?: unknown;
}

type Json = Record<string, unknown>;

const asRecord = (value: unknown): Json | undefined => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined);
const asString = (value: unknown): string | undefined => (typeof value === 'string' && value.trim().length > 0 ? value : undefined);
const records = (value: unknown): Json[] => (Array.isArray(value) ? value.map(asRecord).filter((item) => item !== undefined) : []);
const textOf = (value: unknown): string | undefined => asString(value) ?? asString(asRecord(value)?.text);

/**
 * Everything a person reads in the message, as plain lines: its text, then its blocks, then its
 * attachments. A person's message carries its text twice (as `text` and as a rich_text block);
 * an app's usually repeats its blocks in `text` as the notification line: each is read once.
 */
export function messageSubjectText(message: StoredMessage): string {
  const text = asString(message.text)?.trim();
  const blocks = records(message.blocks);
  const richTextOnly = blocks.every((block) => block.type === 'rich_text');
  // A client's rich_text block is the text as typed; it is read only when there is no text.
  const blocksText = text && richTextOnly ? undefined : blocksToText(blocks);
  const parts: string[] = [];
  if (text && !(blocksText && squash(blocksText).includes(squash(text)))) parts.push(text);
  if (blocksText) parts.push(blocksText);
  for (const attachment of records(message.attachments)) {
    const attachmentText = attachmentToText(attachment);
    if (attachmentText) parts.push(attachmentText);
  }
  return parts.join('\n\n').trim();
}

/** Who wrote the message: a person, or an app (integrations and app bot users alike). */
export function messageAuthor(message: StoredMessage): MessageAuthor {
  if (asString(message.bot_id) === undefined) {
    const userId = asString(message.user);
    return userId ? { userId } : {};
  }
  const appName = asString(asRecord(message.bot_profile)?.name) ?? asString(message.username);
  return appName ? { appName } : {};
}

/** How the author is named to the model: a mention for a person, the app's name for an app. */
export function authorLabel(author: MessageAuthor | undefined): string {
  if (author?.userId) return `<@${author.userId}>`;
  if (author?.appName) return `${author.appName} (an app)`;
  return 'an app';
}

/** The question turn of a shortcut: who asks, about what, written by whom. */
export function subjectTurnText(askedBy: string, author: MessageAuthor | undefined, text: string): string {
  return `<@${askedBy}> asks you about this message from ${authorLabel(author)}:\n\n${text}`;
}

/** Under the answer: the person who asked (the message's author may be someone else, or an app). */
export function askedAboutNote(userId: string): string {
  return `_<@${userId}> asked about this message._`;
}

/** Slack's answers when the bot cannot post where the message is. */
export const CANNOT_POST_ERRORS: ReadonlySet<string> = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action', 'cant_post_in_channel']);

/** Told privately when the bot cannot answer where the message is: how to let it in. */
export function cannotAnswerThereText(slackError: string): string {
  switch (slackError) {
    case 'not_in_channel':
      return ":wave: I'm not a member of this channel, so I can't answer there. Invite me with `/invite @aws-orchestrator`, then choose *Ask aws-orchestrator* on the message again.";
    case 'channel_not_found':
      return ":wave: I can't see this conversation: it is private and I'm not in it. In a private channel, invite me with `/invite @aws-orchestrator` and try again; I can't join a direct message between people, so ask me there in a channel or in a direct message with me instead.";
    case 'is_archived':
      return "This channel is archived, so I can't answer in it.";
    default:
      return ":wave: I'm not allowed to post in this conversation, so I can't answer there. Ask a workspace admin, or ask me in a channel I'm in or in a direct message with me.";
  }
}

export const ALREADY_ANSWERED_TEXT =
  "I've already answered this message (or I'm answering it now) in its thread. Reply in that thread to ask more: I follow threads I've answered in, no mention needed.";

export const OWN_MESSAGE_TEXT = "That's one of my own messages. To ask more about it, reply in its thread: I follow threads I've answered in, no mention needed.";

export const NO_TEXT_TEXT = 'That message has no text I can read (only files or images), so I have nothing to answer about.';

export const SUBJECT_SECRET_TEXT =
  ':warning: The message you asked about contains what looks like a credential. I masked it before it reached the AI model or my logs, but it is still in Slack: whoever posted it should rotate it (deactivate it and create a new one) and delete the message.';

// ---- blocks and attachments ----------------------------------------------------------------------

function blocksToText(blocks: readonly Json[]): string | undefined {
  const lines = blocks.map(blockToText).filter((line) => line !== undefined);
  return lines.length > 0 ? lines.join('\n') : undefined;
}

function blockToText(block: Json): string | undefined {
  switch (block.type) {
    case 'section':
      return joinNonBlank([textOf(block.text), ...records(block.fields).map((field) => textOf(field))]);
    case 'header':
    case 'markdown':
      return textOf(block.text);
    case 'context':
      return joinNonBlank(records(block.elements).map((element) => textOf(element.text)), ' ');
    case 'rich_text':
      return joinNonBlank(records(block.elements).map(richTextElement));
    case 'image': {
      const label = textOf(block.title) ?? asString(block.alt_text);
      return label ? `[image: ${label}]` : undefined;
    }
    case 'table':
      return joinNonBlank(
        (Array.isArray(block.rows) ? block.rows : []).map((row) => joinNonBlank(records(row).map((cell) => cellText(cell)), ' | ')),
      );
    // Controls, inputs and dividers are not something the message says.
    case 'actions':
    case 'context_actions':
    case 'divider':
    case 'input':
      return undefined;
    default:
      return textOf(block.text);
  }
}

function cellText(cell: Json): string {
  if (cell.type === 'rich_text') return joinNonBlank(records(cell.elements).map(richTextElement)) ?? '';
  return textOf(cell.text) ?? '';
}

function richTextElement(element: Json): string | undefined {
  const inline = () => records(element.elements).map(inlineText).join('');
  switch (element.type) {
    case 'rich_text_section':
      return asString(inline());
    case 'rich_text_preformatted':
      return `\`\`\`\n${inline()}\n\`\`\``;
    case 'rich_text_quote':
      return inline()
        .split('\n')
        .map((line) => `> ${line}`)
        .join('\n');
    case 'rich_text_list': {
      const indent = '  '.repeat(typeof element.indent === 'number' ? element.indent : 0);
      const ordered = element.style === 'ordered';
      return joinNonBlank(records(element.elements).map((item, index) => `${indent}${ordered ? `${index + 1}.` : '•'} ${richTextElement(item) ?? ''}`));
    }
    default:
      return undefined;
  }
}

function inlineText(element: Json): string {
  switch (element.type) {
    case 'text':
      return typeof element.text === 'string' ? (asRecord(element.style)?.code === true ? `\`${element.text}\`` : element.text) : '';
    case 'link': {
      const url = asString(element.url) ?? '';
      const label = asString(element.text);
      return label && label !== url ? `<${url}|${label}>` : url;
    }
    case 'user':
      return `<@${asString(element.user_id) ?? 'someone'}>`;
    case 'channel':
      return `<#${asString(element.channel_id) ?? 'a-channel'}>`;
    case 'usergroup':
      return `<!subteam^${asString(element.usergroup_id) ?? ''}>`;
    case 'broadcast':
      return `<!${asString(element.range) ?? 'here'}>`;
    case 'emoji':
      return `:${asString(element.name) ?? 'emoji'}:`;
    case 'date':
      return asString(element.fallback) ?? (typeof element.timestamp === 'number' ? String(element.timestamp) : '');
    default:
      return asString(element.text) ?? '';
  }
}

function attachmentToText(attachment: Json): string | undefined {
  const title = asString(attachment.title);
  const link = asString(attachment.title_link);
  const fields = records(attachment.fields).map((field) => {
    const name = asString(field.title);
    const value = asString(field.value);
    return name && value ? `${name}: ${value}` : (value ?? name);
  });
  const lines = [
    asString(attachment.pretext),
    asString(attachment.author_name),
    title && link ? `${title} (${link})` : title,
    asString(attachment.text),
    ...fields,
    blocksToText(records(attachment.blocks)),
    asString(attachment.footer),
  ];
  return joinNonBlank(lines) ?? asString(attachment.fallback);
}

/** The non-blank parts joined, or undefined when there are none. */
function joinNonBlank(lines: ReadonlyArray<string | undefined>, separator = '\n'): string | undefined {
  const kept = lines.filter((line): line is string => line !== undefined && line.trim().length > 0);
  return kept.length > 0 ? kept.join(separator) : undefined;
}

/** Whitespace does not make two renderings of one text different. */
function squash(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
