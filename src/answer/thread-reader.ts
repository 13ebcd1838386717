import type { WebClient } from '@slack/web-api';
import type { ThreadMessage, BotMessageKind } from '../core/conversation.js';
import { redactSecrets } from '../core/redact.js';
import { questionTsOfJobId } from '../core/job-ids.js';
import { messageAuthor, messageSubjectText } from '../core/message-subject.js';
import { METADATA_EVENT } from '../publish/slack-messages.js';
import { cursorPages } from '../publish/slack-web.js';

/**
 * Reads a whole thread (every page of conversations.replies) as the conversation's memory.
 * The bot's own posts carry message metadata saying what they are (answer, question, notice),
 * which is how they are told apart when read back.
 */
export interface RawSlackMessage {
  ts?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  subtype?: string;
  files?: unknown[];
  metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
  /** Other apps' posts (an alarm from AWS Chatbot) often say everything in blocks and attachments. */
  blocks?: unknown[];
  attachments?: unknown[];
  username?: string;
  bot_profile?: { name?: string };
}

const PAGE_SIZE = 200;

export async function readThread(slack: WebClient, channel: string, threadTs: string): Promise<ThreadMessage[]> {
  const messages: ThreadMessage[] = [];
  for await (const page of threadPages(slack, channel, threadTs)) {
    for (const raw of page) {
      const message = toThreadMessage(raw);
      if (message) messages.push(message);
    }
  }
  return messages;
}

/** Every page of conversations.replies, oldest messages first, with the metadata of the bot's own. */
export async function* threadPages(slack: WebClient, channel: string, threadTs: string): AsyncGenerator<RawSlackMessage[]> {
  for await (const page of cursorPages((cursor) => slack.conversations.replies({ channel, ts: threadTs, limit: PAGE_SIZE, include_all_metadata: true, ...(cursor ? { cursor } : {}) }))) {
    yield page.messages ?? [];
  }
}

export function toThreadMessage(raw: RawSlackMessage): ThreadMessage | undefined {
  if (!raw.ts) return undefined;
  // Credentials pasted in the thread are masked as soon as they are read: the thread cache in
  // Redis never holds them (conversation building masks again, for threads from anywhere else).
  const ours = raw.metadata?.event_type === METADATA_EVENT;
  const fromOtherApp = raw.bot_id !== undefined && !ours;
  const message: ThreadMessage = { ts: raw.ts, text: redactSecrets(fromOtherApp ? messageSubjectText(raw) : (raw.text ?? '')).text };
  if (fromOtherApp) {
    const { appName } = messageAuthor(raw);
    if (appName) message.appName = appName;
  }
  if (raw.user) message.user = raw.user;
  if (raw.bot_id) message.botId = raw.bot_id;
  if (raw.subtype) message.subtype = raw.subtype;
  if (raw.files && raw.files.length > 0) message.hasFiles = true;
  if (ours) {
    const payload = raw.metadata?.event_payload ?? {};
    if (isKind(payload.kind)) message.kind = payload.kind;
    if (typeof payload.asked_by === 'string') message.askedBy = payload.asked_by;
    const answersTs = typeof payload.job === 'string' ? questionTsOfJobId(payload.job) : undefined;
    if (answersTs) message.answersTs = answersTs;
    if (payload.refused === true) message.declined = true;
  }
  return message;
}

function isKind(value: unknown): value is BotMessageKind {
  return value === 'answer' || value === 'question' || value === 'notice';
}
