import type { WebClient } from '@slack/web-api';
import type { BotMessageKind } from '../core/conversation.js';
import { METADATA_EVENT } from '../publish/slack-messages.js';
import { cursorPages, slackErrorCode } from '../publish/slack-web.js';
import { threadPages, type RawSlackMessage } from './thread-reader.js';

/**
 * What a run of a job posted but could not record on the job: a worker killed between Slack's
 * reply to a post and the record leaves the message in Slack and its ts nowhere. Every message
 * the bot posts for a job names the job in its metadata, so a later run finds it there and
 * carries on in it (and in a long answer's follow-ups) instead of posting a second one, or leaves
 * it be when it holds the whole answer already (the run died between showing the answer and
 * recording it delivered). A text stream carries no metadata until it ends (`chat.startStream`
 * takes none), so an answer begun as one is not found.
 */

/** The bot's first message of this kind in the thread that names the job: an answer's (its receipt, or its first words), a greeting. */
export function findThreadPost(slack: WebClient, channel: string, threadTs: string, jobId: string, kind: BotMessageKind): Promise<string | undefined> {
  return unlessUnreadable(async () => {
    for await (const page of threadPages(slack, channel, threadTs)) {
      const found = page.find((raw) => postedFor(raw, jobId, kind));
      if (found?.ts) return found.ts;
    }
    return undefined;
  });
}

/**
 * What earlier runs of this job wrote in the thread: its messages, oldest first (the answer's
 * message — its receipt, first words, final or failure — then a long answer's follow-ups; a native
 * stream's message carries no metadata before its final, so then only the follow-ups are found),
 * and whether the answer was shown whole (a message of the job says `complete` in its metadata:
 * the final, or a long answer's last part).
 */
export interface EarlierAnswer {
  messageTs: string[];
  complete: boolean;
}

export function findEarlierAnswer(slack: WebClient, channel: string, threadTs: string, jobId: string): Promise<EarlierAnswer | undefined> {
  return unlessUnreadable(async () => {
    const messageTs: string[] = [];
    for await (const page of threadPages(slack, channel, threadTs)) {
      // A failed or declined answer's message is a notice by then.
      for (const raw of page.filter((message) => postedFor(message, jobId, 'answer') || postedFor(message, jobId, 'notice'))) {
        if (!raw.ts) continue;
        messageTs.push(raw.ts);
        if (ourPayload(raw)?.complete === true) return { messageTs, complete: true };
      }
    }
    return messageTs.length > 0 ? { messageTs, complete: false } : undefined;
  });
}

/** Slack's clock and the one that stamped `sinceMs` may differ by this much. */
const CLOCK_MARGIN_MS = 60_000;
const HISTORY_PAGE_SIZE = 200;

/** `/aws`'s question, posted in the channel since `sinceMs` (when the command arrived). */
export function findCommandQuestion(slack: WebClient, channel: string, sinceMs: number, jobId: string): Promise<string | undefined> {
  const oldest = ((sinceMs - CLOCK_MARGIN_MS) / 1000).toFixed(6);
  return unlessUnreadable(async () => {
    for await (const page of cursorPages((cursor) => slack.conversations.history({ channel, oldest, limit: HISTORY_PAGE_SIZE, include_all_metadata: true, ...(cursor ? { cursor } : {}) }))) {
      const found = (page.messages ?? []).find((raw) => postedFor(raw, jobId, 'question'));
      if (found?.ts) return found.ts;
    }
    return undefined;
  });
}

/** A conversation Slack will not let the bot read (one it is not in) holds nothing the bot posted to find. */
async function unlessUnreadable<Found>(find: () => Promise<Found | undefined>): Promise<Found | undefined> {
  try {
    return await find();
  } catch (error) {
    if (slackErrorCode(error) === undefined) throw error;
    return undefined;
  }
}

function postedFor(raw: RawSlackMessage, jobId: string, kind: BotMessageKind): boolean {
  const payload = ourPayload(raw);
  return payload?.job === jobId && payload.kind === kind;
}

function ourPayload(raw: RawSlackMessage): Record<string, unknown> | undefined {
  return raw.metadata?.event_type === METADATA_EVENT ? raw.metadata.event_payload : undefined;
}
