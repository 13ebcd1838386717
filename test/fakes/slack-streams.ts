/**
 * Slack's text streaming as the fake keeps it: chunk validation for chat.startStream /
 * appendStream / stopStream, and per message what was streamed when — the Markdown text, the
 * task list (id → latest title, status, details, sources, in order of first appearance), the
 * plan title and every chunk with the time it arrived. Wire facts: slack.md in this folder.
 */
import { BLOCK_LIMITS, blockProblems } from './slack-blocks.js';
import { SlackApiError } from './slack-workspace.js';
import { isRecord } from './util.js';

export type StreamChunk = Record<string, unknown> & { type: string };
export type TaskStatus = 'pending' | 'in_progress' | 'complete' | 'error';
export type TaskDisplayMode = 'timeline' | 'plan' | 'dense';
export type StreamMethod = 'chat.startStream' | 'chat.appendStream' | 'chat.stopStream';

export interface UrlSource {
  type: 'url';
  url: string;
  text: string;
}

export const TASK_STATUSES: readonly TaskStatus[] = ['pending', 'in_progress', 'complete', 'error'];
/** `dense` is newer than the `timeline`/`plan` pair most docs list; Slack accepts all three. */
export const TASK_DISPLAY_MODES: readonly TaskDisplayMode[] = ['timeline', 'plan', 'dense'];

export const STREAM_LIMITS = {
  /** markdown_text, as an argument or in one markdown_text chunk. */
  markdownText: 12_000,
  /** title, details and output of a task_update and the title of a plan_update. */
  taskField: 256,
  blocksPerChunk: BLOCK_LIMITS.messageBlocks,
} as const;

/** One chunk as it reached the fake; `markdown_text` arguments are recorded as markdown_text chunks. */
export interface StreamEvent {
  at: number;
  method: StreamMethod;
  /** `argument` for the call's `markdown_text`, `chunks` for an entry of its `chunks`. */
  from: 'argument' | 'chunks';
  chunk: StreamChunk;
}

export interface TaskUpdate {
  at: number;
  method: StreamMethod;
  title: string;
  status: TaskStatus;
  details?: string;
  output?: string;
  sources?: UrlSource[];
}

/** A task as Slack shows it now: the latest title and status, with every update that led there. */
export interface StreamTask {
  id: string;
  title: string;
  status: TaskStatus;
  /** Details accumulate: each update's details are appended to the earlier ones. */
  details?: string;
  output?: string;
  sources?: UrlSource[];
  firstAt: number;
  updatedAt: number;
  updates: TaskUpdate[];
}

export type StreamEnd = 'app' | 'user' | 'timeout';

export interface StreamView {
  state: 'streaming' | 'stopped';
  startedAt: number;
  stoppedAt?: number;
  /** Who ended it: the app (chat.stopStream), the person (Stop in Slack's client) or Slack's lifetime limit. */
  endedBy?: StreamEnd;
  recipientUserId?: string;
  recipientTeamId?: string;
  taskDisplayMode: TaskDisplayMode;
  /** The kind of content the stream started with; appends must keep to it (`streaming_mode_mismatch`). */
  mode?: 'markdown_text' | 'chunks';
  /** All streamed Markdown, in order. */
  text: string;
  planTitle?: string;
  tasks: StreamTask[];
  events: StreamEvent[];
}

/** The streaming side of a message record. */
export interface StreamState {
  state: 'streaming' | 'stopped';
  startedAt: number;
  stoppedAt?: number;
  endedBy?: StreamEnd;
  recipientUserId?: string;
  recipientTeamId?: string;
  taskDisplayMode: TaskDisplayMode;
  mode?: 'markdown_text' | 'chunks';
  /** Every `chunks` entry received, in order (kept for FakeSlack.streamChunks). */
  chunks: StreamChunk[];
  events: StreamEvent[];
  text: string;
  planTitle?: string;
  tasks: Map<string, StreamTask>;
}

const fail = (error: string, messages?: string[]): never => {
  throw new SlackApiError(error, messages ? { response_metadata: { messages } } : {});
};

export function newStreamState(options: {
  recipientUserId?: string | undefined;
  recipientTeamId?: string | undefined;
  taskDisplayMode?: TaskDisplayMode | undefined;
}): StreamState {
  return {
    state: 'streaming',
    startedAt: Date.now(),
    taskDisplayMode: options.taskDisplayMode ?? 'timeline',
    chunks: [],
    events: [],
    text: '',
    tasks: new Map(),
    ...(options.recipientUserId ? { recipientUserId: options.recipientUserId } : {}),
    ...(options.recipientTeamId ? { recipientTeamId: options.recipientTeamId } : {}),
  };
}

// ---- validation -----------------------------------------------------------------------------

/**
 * Checks `chunks` as Slack does and returns them typed. A malformed chunk is `invalid_chunks`, a
 * broken block inside a blocks chunk `invalid_blocks`, too much text `msg_too_long`, more than
 * 50 blocks in one chunk `msg_blocks_too_many`.
 */
export function validateChunks(value: unknown): StreamChunk[] {
  if (!Array.isArray(value)) return fail('invalid_chunks', ['[ERROR] must be an array [json-pointer:/chunks]']);
  const problems: string[] = [];
  const add = (why: string, pointer: string): void => {
    problems.push(`[ERROR] ${why} [json-pointer:${pointer}]`);
  };
  value.forEach((chunk, index) => {
    const at = `/chunks/${index}`;
    if (!isRecord(chunk) || typeof chunk.type !== 'string') return add('missing required field: type', at);
    switch (chunk.type) {
      case 'markdown_text':
        if (typeof chunk.text !== 'string') return add('missing required field: text', at);
        if (chunk.text.length > STREAM_LIMITS.markdownText) fail('msg_too_long');
        return undefined;
      case 'task_update':
        return checkTaskUpdate(chunk, at, add);
      case 'plan_update':
        return checkShortText(chunk.title, `${at}/title`, add, true);
      case 'blocks': {
        if (!Array.isArray(chunk.blocks)) return add('missing required field: blocks', at);
        if (chunk.blocks.length > STREAM_LIMITS.blocksPerChunk) fail('msg_blocks_too_many');
        const broken = blockProblems(chunk.blocks, `${at}/blocks`);
        if (broken.length > 0) fail('invalid_blocks', broken);
        return undefined;
      }
      default:
        return add(`unsupported type: ${chunk.type}`, `${at}/type`);
    }
  });
  if (problems.length > 0) fail('invalid_chunks', problems);
  return value as StreamChunk[];
}

function checkShortText(value: unknown, pointer: string, add: (why: string, pointer: string) => void, required: boolean): void {
  if (value === undefined && !required) return;
  if (typeof value !== 'string') return add(required ? 'missing required field' : 'must be a string', pointer);
  if (required && value.length === 0) add('must be more than 0 characters', pointer);
  if (value.length > STREAM_LIMITS.taskField) add(`must be less than ${STREAM_LIMITS.taskField + 1} characters`, pointer);
}

function checkTaskUpdate(chunk: Record<string, unknown>, at: string, add: (why: string, pointer: string) => void): void {
  if (typeof chunk.id !== 'string' || chunk.id === '') add('missing required field: id', at);
  checkShortText(chunk.title, `${at}/title`, add, true);
  if (typeof chunk.status !== 'string' || !(TASK_STATUSES as readonly string[]).includes(chunk.status)) {
    add(`must be one of: ${TASK_STATUSES.join(', ')}`, `${at}/status`);
  }
  checkShortText(chunk.details, `${at}/details`, add, false);
  checkShortText(chunk.output, `${at}/output`, add, false);
  if (chunk.sources === undefined) return;
  if (!Array.isArray(chunk.sources)) return add('must be an array', `${at}/sources`);
  chunk.sources.forEach((source, index) => {
    const here = `${at}/sources/${index}`;
    if (!isRecord(source) || source.type !== 'url') return add('must be a url source element', here);
    if (typeof source.url !== 'string' || !/^https?:\/\//.test(source.url)) add('must be a valid URL', `${here}/url`);
    if (typeof source.text !== 'string' || source.text === '') add('missing required field: text', `${here}/text`);
    return undefined;
  });
}

export function parseTaskDisplayMode(value: string | undefined): TaskDisplayMode | undefined {
  if (value === undefined || value === '') return undefined;
  if ((TASK_DISPLAY_MODES as readonly string[]).includes(value)) return value as TaskDisplayMode;
  return fail('invalid_arguments', [`[ERROR] must be one of: ${TASK_DISPLAY_MODES.join(', ')} [json-pointer:/task_display_mode]`]);
}

// ---- applying a call ------------------------------------------------------------------------

/** Records one call's content (its markdown_text, then its chunks) and returns the Markdown it added. */
export function applyStreamContent(
  stream: StreamState,
  method: StreamMethod,
  markdown: string | undefined,
  chunks: StreamChunk[] | undefined,
): string {
  const at = Date.now();
  let added = '';
  if (markdown !== undefined && markdown !== '') {
    stream.events.push({ at, method, from: 'argument', chunk: { type: 'markdown_text', text: markdown } });
    added += markdown;
  }
  for (const chunk of chunks ?? []) {
    stream.chunks.push(chunk);
    stream.events.push({ at, method, from: 'chunks', chunk: structuredClone(chunk) });
    if (chunk.type === 'markdown_text' && typeof chunk.text === 'string') added += chunk.text;
    if (chunk.type === 'plan_update' && typeof chunk.title === 'string') stream.planTitle = chunk.title;
    if (chunk.type === 'task_update') applyTaskUpdate(stream, chunk, at, method);
  }
  stream.text += added;
  return added;
}

function applyTaskUpdate(stream: StreamState, chunk: StreamChunk, at: number, method: StreamMethod): void {
  const id = chunk.id as string;
  const update: TaskUpdate = {
    at,
    method,
    title: chunk.title as string,
    status: chunk.status as TaskStatus,
    ...(typeof chunk.details === 'string' ? { details: chunk.details } : {}),
    ...(typeof chunk.output === 'string' ? { output: chunk.output } : {}),
    ...(Array.isArray(chunk.sources) ? { sources: structuredClone(chunk.sources) as UrlSource[] } : {}),
  };
  const task = stream.tasks.get(id);
  if (!task) {
    stream.tasks.set(id, {
      id,
      title: update.title,
      status: update.status,
      ...(update.details !== undefined ? { details: update.details } : {}),
      ...(update.output !== undefined ? { output: update.output } : {}),
      ...(update.sources ? { sources: update.sources } : {}),
      firstAt: at,
      updatedAt: at,
      updates: [update],
    });
    return;
  }
  task.title = update.title;
  task.status = update.status;
  if (update.details !== undefined) task.details = (task.details ?? '') + update.details;
  if (update.output !== undefined) task.output = update.output;
  if (update.sources) task.sources = update.sources;
  task.updatedAt = at;
  task.updates.push(update);
}

/** Which kind of content a call carries, for Slack's rule that a stream keeps to one. */
export function contentMode(markdown: string | undefined, chunks: StreamChunk[] | undefined): 'markdown_text' | 'chunks' | undefined {
  if (markdown !== undefined && markdown !== '') return 'markdown_text';
  if (chunks !== undefined && chunks.length > 0) return 'chunks';
  return undefined;
}

export function viewOf(stream: StreamState): StreamView {
  return structuredClone({
    state: stream.state,
    startedAt: stream.startedAt,
    ...(stream.stoppedAt !== undefined ? { stoppedAt: stream.stoppedAt } : {}),
    ...(stream.endedBy ? { endedBy: stream.endedBy } : {}),
    ...(stream.recipientUserId ? { recipientUserId: stream.recipientUserId } : {}),
    ...(stream.recipientTeamId ? { recipientTeamId: stream.recipientTeamId } : {}),
    taskDisplayMode: stream.taskDisplayMode,
    ...(stream.mode ? { mode: stream.mode } : {}),
    text: stream.text,
    ...(stream.planTitle !== undefined ? { planTitle: stream.planTitle } : {}),
    tasks: [...stream.tasks.values()],
    events: stream.events,
  });
}
