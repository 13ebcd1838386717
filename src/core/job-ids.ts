/**
 * Job ids, and the parts of the bot's Redis key names (ops/redis-keys.ts), written by one encoder
 * that cannot make the same name of two different inputs.
 *
 * A job id is its kind and its parts joined by `-`, each part escaped: letters, digits, `.` and
 * `_` stay as they are and every other character becomes `%XX` (the bytes of its UTF-8 form), so
 * no part can hold the separator, team `T0TEST` + channel `CA-B` and team `T0TEST-CA` + channel
 * `B` give different ids, and BullMQ never meets the `:` it refuses in custom ids. Slack's own
 * ids and timestamps need no escaping, so an id reads as before (`q-T0TEST-C0GENERAL-1700000000.000100`)
 * and ids of jobs queued before this encoder existed are read back unchanged.
 *
 * A Redis key part is escaped the same way, except that `-` stays (key parts are joined by `:`):
 * job ids, days (`2026-01-31`) and Slack ids keep the key names they always had.
 *
 * Empty parts (events missing their channel or ts) and parts longer than MAX_ID_PART_CHARS (no
 * Slack id comes close) are refused with an IdPartError. Pure.
 */

/** What one part may be at most, in characters: Slack's ids, timestamps and trigger ids are far shorter. */
export const MAX_ID_PART_CHARS = 256;
/** Anything longer cannot be a job id this encoder wrote. */
const MAX_JOB_ID_CHARS = 2048;

export class IdPartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdPartError';
  }
}

const JOB_ID_SEPARATOR = '-';
/** A character a part cannot keep as it is; a part without one (every Slack id and timestamp) is kept whole after one test. */
const ESCAPED_IN_JOB_ID = /[^\w.]/;
const ESCAPED_IN_KEY = /[^\w.-]/;
/** A part as the encoder writes it: kept characters and `%XX` escapes with upper-case hex. */
const ENCODED_JOB_ID_PART = /^(?:[\w.]|%[0-9A-F]{2})+$/;
const KIND = /^[a-z]+$/;
const SLACK_TS = /^\d+\.\d+$/;

function escapePart(value: string, escaped: RegExp): string {
  if (value.length > MAX_ID_PART_CHARS) throw new IdPartError(`an id part of ${value.length} characters is longer than the ${MAX_ID_PART_CHARS} allowed`);
  if (!escaped.test(value)) return value;
  let part = '';
  for (const char of value) part += escaped.test(char) ? utf8Escapes(char) : char;
  return part;
}

/** `%XX` for each UTF-8 byte of one character. */
function utf8Escapes(char: string): string {
  let escapes: string;
  try {
    escapes = encodeURIComponent(char);
  } catch {
    // Two different lone surrogates would both have to become U+FFFD: refused, so nothing collides.
    throw new IdPartError('an id part is not well-formed Unicode');
  }
  // encodeURIComponent leaves a few ASCII marks (- ! ~ * ' ( )) as they are.
  return escapes.startsWith('%') ? escapes : `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
}

/** One part of a job id. */
function encodeJobIdPart(value: string): string {
  if (value.length === 0) throw new IdPartError('an id part is empty');
  return escapePart(value, ESCAPED_IN_JOB_ID);
}

/** One part of a Redis key name (ops/redis-keys.ts joins them with `:`). An empty part stays empty. */
export function encodeKeyPart(value: string): string {
  return escapePart(value, ESCAPED_IN_KEY);
}

/** A job id of `kind` (lower-case letters) and its parts. */
export function composeJobId(kind: string, ...parts: string[]): string {
  if (!KIND.test(kind)) throw new IdPartError(`"${kind.slice(0, 40)}" is not a job kind`);
  return [kind, ...parts.map(encodeJobIdPart)].join(JOB_ID_SEPARATOR);
}

export interface ParsedJobId {
  kind: string;
  parts: string[];
}

/**
 * Reads a job id back; undefined unless it is exactly what composeJobId writes for some kind and
 * parts (so a value that merely looks close, such as `%41` for `A`, is not an id).
 */
export function parseJobId(id: string): ParsedJobId | undefined {
  if (id.length === 0 || id.length > MAX_JOB_ID_CHARS) return undefined;
  const [kind = '', ...encoded] = id.split(JOB_ID_SEPARATOR);
  if (!KIND.test(kind)) return undefined;
  const parts: string[] = [];
  for (const part of encoded) {
    if (!ENCODED_JOB_ID_PART.test(part)) return undefined;
    try {
      parts.push(decodeURIComponent(part));
    } catch {
      return undefined;
    }
  }
  try {
    return composeJobId(kind, ...parts) === id ? { kind, parts } : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `id` is a job id this encoder could have written. */
export function isJobId(id: string): boolean {
  return parseJobId(id) !== undefined;
}

// ---- the bot's job ids ------------------------------------------------------------------------

/**
 * One Slack message is answered once: the id is derived from the message itself, so a
 * redelivered event, or the same message arriving as both `app_mention` and `message`, maps to
 * the job that already exists.
 */
export function questionJobId(teamId: string, channel: string, messageTs: string): string {
  return composeJobId('q', teamId, channel, messageTs);
}

export interface QuestionJobRef {
  teamId: string;
  channel: string;
  messageTs: string;
}

/** The team, channel and message of a question job id; undefined for any other id. */
export function questionOfJobId(jobId: string): QuestionJobRef | undefined {
  return placeOfJobId(jobId, 'q');
}

/**
 * The team, channel and message of the job id an answer's buttons carry: a question's, or a
 * continuation's (whose message is the answer it continues); undefined for any other id.
 */
export function answerOfJobId(jobId: string): QuestionJobRef | undefined {
  return placeOfJobId(jobId, 'q') ?? placeOfJobId(jobId, 'continue');
}

function placeOfJobId(jobId: string, kind: string): QuestionJobRef | undefined {
  const parsed = parseJobId(jobId);
  if (parsed?.kind !== kind || parsed.parts.length !== 3) return undefined;
  const [teamId = '', channel = '', messageTs = ''] = parsed.parts;
  return SLACK_TS.test(messageTs) ? { teamId, channel, messageTs } : undefined;
}

/** The question a job answers, read back from its id (answers carry their job id in metadata). */
export function questionTsOfJobId(jobId: string): string | undefined {
  return questionOfJobId(jobId)?.messageTs;
}

export function assistantGreetingJobId(teamId: string, channel: string, threadTs: string): string {
  return composeJobId('assistant', teamId, channel, threadTs);
}

export function continueJobId(teamId: string, channel: string, answerTs: string): string {
  return composeJobId('continue', teamId, channel, answerTs);
}

export function commandJobId(teamId: string, triggerId: string): string {
  return composeJobId('cmd', teamId, triggerId);
}

export function usageReportJobId(teamId: string, triggerId: string): string {
  return composeJobId('usage', teamId, triggerId);
}

/** A help or "files only" notice in reply to one message: one per message, however often Slack redelivers it. */
export function noticeJobId(teamId: string, channel: string, messageTs: string): string {
  return composeJobId('notice', teamId, channel, messageTs);
}

/** The private "rotate it" warning about credentials pasted in one message. */
export function secretWarningJobId(teamId: string, channel: string, messageTs: string): string {
  return composeJobId('secretwarn', teamId, channel, messageTs);
}

/** The allowlists' refusal of one request of one person (people press buttons twice). */
export function refusalJobId(channel: string, messageTs: string, requestKind: string, userId: string): string {
  return composeJobId('refused', channel, messageTs, requestKind, userId);
}
