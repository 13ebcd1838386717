/**
 * The Web API methods the fake Slack answers, each a function of (arguments, context) returning
 * the success body (without `ok`) or throwing SlackApiError for `{ok:false, error}`.
 * Argument values arrive as strings from form bodies and as JSON values from JSON bodies; the
 * helpers below accept both, as Slack does.
 */
import {
  compareTs,
  SlackApiError,
  tsToMicros,
  type MessageRecord,
  type SlackBlock,
  type SlackMessage,
  type SlackMetadata,
  type StreamChunk,
  type Workspace,
} from './slack-workspace.js';
import { isRecord } from './util.js';

export type Args = Record<string, unknown>;
export type MethodResult = Record<string, unknown>;

export interface EphemeralMessage {
  channel: string;
  user: string;
  text: string;
  blocks?: SlackBlock[];
  thread_ts?: string;
  message_ts: string;
  at: number;
}

export interface AssistantCall {
  method: 'assistant.threads.setStatus' | 'assistant.threads.setSuggestedPrompts' | 'assistant.threads.setTitle';
  channel_id: string;
  thread_ts?: string;
  args: Args;
  at: number;
}

export interface MethodContext {
  ws: Workspace;
  ephemerals: EphemeralMessage[];
  assistantCalls: AssistantCall[];
  repliesPageSize: number;
  repliesRepeatParent: boolean;
  streamLifetimeMs: number;
  /** Error chat.startStream answers where streaming is switched off, or undefined where it works. */
  streamingRefusal: (channelId: string) => string | undefined;
  openSocketUrl: () => string;
}

export type MethodHandler = (args: Args, ctx: MethodContext) => MethodResult;

/** Slack's limits: chat.postMessage truncates/refuses past 40,000 chars; stream text fields cap at 12,000. */
const MAX_TEXT_CHARS = 40_000;
const MAX_MARKDOWN_CHARS = 12_000;
const MAX_BLOCKS = 50;
const MAX_SECTION_TEXT = 3_000;
const MAX_HEADER_TEXT = 150;
const MAX_PAGE = 1_000;

const fail = (error: string, extra?: Record<string, unknown>): never => {
  throw new SlackApiError(error, extra);
};

const missingArgument = (name: string): never =>
  fail('invalid_arguments', { response_metadata: { messages: [`[ERROR] missing required field: ${name}`] } });

// ---- argument readers ------------------------------------------------------------------------

function optString(args: Args, key: string): string | undefined {
  const value = args[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return fail('invalid_arguments', { response_metadata: { messages: [`[ERROR] ${key} must be a string`] } });
}

function requireString(args: Args, key: string): string {
  const value = optString(args, key);
  return value === undefined || value === '' ? missingArgument(key) : value;
}

function optBool(args: Args, key: string): boolean {
  const value = args[key];
  return value === true || value === 'true' || value === '1' || value === 1;
}

function optInt(args: Args, key: string): number | undefined {
  const raw = optString(args, key);
  if (raw === undefined || raw === '') return undefined;
  const value = Number.parseInt(raw, 10);
  return Number.isNaN(value) ? fail('invalid_arguments') : value;
}

/** Structured arguments (blocks, metadata, chunks…) come JSON-encoded in form bodies and as-is in JSON bodies. */
function optJson(args: Args, key: string, errorIfMalformed: string): unknown {
  const value = args[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return fail(errorIfMalformed);
  }
}

function optBlocks(args: Args): SlackBlock[] | undefined {
  const value = optJson(args, 'blocks', 'invalid_blocks_format');
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) return fail('invalid_blocks_format');
  validateBlocks(value);
  return value as SlackBlock[];
}

/** The Block Kit rules a bot trips over most often; Slack refuses the whole message for any of them. */
function validateBlocks(blocks: unknown[]): void {
  const invalid = (why: string): never => fail('invalid_blocks', { response_metadata: { messages: [`[ERROR] ${why}`] } });
  if (blocks.length > MAX_BLOCKS) invalid(`no more than ${MAX_BLOCKS} items allowed [json-pointer:/blocks]`);
  blocks.forEach((block, index) => {
    if (!isRecord(block) || typeof block.type !== 'string') return invalid(`missing required field: type [json-pointer:/blocks/${index}]`);
    const text = isRecord(block.text) ? block.text.text : undefined;
    if (block.type === 'section' && typeof text === 'string' && text.length > MAX_SECTION_TEXT) {
      invalid(`must be less than ${MAX_SECTION_TEXT + 1} characters [json-pointer:/blocks/${index}/text]`);
    }
    if (block.type === 'section' && typeof text === 'string' && text.length === 0) {
      invalid(`must be more than 0 characters [json-pointer:/blocks/${index}/text/text]`);
    }
    if (block.type === 'header' && typeof text === 'string' && text.length > MAX_HEADER_TEXT) {
      invalid(`must be less than ${MAX_HEADER_TEXT + 1} characters [json-pointer:/blocks/${index}/text]`);
    }
    return undefined;
  });
}

function optMetadata(args: Args): SlackMetadata | undefined {
  const value = optJson(args, 'metadata', 'invalid_metadata_format');
  if (value === undefined) return undefined;
  if (!isRecord(value) || typeof value.event_type !== 'string' || !isRecord(value.event_payload)) {
    return fail('invalid_metadata_schema');
  }
  return { event_type: value.event_type, event_payload: value.event_payload };
}

function optChunks(args: Args): StreamChunk[] | undefined {
  const value = optJson(args, 'chunks', 'invalid_chunks');
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((c) => isRecord(c) && typeof c.type === 'string')) return fail('invalid_chunks');
  return value as StreamChunk[];
}

function requireChannel(args: Args, ctx: MethodContext, key = 'channel'): string {
  const raw = optString(args, key);
  if (!raw) return fail('channel_not_found');
  return ctx.ws.resolveChannelId(raw);
}

function checkTs(ts: string, error: string): string {
  try {
    tsToMicros(ts);
    return ts;
  } catch {
    return fail(error);
  }
}

// ---- shared pieces ---------------------------------------------------------------------------

function botFields(ctx: MethodContext): Partial<SlackMessage> {
  const id = ctx.ws.identity;
  return {
    user: id.botUserId,
    bot_id: id.botId,
    app_id: id.appId,
    team: id.teamId,
    bot_profile: { id: id.botId, app_id: id.appId, name: id.botName, team_id: id.teamId, deleted: false },
  };
}

function writableChannel(channelId: string, ctx: MethodContext): void {
  const { spec } = ctx.ws.channel(channelId);
  if (spec.archived) fail('is_archived');
  if (!spec.isMember) fail('not_in_channel');
}

function ownRecord(args: Args, ctx: MethodContext, notOwnError: string): { channel: string; ts: string; record: MessageRecord } {
  const channel = requireChannel(args, ctx);
  const ts = optString(args, 'ts');
  if (!ts) return fail('message_not_found');
  const record = ctx.ws.record(channel, ts);
  if (!ctx.ws.isBotAuthored(record.message)) fail(notOwnError);
  return { channel, ts, record };
}

function checkText(text: string | undefined, max: number): void {
  if (text !== undefined && text.length > max) fail('msg_too_long');
}

const clone = <T>(value: T): T => structuredClone(value);

/** Markdown carried by a stream call: its `markdown_text` plus the text of its markdown_text chunks. */
function streamedMarkdown(markdown: string | undefined, chunks: StreamChunk[] | undefined): string {
  let text = markdown ?? '';
  for (const chunk of chunks ?? []) {
    if (chunk.type === 'markdown_text' && typeof chunk.text === 'string') {
      checkText(chunk.text, MAX_MARKDOWN_CHARS);
      text += chunk.text;
    }
  }
  return text;
}

// ---- pagination ------------------------------------------------------------------------------

/** Cursors look like Slack's: base64 of `next_ts:<ts without the dot>`. */
const encodeCursor = (ts: string): string => Buffer.from(`next_ts:${tsToMicros(ts).toString()}`).toString('base64');

function decodeCursor(cursor: string): bigint {
  const match = /^next_ts:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  return match?.[1] !== undefined ? BigInt(match[1]) : fail('invalid_cursor');
}

/** Slack's default page is 1000 for conversations.replies and 100 for conversations.history. */
function pageSize(args: Args, configured: number, defaultSize = MAX_PAGE): number {
  const limit = optInt(args, 'limit');
  const requested = limit === undefined || limit <= 0 ? defaultSize : Math.min(limit, MAX_PAGE);
  return Math.max(1, Math.min(requested, configured));
}

function startIndex(items: SlackMessage[], cursor: string | undefined): number {
  if (!cursor) return 0;
  const from = decodeCursor(cursor);
  const index = items.findIndex((m) => tsToMicros(m.ts) >= from);
  return index === -1 ? items.length : index;
}

function pageResult(messages: SlackMessage[], next: SlackMessage | undefined): MethodResult {
  return {
    messages: messages.map(clone),
    has_more: next !== undefined,
    response_metadata: { next_cursor: next ? encodeCursor(next.ts) : '' },
  };
}

function withinRange(args: Args, message: SlackMessage): boolean {
  const oldest = optString(args, 'oldest');
  const latest = optString(args, 'latest');
  const inclusive = optBool(args, 'inclusive');
  if (oldest && (inclusive ? compareTs(message.ts, oldest) < 0 : compareTs(message.ts, oldest) <= 0)) return false;
  if (latest && (inclusive ? compareTs(message.ts, latest) > 0 : compareTs(message.ts, latest) >= 0)) return false;
  return true;
}

function readableChannel(channelId: string, ctx: MethodContext): void {
  const { spec } = ctx.ws.channel(channelId);
  // A bot can read only conversations it is in (channels:history covers membership, not the world).
  if (!spec.isMember) fail('not_in_channel');
}

// ---- the methods -----------------------------------------------------------------------------

const authTest: MethodHandler = (_args, ctx) => {
  const id = ctx.ws.identity;
  return {
    url: `https://${id.teamDomain}.slack.com/`,
    team: id.teamName,
    user: id.botName,
    team_id: id.teamId,
    user_id: id.botUserId,
    bot_id: id.botId,
    is_enterprise_install: false,
  };
};

const postMessage: MethodHandler = (args, ctx) => {
  const channel = requireChannel(args, ctx);
  writableChannel(channel, ctx);
  const text = optString(args, 'text');
  const blocks = optBlocks(args);
  if (!text && !blocks) fail('no_text');
  checkText(text, MAX_TEXT_CHARS);
  const threadTs = optString(args, 'thread_ts');
  const metadata = optMetadata(args);
  const broadcast = threadTs !== undefined && optBool(args, 'reply_broadcast');
  const message = ctx.ws.insert(
    channel,
    {
      ...botFields(ctx),
      text: text ?? '',
      ...(blocks ? { blocks } : {}),
      ...(threadTs ? { thread_ts: checkTs(threadTs, 'invalid_thread_ts') } : {}),
      ...(metadata ? { metadata } : {}),
      ...(broadcast ? { subtype: 'thread_broadcast' } : {}),
    },
    'chat.postMessage',
  );
  return { channel, ts: message.ts, message: clone(message) };
};

const update: MethodHandler = (args, ctx) => {
  const { channel, ts, record } = ownRecord(args, ctx, 'cant_update_message');
  if (ctx.ws.isStreaming(record, ctx.streamLifetimeMs)) fail('streaming_state_conflict');
  const text = optString(args, 'text');
  const blocks = optBlocks(args);
  const metadata = optMetadata(args);
  if (text === undefined && blocks === undefined) fail('no_text');
  checkText(text, MAX_TEXT_CHARS);
  const message = record.message;
  if (text !== undefined) message.text = text;
  // Slack keeps the previous blocks when none are passed; an empty array removes them.
  if (blocks !== undefined) {
    if (blocks.length === 0) delete message.blocks;
    else message.blocks = blocks;
  }
  if (metadata) message.metadata = metadata;
  message.edited = { user: ctx.ws.identity.botUserId, ts: ctx.ws.nextTs() };
  ctx.ws.snapshot(record, 'chat.update');
  return { channel, ts, text: message.text, message: clone(message) };
};

const deleteMessage: MethodHandler = (args, ctx) => {
  const { channel, ts, record } = ownRecord(args, ctx, 'cant_delete_message');
  if (ctx.ws.isStreaming(record, ctx.streamLifetimeMs)) fail('cant_delete_message');
  ctx.ws.remove(channel, ts);
  return { channel, ts };
};

const postEphemeral: MethodHandler = (args, ctx) => {
  const channel = requireChannel(args, ctx);
  writableChannel(channel, ctx);
  const user = requireString(args, 'user');
  if (!ctx.ws.user(user)) fail('user_not_in_channel');
  const text = optString(args, 'text');
  const blocks = optBlocks(args);
  if (!text && !blocks) fail('no_text');
  checkText(text, MAX_TEXT_CHARS);
  const threadTs = optString(args, 'thread_ts');
  const messageTs = ctx.ws.nextTs();
  ctx.ephemerals.push({
    channel,
    user,
    text: text ?? '',
    ...(blocks ? { blocks } : {}),
    ...(threadTs ? { thread_ts: threadTs } : {}),
    message_ts: messageTs,
    at: Date.now(),
  });
  return { message_ts: messageTs };
};

const replies: MethodHandler = (args, ctx) => {
  const channel = requireChannel(args, ctx);
  readableChannel(channel, ctx);
  const ts = optString(args, 'ts');
  if (!ts) return missingArgument('ts');
  const [parent, ...rest] = ctx.ws.thread(channel, checkTs(ts, 'thread_not_found'));
  if (!parent) return fail('thread_not_found');
  const inRange = rest.filter((m) => withinRange(args, m));
  const size = pageSize(args, ctx.repliesPageSize);
  const cursor = optString(args, 'cursor');
  if (ctx.repliesRepeatParent) {
    // Each page repeats the parent on top, so a page of `limit` holds the parent and limit-1 replies.
    const take = Math.max(1, size - 1);
    const start = startIndex(inRange, cursor);
    return pageResult([parent, ...inRange.slice(start, start + take)], inRange[start + take]);
  }
  const all = [parent, ...inRange];
  const start = startIndex(all, cursor);
  return pageResult(all.slice(start, start + size), all[start + size]);
};

const history: MethodHandler = (args, ctx) => {
  const channel = requireChannel(args, ctx);
  readableChannel(channel, ctx);
  // conversations.history lists newest first; the cursor still names the next message to return.
  const messages = ctx.ws.topLevel(channel).filter((m) => withinRange(args, m)).reverse();
  const size = pageSize(args, MAX_PAGE, 100);
  const cursor = optString(args, 'cursor');
  const start = cursor ? messages.findIndex((m) => tsToMicros(m.ts) <= decodeCursor(cursor)) : 0;
  const from = start === -1 ? messages.length : start;
  return pageResult(messages.slice(from, from + size), messages[from + size]);
};

const conversationsInfo: MethodHandler = (args, ctx) => ({ channel: ctx.ws.channelInfo(requireChannel(args, ctx)) });

const usersInfo: MethodHandler = (args, ctx) => {
  const user = ctx.ws.user(requireString(args, 'user')) ?? fail('user_not_found');
  return {
    user: {
      ...user,
      team_id: ctx.ws.identity.teamId,
      deleted: user.deleted ?? false,
      is_bot: user.is_bot ?? false,
      tz: user.tz ?? 'Europe/London',
      profile: { real_name: user.real_name, display_name: user.profile?.display_name ?? user.name, ...user.profile },
    },
  };
};

const permalink: MethodHandler = (args, ctx) => {
  const channel = requireChannel(args, ctx);
  const ts = requireString(args, 'message_ts');
  ctx.ws.record(channel, ts);
  return {
    channel,
    permalink: `https://${ctx.ws.identity.teamDomain}.slack.com/archives/${channel}/p${ts.replace('.', '')}`,
  };
};

function reaction(add: boolean): MethodHandler {
  return (args, ctx) => {
    const channel = requireChannel(args, ctx);
    const name = requireString(args, 'name');
    const record = ctx.ws.record(channel, requireString(args, 'timestamp'));
    const me = ctx.ws.identity.botUserId;
    const reactions = record.message.reactions ?? [];
    const existing = reactions.find((r) => r.name === name);
    if (add) {
      if (existing?.users.includes(me)) fail('already_reacted');
      if (existing) {
        existing.users.push(me);
        existing.count += 1;
      } else reactions.push({ name, users: [me], count: 1 });
    } else {
      if (!existing?.users.includes(me)) return fail('no_reaction');
      existing.users = existing.users.filter((u) => u !== me);
      existing.count -= 1;
    }
    record.message.reactions = reactions.filter((r) => r.count > 0);
    if (record.message.reactions.length === 0) delete record.message.reactions;
    return {};
  };
}

const startStream: MethodHandler = (args, ctx) => {
  const channel = requireChannel(args, ctx);
  writableChannel(channel, ctx);
  const refusal = ctx.streamingRefusal(channel);
  if (refusal) fail(refusal);
  const threadTs = checkTs(optString(args, 'thread_ts') ?? missingArgument('thread_ts'), 'invalid_thread_ts');
  if (!ctx.ws.findRecord(channel, threadTs)) fail('thread_not_found');
  // Outside a DM Slack must know whom the stream is for.
  const isDm = ctx.ws.channel(channel).spec.type === 'im';
  const recipientUserId = optString(args, 'recipient_user_id');
  const recipientTeamId = optString(args, 'recipient_team_id');
  if (!isDm && !recipientUserId) fail('missing_recipient_user_id');
  if (!isDm && !recipientTeamId) fail('missing_recipient_team_id');
  const markdown = optString(args, 'markdown_text');
  checkText(markdown, MAX_MARKDOWN_CHARS);
  const chunks = optChunks(args);
  const message = ctx.ws.insert(
    channel,
    { ...botFields(ctx), text: streamedMarkdown(markdown, chunks), thread_ts: threadTs },
    'chat.startStream',
    { recipientUserId, recipientTeamId, chunks: chunks ?? [] },
  );
  return { channel, ts: message.ts };
};

function streamingRecord(args: Args, ctx: MethodContext): { channel: string; ts: string; record: MessageRecord } {
  const found = ownRecord(args, ctx, 'cant_update_message');
  if (!ctx.ws.isStreaming(found.record, ctx.streamLifetimeMs)) fail('message_not_in_streaming_state');
  return found;
}

function appendToStream(record: MessageRecord, args: Args, required: boolean): void {
  const markdown = optString(args, 'markdown_text');
  checkText(markdown, MAX_MARKDOWN_CHARS);
  const chunks = optChunks(args);
  if (required && !markdown && !chunks) fail('no_text');
  record.message.text += streamedMarkdown(markdown, chunks);
  record.stream?.chunks.push(...(chunks ?? []));
}

const appendStream: MethodHandler = (args, ctx) => {
  const { channel, ts, record } = streamingRecord(args, ctx);
  appendToStream(record, args, true);
  ctx.ws.snapshot(record, 'chat.appendStream');
  return { channel, ts };
};

const stopStream: MethodHandler = (args, ctx) => {
  const { channel, ts, record } = streamingRecord(args, ctx);
  appendToStream(record, args, false);
  const blocks = optBlocks(args);
  const metadata = optMetadata(args);
  if (blocks) record.message.blocks = blocks;
  if (metadata) record.message.metadata = metadata;
  if (record.stream) record.stream.state = 'stopped';
  ctx.ws.snapshot(record, 'chat.stopStream');
  return { channel, ts, message: clone(record.message) };
};

function assistant(method: AssistantCall['method'], required: string[]): MethodHandler {
  return (args, ctx) => {
    const channelId = requireChannel(args, ctx, 'channel_id');
    for (const key of required) if (args[key] === undefined) missingArgument(key);
    if (method === 'assistant.threads.setSuggestedPrompts') {
      const prompts = optJson(args, 'prompts', 'invalid_arguments');
      if (!Array.isArray(prompts) || prompts.length === 0) fail('invalid_arguments');
    }
    const threadTs = optString(args, 'thread_ts');
    ctx.assistantCalls.push({ method, channel_id: channelId, ...(threadTs ? { thread_ts: threadTs } : {}), args, at: Date.now() });
    return {};
  };
}

const connectionsOpen: MethodHandler = (_args, ctx) => ({ url: ctx.openSocketUrl() });

export const METHODS: Readonly<Record<string, MethodHandler>> = {
  'auth.test': authTest,
  'chat.postMessage': postMessage,
  'chat.update': update,
  'chat.delete': deleteMessage,
  'chat.postEphemeral': postEphemeral,
  'chat.getPermalink': permalink,
  'chat.startStream': startStream,
  'chat.appendStream': appendStream,
  'chat.stopStream': stopStream,
  'conversations.replies': replies,
  'conversations.history': history,
  'conversations.info': conversationsInfo,
  'users.info': usersInfo,
  'reactions.add': reaction(true),
  'reactions.remove': reaction(false),
  'assistant.threads.setStatus': assistant('assistant.threads.setStatus', ['thread_ts', 'status']),
  'assistant.threads.setSuggestedPrompts': assistant('assistant.threads.setSuggestedPrompts', ['prompts']),
  'assistant.threads.setTitle': assistant('assistant.threads.setTitle', ['thread_ts', 'title']),
  'apps.connections.open': connectionsOpen,
};

/** The scope each method needs; history and info scopes depend on the kind of conversation. */
export function requiredScope(method: string, args: Args, ws: Workspace): string | undefined {
  const kindOf = (): string => {
    const raw = typeof args.channel === 'string' ? args.channel : '';
    const type = ws.hasChannel(raw) ? ws.channel(raw).spec.type : 'channel';
    return type === 'channel' ? 'channels' : `${type === 'group' ? 'groups' : type}`;
  };
  if (method.startsWith('chat.') && method !== 'chat.getPermalink') return 'chat:write';
  if (method === 'conversations.replies' || method === 'conversations.history') return `${kindOf()}:history`;
  if (method === 'conversations.info') return `${kindOf()}:read`;
  if (method === 'users.info') return 'users:read';
  if (method.startsWith('reactions.')) return 'reactions:write';
  if (method.startsWith('assistant.threads.')) return 'assistant:write';
  if (method === 'apps.connections.open') return 'connections:write';
  return undefined;
}

export const DEFAULT_SCOPES: readonly string[] = [
  'app_mentions:read',
  'assistant:write',
  'channels:history',
  'channels:read',
  'chat:write',
  'commands',
  'groups:history',
  'groups:read',
  'im:history',
  'im:read',
  'mpim:history',
  'mpim:read',
  'reactions:write',
  'users:read',
  'connections:write',
];
