/**
 * The state of the fake Slack workspace: channels, users, messages and threads, plus every version
 * each message went through, the assistant status of each thread and each person's Home tab.
 * Pure data and rules; the HTTP side lives in slack.ts.
 */
import type { StreamState } from './slack-streams.js';

export type { StreamChunk } from './slack-streams.js';

export type SlackBlock = Record<string, unknown>;

export interface SlackMetadata {
  event_type: string;
  event_payload: Record<string, unknown>;
}

/** A message as Slack's Web API returns it (conversations.replies, chat.postMessage's `message`). */
export interface SlackMessage {
  type: 'message';
  ts: string;
  user?: string;
  bot_id?: string;
  app_id?: string;
  team?: string;
  text: string;
  blocks?: SlackBlock[];
  thread_ts?: string;
  parent_user_id?: string;
  subtype?: string;
  metadata?: SlackMetadata;
  edited?: { user: string; ts: string };
  reply_count?: number;
  reply_users?: string[];
  reply_users_count?: number;
  latest_reply?: string;
  reactions?: Array<{ name: string; users: string[]; count: number }>;
  /** Anything else a test wants to seed (files, attachments, client_msg_id…), returned as given. */
  [extra: string]: unknown;
}

export type ChannelType = 'channel' | 'group' | 'im' | 'mpim';

export interface ChannelSpec {
  id: string;
  name?: string;
  type?: ChannelType;
  /** Whether the bot is a member; posting elsewhere answers `not_in_channel`. Default true. */
  isMember?: boolean;
  /** For an im: the other party. */
  user?: string;
  archived?: boolean;
  /** Makes chat.startStream fail in this channel, to exercise the bot's fallback. */
  streamingUnsupported?: boolean;
}

export interface SlackUser {
  id: string;
  name: string;
  real_name: string;
  is_bot?: boolean;
  deleted?: boolean;
  tz?: string;
  profile?: { display_name?: string; real_name?: string; email?: string; image_72?: string; bot_id?: string };
}

/** One change of a thread's assistant status ("is thinking…"); an empty status clears it. */
export interface StatusChange {
  at: number;
  status: string;
  loadingMessages?: string[];
  /** `setStatus` for assistant.threads.setStatus; `reply` when the bot's reply cleared it, as Slack does. */
  by: 'setStatus' | 'reply';
}

/** A Home tab as views.publish left it, in the shape Slack returns (`view`). */
export interface HomeView {
  id: string;
  team_id: string;
  type: 'home';
  blocks: SlackBlock[];
  private_metadata: string;
  callback_id: string;
  external_id: string;
  hash: string;
  state: { values: Record<string, unknown> };
  [extra: string]: unknown;
}

export interface PublishedHomeView {
  at: number;
  view: HomeView;
}

/** One state a message passed through; `history()` returns them oldest first. */
export interface MessageVersion {
  at: number;
  method: string;
  text: string;
  blocks?: SlackBlock[];
  streaming: boolean;
  deleted: boolean;
}

interface MessageRecord {
  message: SlackMessage;
  stream?: StreamState;
  versions: MessageVersion[];
}

interface Channel {
  spec: Required<Pick<ChannelSpec, 'id' | 'name' | 'type' | 'isMember' | 'archived' | 'streamingUnsupported'>> &
    Pick<ChannelSpec, 'user'>;
  created: number;
  /** Keyed by ts; iteration order is not relied upon, listings sort by ts. */
  messages: Map<string, MessageRecord>;
}

export interface Identity {
  teamId: string;
  teamName: string;
  teamDomain: string;
  botUserId: string;
  botId: string;
  appId: string;
  botName: string;
}

export class SlackApiError extends Error {
  constructor(
    readonly error: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(error);
  }
}

const fail = (error: string, extra?: Record<string, unknown>): never => {
  throw new SlackApiError(error, extra);
};

/** Slack ts values compare as fixed-point decimals; comparing as microsecond integers avoids float error. */
export function tsToMicros(ts: string): bigint {
  const match = /^(\d+)\.(\d{1,6})$/.exec(ts);
  if (!match) return fail('invalid_ts_format');
  const [, seconds, fraction] = match as unknown as [string, string, string];
  return BigInt(seconds) * 1_000_000n + BigInt(fraction.padEnd(6, '0'));
}

function microsToTs(micros: bigint): string {
  const seconds = micros / 1_000_000n;
  const fraction = (micros % 1_000_000n).toString().padStart(6, '0');
  return `${seconds}.${fraction}`;
}

export const compareTs = (a: string, b: string): number => {
  const diff = tsToMicros(a) - tsToMicros(b);
  return diff < 0n ? -1 : diff > 0n ? 1 : 0;
};

export class Workspace {
  private readonly channels = new Map<string, Channel>();
  private readonly users = new Map<string, SlackUser>();
  /** Versions of deleted messages, so history() still tells the whole story after chat.delete. */
  private readonly deletedVersions = new Map<string, MessageVersion[]>();
  /** Keyed by `${channel}/${thread_ts}`. */
  private readonly statuses = new Map<string, StatusChange[]>();
  /** Every view published to each user's Home tab, oldest first. */
  private readonly homeViews = new Map<string, PublishedHomeView[]>();
  private lastMicros = 0n;

  constructor(readonly identity: Identity) {
    this.addUser({
      id: identity.botUserId,
      name: identity.botName,
      real_name: identity.botName,
      is_bot: true,
      profile: { display_name: identity.botName, real_name: identity.botName, bot_id: identity.botId },
    });
  }

  /** Issues a ts that is unique in the workspace and later than every ts seen so far. */
  nextTs(): string {
    const nowMicros = BigInt(Date.now()) * 1000n;
    this.lastMicros = nowMicros > this.lastMicros ? nowMicros : this.lastMicros + 1n;
    return microsToTs(this.lastMicros);
  }

  addChannel(spec: ChannelSpec): void {
    const type = spec.type ?? (spec.id.startsWith('D') ? 'im' : spec.id.startsWith('G') ? 'group' : 'channel');
    this.channels.set(spec.id, {
      spec: {
        id: spec.id,
        name: spec.name ?? spec.id.toLowerCase(),
        type,
        isMember: spec.isMember ?? true,
        archived: spec.archived ?? false,
        streamingUnsupported: spec.streamingUnsupported ?? false,
        ...(spec.user ? { user: spec.user } : {}),
      },
      created: Math.floor(Date.now() / 1000),
      messages: this.channels.get(spec.id)?.messages ?? new Map<string, MessageRecord>(),
    });
  }

  addUser(user: SlackUser): void {
    this.users.set(user.id, user);
  }

  user(id: string): SlackUser | undefined {
    return this.users.get(id);
  }

  channel(id: string): Channel {
    return this.channels.get(id) ?? fail('channel_not_found');
  }

  hasChannel(id: string): boolean {
    return this.channels.has(id);
  }

  /** Invites the bot to a channel or removes it (`/invite`, `/remove`). */
  setMember(id: string, isMember: boolean): void {
    this.channel(id).spec.isMember = isMember;
  }

  /**
   * A conversation the bot may know of: any public channel, and private ones only while it is a
   * member. Slack answers `channel_not_found` for the others, as if they did not exist.
   */
  isVisible(id: string): boolean {
    const channel = this.channels.get(id);
    return channel !== undefined && (channel.spec.type === 'channel' || channel.spec.isMember);
  }

  /** Slack accepts a user id as `channel` for chat.postMessage and delivers to the DM with that user. */
  resolveChannelId(idOrUser: string): string {
    if (this.channels.has(idOrUser)) return idOrUser;
    if (idOrUser.startsWith('U') || idOrUser.startsWith('W')) {
      for (const channel of this.channels.values()) {
        if (channel.spec.type === 'im' && channel.spec.user === idOrUser) return channel.spec.id;
      }
    }
    return fail('channel_not_found');
  }

  /** Channel info in the shape of conversations.info. */
  channelInfo(id: string): Record<string, unknown> {
    if (!this.isVisible(id)) fail('channel_not_found');
    const { spec, created } = this.channel(id);
    const base = {
      id: spec.id,
      created,
      is_archived: spec.archived,
      is_member: spec.isMember,
      is_private: spec.type !== 'channel',
      is_channel: spec.type === 'channel',
      is_group: spec.type === 'group',
      is_im: spec.type === 'im',
      is_mpim: spec.type === 'mpim',
      is_ext_shared: false,
      context_team_id: this.identity.teamId,
    };
    return spec.type === 'im' ? { ...base, user: spec.user } : { ...base, name: spec.name, name_normalized: spec.name };
  }

  // ---- messages ------------------------------------------------------------------------------

  /**
   * Stores a message as given (a user's message a test seeds, or a bot's post). `stream` opens it
   * in the streaming state, as chat.startStream does, before its first version is recorded.
   */
  insert(
    channelId: string,
    partial: Partial<SlackMessage>,
    method: string,
    stream?: StreamState,
  ): SlackMessage {
    const channel = this.channel(channelId);
    const ts = partial.ts ?? this.nextTs();
    if (partial.ts !== undefined) this.observeTs(ts);
    if (channel.messages.has(ts)) fail('duplicate_ts', { ts });
    const message: SlackMessage = { ...partial, type: 'message', ts, text: partial.text ?? '' };
    if (message.thread_ts !== undefined && message.thread_ts !== ts) this.attachReply(channel, message);
    const record: MessageRecord = { message, versions: [], ...(stream ? { stream } : {}) };
    channel.messages.set(ts, record);
    this.snapshot(record, method);
    return message;
  }

  private observeTs(ts: string): void {
    const micros = tsToMicros(ts);
    if (micros > this.lastMicros) this.lastMicros = micros;
  }

  /** A reply links to its thread's parent, which gains the reply bookkeeping Slack keeps. */
  private attachReply(channel: Channel, reply: SlackMessage): void {
    const parentRecord = channel.messages.get(reply.thread_ts as string);
    if (!parentRecord) return; // Slack keeps orphans too; they only show up when asked for by their own ts.
    const parent = parentRecord.message;
    // A reply to a reply lands in the parent's thread, as in Slack's clients.
    const rootTs = parent.thread_ts ?? parent.ts;
    if (rootTs !== parent.ts) {
      reply.thread_ts = rootTs;
      this.attachReply(channel, reply);
      return;
    }
    reply.parent_user_id = parent.user;
    parent.thread_ts = parent.ts;
    parent.reply_count = (parent.reply_count ?? 0) + 1;
    const author = reply.user ?? reply.bot_id;
    const users = new Set(parent.reply_users ?? []);
    if (author) users.add(author);
    parent.reply_users = [...users];
    parent.reply_users_count = users.size;
    if (!parent.latest_reply || compareTs(reply.ts, parent.latest_reply) > 0) parent.latest_reply = reply.ts;
  }

  record(channelId: string, ts: string): MessageRecord {
    return this.channel(channelId).messages.get(ts) ?? fail('message_not_found');
  }

  findRecord(channelId: string, ts: string): MessageRecord | undefined {
    return this.channels.get(channelId)?.messages.get(ts);
  }

  snapshot(record: MessageRecord, method: string, deleted = false): void {
    record.versions.push({
      at: Date.now(),
      method,
      text: record.message.text,
      ...(record.message.blocks ? { blocks: structuredClone(record.message.blocks) } : {}),
      streaming: record.stream?.state === 'streaming',
      deleted,
    });
  }

  remove(channelId: string, ts: string, method = 'chat.delete'): void {
    const channel = this.channel(channelId);
    const record = channel.messages.get(ts) ?? fail('message_not_found');
    this.snapshot(record, method, true);
    const { thread_ts: threadTs, reply_count: replyCount } = record.message;
    if (replyCount && threadTs === ts) {
      // A parent with replies leaves a tombstone so the thread stays readable, as Slack does.
      const { reply_users, reply_users_count, latest_reply } = record.message;
      record.message = {
        type: 'message',
        ts,
        subtype: 'tombstone',
        text: 'This message was deleted.',
        thread_ts: ts,
        reply_count: replyCount,
        ...(reply_users ? { reply_users } : {}),
        ...(reply_users_count ? { reply_users_count } : {}),
        ...(latest_reply ? { latest_reply } : {}),
      };
      return;
    }
    this.deletedVersions.set(`${channelId}/${ts}`, record.versions);
    channel.messages.delete(ts);
    if (threadTs && threadTs !== ts) this.detachReply(channel, threadTs);
  }

  private detachReply(channel: Channel, parentTs: string): void {
    const parent = channel.messages.get(parentTs)?.message;
    if (!parent) return;
    const replies = this.replies(channel, parentTs);
    const latest = replies.at(-1);
    if (latest) {
      parent.reply_count = replies.length;
      parent.latest_reply = latest.ts;
      return;
    }
    delete parent.reply_count;
    delete parent.latest_reply;
    delete parent.reply_users;
    delete parent.reply_users_count;
  }

  versions(channelId: string, ts: string): MessageVersion[] {
    return this.findRecord(channelId, ts)?.versions ?? this.deletedVersions.get(`${channelId}/${ts}`) ?? [];
  }

  private replies(channel: Channel, parentTs: string): SlackMessage[] {
    return [...channel.messages.values()]
      .map((record) => record.message)
      .filter((message) => message.thread_ts === parentTs && message.ts !== parentTs)
      .sort((a, b) => compareTs(a.ts, b.ts));
  }

  /**
   * The thread `ts` belongs to, parent first, as conversations.replies sees it: the ts of a reply
   * resolves to its whole thread; a message without replies is a thread of one.
   */
  thread(channelId: string, ts: string): SlackMessage[] {
    const channel = this.channel(channelId);
    const message = channel.messages.get(ts)?.message ?? fail('thread_not_found');
    const rootTs = message.thread_ts ?? message.ts;
    const root = channel.messages.get(rootTs)?.message;
    if (!root) return [message]; // an orphaned reply
    return [root, ...this.replies(channel, rootTs)];
  }

  /** Top-level messages (and thread broadcasts) of a channel, oldest first. */
  topLevel(channelId: string): SlackMessage[] {
    return [...this.channel(channelId).messages.values()]
      .map((record) => record.message)
      .filter((message) => message.thread_ts === undefined || message.thread_ts === message.ts || message.subtype === 'thread_broadcast')
      .sort((a, b) => compareTs(a.ts, b.ts));
  }

  allMessages(channelId: string): SlackMessage[] {
    return [...this.channel(channelId).messages.values()].map((r) => r.message).sort((a, b) => compareTs(a.ts, b.ts));
  }

  isBotAuthored(message: SlackMessage): boolean {
    return message.bot_id === this.identity.botId || message.user === this.identity.botUserId;
  }

  // ---- streaming -----------------------------------------------------------------------------

  /** Slack ends a stream on its own after a fixed lifetime; later appends fail as for a stopped one. */
  isStreaming(record: MessageRecord, lifetimeMs: number): boolean {
    const stream = record.stream;
    if (!stream || stream.state !== 'streaming') return false;
    if (Date.now() - stream.startedAt > lifetimeMs) {
      stream.state = 'stopped';
      stream.stoppedAt = stream.startedAt + lifetimeMs;
      stream.endedBy = 'timeout';
      return false;
    }
    return true;
  }

  // ---- assistant thread status -----------------------------------------------------------------

  setStatus(channelId: string, threadTs: string, change: Omit<StatusChange, 'at'>): void {
    const key = `${channelId}/${threadTs}`;
    const changes = this.statuses.get(key) ?? [];
    changes.push({ at: Date.now(), ...change });
    this.statuses.set(key, changes);
  }

  statusHistory(channelId: string, threadTs: string): StatusChange[] {
    return this.statuses.get(`${channelId}/${threadTs}`) ?? [];
  }

  /** Slack removes a thread's status when the app replies in it. */
  clearStatusOnReply(channelId: string, threadTs: string | undefined): void {
    if (threadTs === undefined) return;
    const last = this.statusHistory(channelId, threadTs).at(-1);
    if (last && last.status !== '') this.setStatus(channelId, threadTs, { status: '', by: 'reply' });
  }

  // ---- Home tab --------------------------------------------------------------------------------

  publishHome(userId: string, view: HomeView): void {
    const views = this.homeViews.get(userId) ?? [];
    views.push({ at: Date.now(), view });
    this.homeViews.set(userId, views);
  }

  homeViewsOf(userId: string): PublishedHomeView[] {
    return this.homeViews.get(userId) ?? [];
  }
}

export type { MessageRecord };
