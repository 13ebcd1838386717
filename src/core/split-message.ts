/**
 * Splits Slack mrkdwn into messages that each fit a size limit, so that a long answer continues in
 * follow-up messages instead of being truncated. Pure: no I/O, no state.
 *
 * Preference order for a cut: between paragraphs (blank lines), then between lines, and only
 * inside a single over-long line at whitespace (or, failing that, anywhere safe). A code block is
 * never cut open: a block that fits is kept whole in one chunk, and a block that alone exceeds the
 * limit is split into several complete blocks (closed at the end of one chunk, reopened at the
 * start of the next).
 */
import { trimTrailingBlankLines } from './text-trim.js';

/**
 * Default size of one message. Slack's chat.postMessage documentation: the `text` field is
 * truncated after 40,000 characters (changelog 2018-04 "Truncating really long messages"), and
 * for best results it should be at most 4,000 characters. 3,900 stays under that with room for a
 * short note; it is also the default of SLACK_MAX_MESSAGE_CHARS in the config.
 */
export const SLACK_MESSAGE_MAX_CHARS = 3_900;

/** Slack's hard truncation point for `text`; no chunk limit may exceed it. */
export const SLACK_TEXT_HARD_LIMIT = 40_000;

/** Smallest limit that still leaves room for a reopened and closed code fence around some code. */
export const MIN_SPLIT_CHARS = 16;

const FENCE = '```';
/** A line that opens a Slack code block starts with ``` (toSlackMrkdwn writes fences on lines of their own). */
const FENCE_LINE = /^\s*```/;

/** A run of lines: a paragraph (no blank line inside), or a whole code block including its fences. */
interface Unit {
  kind: 'text' | 'code';
  lines: string[];
  /** Blank lines between the previous unit and this one, kept when both land in one chunk. */
  blankLinesBefore: number;
}

/**
 * Splits `mrkdwn` into chunks of at most `maxChars` characters (UTF-16 code units, which never
 * undercounts what Slack counts). Chunks are never empty; leading/trailing blank lines of a chunk
 * are dropped. Empty input gives no chunk; whitespace-only input gives itself (cut to the limit),
 * so a caller that needs one message to update always has one.
 */
export function splitForSlack(mrkdwn: string, maxChars: number = SLACK_MESSAGE_MAX_CHARS): string[] {
  assertUsableLimit(maxChars);
  if (mrkdwn.length === 0) return [];
  if (mrkdwn.trim().length === 0) return [mrkdwn.slice(0, maxChars)];
  if (mrkdwn.length <= maxChars) return [trimBlankLines(mrkdwn)];
  return packUnits(toUnits(mrkdwn.split('\n')), maxChars)
    .map(trimBlankLines)
    .filter((chunk) => chunk.trim().length > 0);
}

function assertUsableLimit(maxChars: number): void {
  if (!Number.isInteger(maxChars) || maxChars < MIN_SPLIT_CHARS || maxChars > SLACK_TEXT_HARD_LIMIT) {
    throw new RangeError(`maxChars must be an integer from ${MIN_SPLIT_CHARS} to ${SLACK_TEXT_HARD_LIMIT}, got ${maxChars}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Units
// ---------------------------------------------------------------------------------------------

/**
 * Groups lines into paragraphs and code blocks. A line starting with ``` opens a block when it
 * holds an odd number of ``` (a one-line ```x``` block opens nothing); inside a block, any line
 * with an odd number of ``` closes it. An unclosed block runs to the end of the text.
 */
function toUnits(lines: readonly string[]): Unit[] {
  const units: Unit[] = [];
  let current: Unit | undefined;
  let blankLines = 0;
  let inCode = false;
  for (const line of lines) {
    if (inCode) {
      current?.lines.push(line);
      if (togglesCode(line)) {
        inCode = false;
        current = undefined;
      }
      continue;
    }
    if (FENCE_LINE.test(line) && togglesCode(line)) {
      current = { kind: 'code', lines: [line], blankLinesBefore: blankLines };
      units.push(current);
      blankLines = 0;
      inCode = true;
      continue;
    }
    if (line.trim() === '') {
      blankLines += 1;
      current = undefined;
      continue;
    }
    if (current?.kind !== 'text') {
      current = { kind: 'text', lines: [], blankLinesBefore: blankLines };
      units.push(current);
      blankLines = 0;
    }
    current.lines.push(line);
  }
  return units;
}

function togglesCode(line: string): boolean {
  return (line.split(FENCE).length - 1) % 2 === 1;
}

function unitText(unit: Unit): string {
  return unit.lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Packing
// ---------------------------------------------------------------------------------------------

/**
 * Greedy packing of whole units; a unit that does not fit in the current chunk starts a new one,
 * and a unit that does not fit in any chunk is split on its own.
 */
function packUnits(units: readonly Unit[], maxChars: number): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const unit of units) {
    const text = unitText(unit);
    const separator = '\n'.repeat(unit.blankLinesBefore + 1);
    const candidate = current.length > 0 ? current + separator + text : text;
    if (candidate.length <= maxChars) {
      current = candidate;
      continue;
    }
    if (current.length > 0) chunks.push(current);
    if (text.length <= maxChars) {
      current = text;
      continue;
    }
    const pieces = unit.kind === 'code' ? splitCodeBlock(unit.lines, maxChars) : splitLines(unit.lines, maxChars);
    // The last piece may still share its chunk with what follows.
    current = pieces.pop() ?? '';
    chunks.push(...pieces);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** Packs lines into chunks; a line longer than the limit is cut on its own. */
function splitLines(lines: readonly string[], maxChars: number): string[] {
  const chunks: string[] = [];
  let current: string | undefined;
  for (const line of lines) {
    if (current !== undefined && current.length + 1 + line.length <= maxChars) {
      current += `\n${line}`;
      continue;
    }
    if (current !== undefined) chunks.push(current);
    if (line.length <= maxChars) {
      current = line;
      continue;
    }
    const pieces = splitLongLine(line, maxChars);
    current = pieces.pop();
    chunks.push(...pieces);
  }
  if (current !== undefined) chunks.push(current);
  return chunks;
}

/**
 * A code block larger than the limit becomes several complete blocks, each a bare fence, some code
 * lines and a closing fence. Text on the fence lines themselves is code in mrkdwn (it has no
 * language tags), so it moves into the body.
 */
function splitCodeBlock(lines: readonly string[], maxChars: number): string[] {
  const [openingLine = FENCE, ...rest] = lines;
  const closingLine = rest.length > 0 && togglesCode(rest[rest.length - 1] ?? '') ? rest.pop() : undefined;
  const body = [...textAfterFirstFence(openingLine), ...rest, ...textBeforeLastFence(closingLine)];
  const room = maxChars - 2 * (FENCE.length + 1);
  const bodyLines = body.flatMap((line) => (line.length <= room ? [line] : hardCut(line, room)));
  return splitLines(bodyLines, room).map((code) => `${FENCE}\n${code}\n${FENCE}`);
}

function textAfterFirstFence(line: string): string[] {
  const text = line.slice(line.indexOf(FENCE) + FENCE.length);
  return text.trim().length > 0 ? [text] : [];
}

function textBeforeLastFence(line: string | undefined): string[] {
  if (line === undefined) return [];
  const text = line.slice(0, line.lastIndexOf(FENCE));
  return text.trim().length > 0 ? [text] : [];
}

/** A single line over the limit: cut at the last whitespace that keeps a piece reasonably full. */
function splitLongLine(line: string, maxChars: number): string[] {
  const pieces: string[] = [];
  let rest = line;
  while (rest.length > maxChars) {
    const cut = findCut(rest, maxChars);
    pieces.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length > 0) pieces.push(rest);
  return pieces.filter((piece) => piece.length > 0);
}

/** Code lines are cut without touching whitespace, so the code stays exactly as written. */
function hardCut(line: string, maxChars: number): string[] {
  const pieces: string[] = [];
  let rest = line;
  while (rest.length > maxChars) {
    const cut = safeHardCut(rest, maxChars);
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  pieces.push(rest);
  return pieces;
}

/** Prefers the last whitespace in the second half of the allowed length; else a safe hard cut. */
function findCut(text: string, maxChars: number): number {
  const window = text.slice(0, maxChars + 1);
  const lastSpace = window.search(/\s\S*$/);
  if (lastSpace >= maxChars / 2) return lastSpace;
  return safeHardCut(text, maxChars);
}

/**
 * A cut at `maxChars` that does not split a surrogate pair, a Slack entity (`&amp;`), or a
 * `<url|label>` link when the link itself would fit in a chunk.
 */
function safeHardCut(text: string, maxChars: number): number {
  let cut = maxChars;
  const entityStart = text.lastIndexOf('&', cut - 1);
  if (entityStart >= 0 && cut - entityStart < 8 && /^&[a-z]+;/.test(text.slice(entityStart)) && text.indexOf(';', entityStart) >= cut) {
    cut = entityStart;
  }
  const linkStart = text.lastIndexOf('<', cut - 1);
  const linkEnd = text.indexOf('>', linkStart);
  if (linkStart > 0 && linkEnd >= cut && linkEnd - linkStart < maxChars) cut = linkStart;
  if (isLowSurrogate(text.charCodeAt(cut))) cut -= 1;
  return Math.max(1, cut);
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** Drops blank lines at the start and end of a chunk, keeping indentation of its first line. */
function trimBlankLines(chunk: string): string {
  return trimTrailingBlankLines(chunk.replace(/^(?:[ \t]*\n)+/, ''));
}
