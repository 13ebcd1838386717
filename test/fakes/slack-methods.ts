/**
 * The Web API methods the fake Slack answers, each a function of (arguments, context) returning
 * the success body (without `ok`) or throwing SlackApiError for `{ok:false, error}`.
 * Argument values arrive as strings from form bodies and as JSON values from JSON bodies; the
 * helpers below accept both, as Slack does. What each method checks and answers: slack.md.
 */
import { blockProblems } from './slack-blocks.js';
import {
  applyStreamContent,
  contentMode,
  newStreamState,
  parseTaskDisplayMode,
  STREAM_LIMITS,
  validateChunks,
  type StreamChunk,
  type StreamMethod,
} from './slack-streams.js';
import {
  compareTs,
  SlackApiError,
  tsToMicros,
  type HomeView,
  type MessageRecord,
  type SlackBlock,
  type SlackMessage,
  type SlackMetadata,
  type Workspace,
} from './slack-workspace.js';
import { isRecord, randomId } from './util.js';

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
  /** Whether appends must keep to the kind of content the stream started with. */
  strictStreamingMode: boolean;
  /** Whether the app has a Home tab (views.publish answers `not_enabled` otherwise). */
  homeTabEnabled: boolean;
  scopes: ReadonlySet<string>;
  openSocketUrl: () => string;
}

export type MethodHandler = (args: Args, ctx: MethodContext) => MethodResult;

/** Slack's limits: chat.postMessage truncates/refuses past 40,000 chars; markdown_text caps at 12,000. */
const MAX_TEXT_CHARS = 40_000;
const MAX_MARKDOWN_CHARS = STREAM_LIMITS.markdownText;
const MAX_BLOCKS = 50;
const MAX_ATTACHMENTS = 100;
const MAX_LOADING_MESSAGES = 10;
const MAX_VIEW_BYTES = 250_000;
const MAX_PRIVATE_METADATA = 3_000;
const MAX_CALLBACK_ID = 255;
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

/** Slack refuses the whole message for any broken block (rules: slack-blocks.ts). */
function optBlocks(args: Args, tooManyError = 'invalid_blocks'): SlackBlock[] | undefined {
  const value = optJson(args, 'blocks', 'invalid_blocks_format');
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) return fail('invalid_blocks_format');
  if (value.length > MAX_BLOCKS && tooManyError !== 'invalid_blocks') fail(tooManyError);
  const problems = blockProblems(value, '/blocks');
  if (problems.length > 0) fail('invalid_blocks', { response_metadata: { messages: problems } });
  return value as SlackBlock[];
}

/** Legacy attachments, numbered as Slack stores them. */
function optAttachments(args: Args): Array<Record<string, unknown>> | undefined {
  const value = optJson(args, 'attachments', 'invalid_attachments');
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every(isRecord)) return fail('invalid_attachments');
  if (value.length > MAX_ATTACHMENTS) fail('too_many_attachments');
  return value.map((attachment, index) => ({ id: index + 1, ...attachment }));
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
  return value === undefined ? undefined : validateChunks(value);
}

/** `markdown_text` of chat.postMessage / chat.update: standard Markdown instead of `text` and `blocks`. */
function optMarkdownText(args: Args, conflictsWith: { text?: string | undefined; blocks?: SlackBlock[] | undefined }): string | undefined {
  const markdown = optString(args, 'markdown_text');
  if (markdown === undefined) return undefined;
  if (conflictsWith.text !== undefined || conflictsWith.blocks !== undefined) fail('markdown_text_conflict');
  checkText(markdown, MAX_MARKDOWN_CHARS);
  return markdown;
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

/**
 * Posting needs membership: a public channel the bot is not in answers `not_in_channel` (unless
 * `chat:write.public` is granted and the method honours it), a private one `channel_not_found`.
 */
function writableChannel(channelId: string, ctx: MethodContext, options: { publicScopeHelps?: boolean } = {}): void {
  if (!ctx.ws.isVisible(channelId)) fail('channel_not_found');
  const { spec } = ctx.ws.channel(channelId);
  if (spec.archived) fail('is_archived');
  if (spec.isMember) return;
  if (options.publicScopeHelps && spec.type === 'channel' && ctx.scopes.has('chat:write.public')) return;
  fail('not_in_channel');
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

/** Slack returns messages' metadata only to a read that asks for it (`include_all_metadata`, false by default). */
function pageResult(args: Args, messages: SlackMessage[], next: SlackMessage | undefined): MethodResult {
  const withMetadata = optBool(args, 'include_all_metadata');
  return {
    messages: messages.map((message) => {
      const copy = clone(message);
      if (!withMetadata) delete copy.metadata;
      return copy;
    }),
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
  if (!ctx.ws.isVisible(channelId)) fail('channel_not_found');
  // A bot token reads only conversations it is in: channels:history is no licence for the world.
  if (!ctx.ws.channel(channelId).spec.isMember) fail('not_in_channel');
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
  writableChannel(channel, ctx, { publicScopeHelps: true });
  const text = optString(args, 'text');
  const blocks = optBlocks(args);
  const attachments = optAttachments(args);
  const markdown = optMarkdownText(args, { text, blocks });
  if (!text && !blocks && !attachments && !markdown) fail('no_text');
  checkText(text, MAX_TEXT_CHARS);
  const threadTs = optString(args, 'thread_ts');
  const metadata = optMetadata(args);
  const broadcast = threadTs !== undefined && optBool(args, 'reply_broadcast');
  const message = ctx.ws.insert(
    channel,
    {
      ...botFields(ctx),
      // The fake keeps markdown_text as the message's text; Slack renders it (slack.md).
      text: markdown ?? text ?? '',
      ...(blocks ? { blocks } : {}),
      ...(attachments ? { attachments } : {}),
      ...(threadTs ? { thread_ts: checkTs(threadTs, 'invalid_thread_ts') } : {}),
      ...(metadata ? { metadata } : {}),
      ...(broadcast ? { subtype: 'thread_broadcast' } : {}),
    },
    'chat.postMessage',
  );
  ctx.ws.clearStatusOnReply(channel, message.thread_ts);
  return { channel, ts: message.ts, message: clone(message) };
};

const update: MethodHandler = (args, ctx) => {
  const { channel, ts, record } = ownRecord(args, ctx, 'cant_update_message');
  if (ctx.ws.isStreaming(record, ctx.streamLifetimeMs)) fail('streaming_state_conflict');
  const text = optString(args, 'text');
  const blocks = optBlocks(args);
  const attachments = optAttachments(args);
  const markdown = optMarkdownText(args, { text, blocks });
  const metadata = optMetadata(args);
  if (text === undefined && blocks === undefined && attachments === undefined && markdown === undefined) fail('no_text');
  checkText(text, MAX_TEXT_CHARS);
  const message = record.message;
  if (text !== undefined) message.text = text;
  // New text without blocks replaces the blocks too (Slack then renders the text); without new
  // text the previous blocks stay. An empty array removes them.
  if (blocks !== undefined) {
    if (blocks.length === 0) delete message.blocks;
    else message.blocks = blocks;
  } else if (text !== undefined) delete message.blocks;
  if (attachments !== undefined) message.attachments = attachments;
  if (markdown !== undefined) {
    // Markdown replaces the whole content: it cannot be combined with blocks.
    message.text = markdown;
    delete message.blocks;
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
    return pageResult(args, [parent, ...inRange.slice(start, start + take)], inRange[start + take]);
  }
  const all = [parent, ...inRange];
  const start = startIndex(all, cursor);
  return pageResult(args, all.slice(start, start + size), all[start + size]);
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
  return pageResult(args, messages.slice(from, from + size), messages[from + size]);
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
  const taskDisplayMode = parseTaskDisplayMode(optString(args, 'task_display_mode'));
  const markdown = optString(args, 'markdown_text');
  checkText(markdown, MAX_MARKDOWN_CHARS);
  const chunks = optChunks(args);
  const stream = newStreamState({ recipientUserId, recipientTeamId, taskDisplayMode });
  const mode = contentMode(markdown, chunks);
  if (mode) stream.mode = mode;
  const text = applyStreamContent(stream, 'chat.startStream', markdown, chunks);
  const message = ctx.ws.insert(channel, { ...botFields(ctx), text, thread_ts: threadTs }, 'chat.startStream', stream);
  ctx.ws.clearStatusOnReply(channel, message.thread_ts);
  return { channel, ts: message.ts };
};

function streamingRecord(args: Args, ctx: MethodContext, method: StreamMethod): { channel: string; ts: string; record: MessageRecord } {
  const found = ownRecord(args, ctx, 'message_not_owned_by_app');
  if (!ctx.ws.isStreaming(found.record, ctx.streamLifetimeMs)) {
    const userStopped = found.record.stream?.endedBy === 'user';
    fail(userStopped && method === 'chat.appendStream' ? 'stopped_by_user' : 'message_not_in_streaming_state');
  }
  return found;
}

/** The content of an append or stop: `markdown_text` or `chunks`, never both, in the stream's own mode. */
function appendToStream(record: MessageRecord, args: Args, ctx: MethodContext, method: StreamMethod): void {
  const stream = record.stream;
  if (!stream) return;
  const markdown = optString(args, 'markdown_text');
  const rawChunks = optJson(args, 'chunks', 'invalid_chunks');
  const hasMarkdown = markdown !== undefined && markdown !== '';
  if (hasMarkdown && rawChunks !== undefined) fail('cannot_provide_both_markdown_text_and_chunks');
  checkText(markdown, MAX_MARKDOWN_CHARS);
  const chunks = rawChunks === undefined ? undefined : validateChunks(rawChunks);
  const mode = contentMode(markdown, chunks);
  if (method === 'chat.appendStream' && !mode) fail('markdown_text_or_chunks_required');
  if (mode && stream.mode && mode !== stream.mode && ctx.strictStreamingMode) fail('streaming_mode_mismatch');
  stream.mode ??= mode;
  record.message.text += applyStreamContent(stream, method, markdown, chunks);
}

const appendStream: MethodHandler = (args, ctx) => {
  const { channel, ts, record } = streamingRecord(args, ctx, 'chat.appendStream');
  appendToStream(record, args, ctx, 'chat.appendStream');
  ctx.ws.snapshot(record, 'chat.appendStream');
  return { channel, ts };
};

const stopStream: MethodHandler = (args, ctx) => {
  const { channel, ts, record } = streamingRecord(args, ctx, 'chat.stopStream');
  // Checked before anything is applied: a refused stop leaves the stream as it was.
  const blocks = optBlocks(args, 'msg_blocks_too_many');
  const metadata = optMetadata(args);
  appendToStream(record, args, ctx, 'chat.stopStream');
  if (blocks) record.message.blocks = blocks;
  if (metadata) record.message.metadata = metadata;
  if (record.stream) {
    record.stream.state = 'stopped';
    record.stream.stoppedAt = Date.now();
    record.stream.endedBy = 'app';
  }
  ctx.ws.snapshot(record, 'chat.stopStream');
  return { channel, ts, message: clone(record.message) };
};

function assistant(method: AssistantCall['method'], required: string[]): MethodHandler {
  return (args, ctx) => {
    const channelId = requireChannel(args, ctx, 'channel_id');
    if (!ctx.ws.isVisible(channelId)) fail('channel_not_found');
    for (const key of required) if (args[key] === undefined) missingArgument(key);
    if (method === 'assistant.threads.setSuggestedPrompts') {
      const prompts = optJson(args, 'prompts', 'invalid_arguments');
      if (!Array.isArray(prompts) || prompts.length === 0) fail('invalid_arguments');
    }
    const threadTs = optString(args, 'thread_ts');
    if (threadTs !== undefined) checkTs(threadTs, 'invalid_thread_ts');
    if (method === 'assistant.threads.setStatus' && threadTs !== undefined) {
      const loadingMessages = optLoadingMessages(args);
      ctx.ws.setStatus(channelId, threadTs, {
        status: optString(args, 'status') ?? '',
        ...(loadingMessages ? { loadingMessages } : {}),
        by: 'setStatus',
      });
    }
    ctx.assistantCalls.push({ method, channel_id: channelId, ...(threadTs ? { thread_ts: threadTs } : {}), args, at: Date.now() });
    return {};
  };
}

/** Up to ten strings Slack rotates through while the status shows. */
function optLoadingMessages(args: Args): string[] | undefined {
  const value = optJson(args, 'loading_messages', 'invalid_arguments');
  if (value === undefined) return undefined;
  const invalid = (why: string): never =>
    fail('invalid_arguments', { response_metadata: { messages: [`[ERROR] ${why} [json-pointer:/loading_messages]`] } });
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) return invalid('must be an array of strings');
  if (value.length > MAX_LOADING_MESSAGES) invalid(`no more than ${MAX_LOADING_MESSAGES} items allowed`);
  return value;
}

/** views.publish: a Home tab per person, checked as Slack checks views (`invalid_arguments` with reasons). */
const viewsPublish: MethodHandler = (args, ctx) => {
  const userId = requireString(args, 'user_id');
  const view = optJson(args, 'view', 'invalid_arguments');
  const invalid = (messages: string[]): never => fail('invalid_arguments', { response_metadata: { messages } });
  if (!isRecord(view)) return invalid(['[ERROR] missing required field: view [json-pointer:/view]']);
  if (!ctx.homeTabEnabled) fail('not_enabled');
  if (Buffer.byteLength(JSON.stringify(view)) > MAX_VIEW_BYTES) fail('view_too_large');
  const problems: string[] = [];
  if (view.type !== 'home') problems.push('[ERROR] must be one of: home [json-pointer:/view/type]');
  if (view.blocks === undefined) problems.push('[ERROR] missing required field: blocks [json-pointer:/view]');
  else problems.push(...blockProblems(view.blocks, '/view/blocks', 'home'));
  for (const [field, max] of [['private_metadata', MAX_PRIVATE_METADATA], ['callback_id', MAX_CALLBACK_ID]] as const) {
    const value = view[field];
    if (value !== undefined && (typeof value !== 'string' || value.length > max)) {
      problems.push(`[ERROR] must be a string of at most ${max} characters [json-pointer:/view/${field}]`);
    }
  }
  if (problems.length > 0) invalid(problems);
  const current = ctx.ws.homeViewsOf(userId).at(-1)?.view;
  const hash = optString(args, 'hash');
  if (hash !== undefined && current && hash !== current.hash) fail('hash_conflict');
  const id = ctx.ws.identity;
  const viewId = current?.id ?? `V${randomId(10).toUpperCase()}`;
  const published: HomeView = {
    id: viewId,
    team_id: id.teamId,
    type: 'home',
    blocks: clone(view.blocks as SlackBlock[]),
    private_metadata: typeof view.private_metadata === 'string' ? view.private_metadata : '',
    callback_id: typeof view.callback_id === 'string' ? view.callback_id : '',
    state: { values: {} },
    hash: `${Math.floor(Date.now() / 1000)}.${randomId(8)}`,
    title: { type: 'plain_text', text: 'View Title', emoji: true },
    clear_on_close: false,
    notify_on_close: false,
    close: null,
    submit: null,
    previous_view_id: null,
    root_view_id: viewId,
    app_id: id.appId,
    external_id: typeof view.external_id === 'string' ? view.external_id : '',
    app_installed_team_id: id.teamId,
    bot_id: id.botId,
  };
  ctx.ws.publishHome(userId, published);
  return { view: clone(published) };
};

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
  'views.publish': viewsPublish,
  'apps.connections.open': connectionsOpen,
};

/**
 * The scopes that each allow `method` (any one will do), empty when it needs none.
 * assistant.threads.setStatus is documented with chat:write today and with assistant:write before.
 */
export function acceptedScopes(method: string, args: Args, ws: Workspace): string[] {
  if (method === 'assistant.threads.setStatus') return ['assistant:write', 'chat:write'];
  const one = requiredScope(method, args, ws);
  return one === undefined ? [] : [one];
}

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
