/**
 * Who may use the bot: optional allowlists of workspaces, conversations and people
 * (ALLOWED_TEAM_IDS, ALLOWED_CHANNEL_IDS, ALLOWED_USER_IDS). An empty list restricts nothing.
 * Pure: the Slack edge (slack/access-control.ts) reads the request and acts on the decision.
 */
export interface AccessPolicy {
  teamIds: readonly string[];
  channelIds: readonly string[];
  userIds: readonly string[];
}

/**
 * The entry of ALLOWED_CHANNEL_IDS that admits every direct message with the bot (its DM and the
 * assistant panel): DM ids are per person, so they cannot be listed one by one.
 */
const DIRECT_MESSAGES_ENTRY = 'dm';

/** What a Slack request says about who is asking and where. */
export interface Requester {
  kind: 'event' | 'command' | 'action';
  /** The asker's own workspace (differs from the app's in Slack Connect channels). */
  teamId: string | undefined;
  userId: string;
  channelId: string | undefined;
  isDirectMessage: boolean;
  /**
   * Whether the person spoke to the bot (a mention, a DM, a command, a button): only then does a
   * refusal deserve a reply. Other channel messages the app sees are dropped silently.
   */
  addressedToBot: boolean;
  /** The message this request is about, for a reply in its thread and an idempotent notice id. */
  messageTs: string | undefined;
  threadTs: string | undefined;
  /** Where a reply reaches the person even in a channel the bot is not in (shortcuts). */
  responseUrl?: string | undefined;
}

export type AccessDecision = { allowed: true } | { allowed: false; reason: 'team' | 'channel' | 'user' };

export const REFUSAL_TEXT = "Sorry, I'm not enabled for you here. If you think you should have access, ask the admin who runs this bot.";

/** Every list that is set must name the request's value; an unknown value is refused (fail closed). */
export function decideAccess(policy: AccessPolicy, requester: Requester): AccessDecision {
  if (!admits(policy.teamIds, requester.teamId)) return { allowed: false, reason: 'team' };
  if (policy.channelIds.length > 0) {
    const channelAllowed = requester.isDirectMessage
      ? policy.channelIds.includes(DIRECT_MESSAGES_ENTRY) || admits(policy.channelIds, requester.channelId)
      : admits(policy.channelIds, requester.channelId);
    if (!channelAllowed) return { allowed: false, reason: 'channel' };
  }
  if (!admits(policy.userIds, requester.userId)) return { allowed: false, reason: 'user' };
  return { allowed: true };
}

export function restrictsAnything(policy: AccessPolicy): boolean {
  return policy.teamIds.length > 0 || policy.channelIds.length > 0 || policy.userIds.length > 0;
}

function admits(list: readonly string[], value: string | undefined): boolean {
  return list.length === 0 || (value !== undefined && list.includes(value));
}

type Json = Record<string, unknown>;

const asRecord = (value: unknown): Json | undefined => (typeof value === 'object' && value !== null ? (value as Json) : undefined);
const asString = (value: unknown): string | undefined => (typeof value === 'string' && value.length > 0 ? value : undefined);

/**
 * Reads the asker out of a Slack request body (Events API callback, slash command, block
 * action). Requests that no person made (bot posts, edits, app events without a user) give
 * undefined: they are not for the allowlists to judge.
 */
export function requesterOf(body: unknown): Requester | undefined {
  const payload = asRecord(body);
  if (!payload) return undefined;
  if (payload.type === 'event_callback') return eventRequester(payload);
  if (payload.type === 'block_actions') return actionRequester(payload);
  if (payload.type === 'message_action') return shortcutRequester(payload);
  if (typeof payload.command === 'string') return commandRequester(payload);
  return undefined;
}

function eventRequester(payload: Json): Requester | undefined {
  const event = asRecord(payload.event);
  if (!event) return undefined;
  const assistantThread = asRecord(event.assistant_thread);
  const userId = asString(event.user) ?? asString(assistantThread?.user_id);
  if (!userId || asString(event.bot_id) || event.subtype === 'bot_message') return undefined;
  // Edits, deletions and joins are not someone asking anything.
  if (typeof event.subtype === 'string' && event.subtype !== 'file_share' && event.subtype !== 'thread_broadcast') return undefined;
  const channelId = asString(event.channel) ?? asString(assistantThread?.channel_id);
  const isDirectMessage = event.channel_type === 'im' || (channelId?.startsWith('D') ?? false);
  // Opening the assistant panel is speaking to the bot too: a refused person is told there.
  const isQuestion = event.type === 'app_mention' || (event.type === 'message' && isDirectMessage) || assistantThread !== undefined;
  return {
    kind: 'event',
    teamId: asString(event.user_team) ?? asString(event.team) ?? asString(payload.team_id),
    userId,
    channelId,
    isDirectMessage,
    addressedToBot: isQuestion,
    messageTs: asString(event.ts) ?? asString(assistantThread?.thread_ts),
    threadTs: asString(event.thread_ts) ?? asString(event.ts) ?? asString(assistantThread?.thread_ts),
  };
}

function actionRequester(payload: Json): Requester | undefined {
  const container = asRecord(payload.container);
  const message = asRecord(payload.message);
  return interactionRequester(payload, {
    channelId: asString(asRecord(payload.channel)?.id) ?? asString(container?.channel_id),
    messageTs: asString(container?.message_ts) ?? asString(message?.ts),
    threadTs: asString(message?.thread_ts) ?? asString(container?.message_ts),
  });
}

/** A message shortcut: someone asked the bot about a message, in a channel it may not be in. */
function shortcutRequester(payload: Json): Requester | undefined {
  const message = asRecord(payload.message);
  return interactionRequester(payload, {
    channelId: asString(asRecord(payload.channel)?.id),
    messageTs: asString(payload.message_ts) ?? asString(message?.ts),
    threadTs: asString(message?.thread_ts) ?? asString(payload.message_ts),
    responseUrl: asString(payload.response_url),
  });
}

/** A click or a shortcut: always meant for the bot, by the person in `user`. */
function interactionRequester(payload: Json, where: { channelId: string | undefined; messageTs: string | undefined; threadTs: string | undefined; responseUrl?: string | undefined }): Requester | undefined {
  const user = asRecord(payload.user);
  const userId = asString(user?.id);
  if (!userId) return undefined;
  return {
    kind: 'action',
    teamId: asString(user?.team_id) ?? asString(asRecord(payload.team)?.id),
    userId,
    channelId: where.channelId,
    isDirectMessage: where.channelId?.startsWith('D') ?? false,
    addressedToBot: true,
    messageTs: where.messageTs,
    threadTs: where.threadTs,
    ...(where.responseUrl ? { responseUrl: where.responseUrl } : {}),
  };
}

function commandRequester(payload: Json): Requester | undefined {
  const userId = asString(payload.user_id);
  if (!userId) return undefined;
  const channelId = asString(payload.channel_id);
  return {
    kind: 'command',
    teamId: asString(payload.team_id),
    userId,
    channelId,
    isDirectMessage: channelId?.startsWith('D') ?? false,
    addressedToBot: true,
    messageTs: undefined,
    threadTs: undefined,
  };
}
