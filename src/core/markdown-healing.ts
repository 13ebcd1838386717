/**
 * Markdown that is still being written, made to render sensibly on its own: open code fences are
 * closed, dangling inline markers at the end are closed or dropped, half-written links show as
 * their text and a table without its delimiter row yet is held back. The complete answer never
 * goes through here. Pure.
 */
import { trimEndOf, withoutTrailingBlankLines } from './text-trim.js';

/** An opening or closing code fence line, possibly inside list indentation or a quote. */
const FENCE_LINE = /^((?:[ \t]*>)*[ \t]*)(`{3,}(?!`)|~{3,}(?!~))(.*)$/;

interface OpenFence {
  lineIndex: number;
  prefix: string;
  fence: string;
}

/**
 * Makes a streaming prefix of Markdown self-contained, working line-wise (cheap, no parse):
 * - inside an unclosed code fence: drop a half-typed closing fence, then close the fence (an
 *   opening fence with no code under it yet is dropped, so no empty block flashes up);
 * - otherwise: hold back a table that has no complete delimiter row yet and a last line that is
 *   only a half-typed marker (`-`, `==`), and close or drop the constructs left open on the last
 *   line (links, inline code, emphasis).
 */
export function healPartialMarkdown(markdown: string): string {
  const lines = markdown.split('\n');
  const openFence = findOpenFence(lines);
  if (openFence) return closeFence(lines, openFence);
  const kept = withoutHalfTypedMarkerLine(withoutIncompleteTable(lines));
  const last = kept[kept.length - 1];
  // A last line that is a fence closes a complete code block: nothing inline to close there.
  if (last !== undefined && !FENCE_LINE.test(last)) kept[kept.length - 1] = closeInlineConstructs(last);
  return kept.join('\n');
}

function findOpenFence(lines: readonly string[]): OpenFence | undefined {
  let open: OpenFence | undefined;
  lines.forEach((line, lineIndex) => {
    const match = FENCE_LINE.exec(line);
    if (!match) return;
    const [, prefix = '', fence = '', rest = ''] = match;
    if (!open) {
      // A backtick fence's info string cannot contain a backtick (then it is inline code).
      if (fence.startsWith('`') && rest.includes('`')) return;
      open = { lineIndex, prefix, fence };
      return;
    }
    const closes = fence[0] === open.fence[0] && fence.length >= open.fence.length && rest.trim() === '';
    if (closes) open = undefined;
  });
  return open;
}

function closeFence(lines: readonly string[], open: OpenFence): string {
  const body = lines.slice(open.lineIndex + 1);
  const lastBodyLine = body[body.length - 1];
  // The model is typing the closing fence: ` or `` alone on the last line is not code.
  if (lastBodyLine !== undefined && /^[ \t>]*(?:`{1,2}|~{1,2})$/.test(lastBodyLine)) body.pop();
  const before = lines.slice(0, open.lineIndex);
  // No code under the fence yet: show what came before it rather than an empty block.
  if (body.every((line) => line.trim() === '')) return healPartialMarkdown(before.join('\n').trimEnd());
  const bodyText = trimEndOf(body.join('\n'), '\n');
  return [...before, lines[open.lineIndex] ?? '', bodyText, open.prefix + open.fence].join('\n');
}

/**
 * A last line of one or two `-`, `=`, `*`, `+` is a list bullet, thematic break or setext underline
 * still being typed; shown now it would flash up as an empty bullet or turn the line above into a
 * heading for one update.
 */
function withoutHalfTypedMarkerLine(lines: string[]): string[] {
  const last = lines[lines.length - 1];
  if (last === undefined || !/^\s*[-=*+]{1,2}\s*$/.test(last)) return lines;
  return withoutTrailingBlankLines(lines.slice(0, -1));
}

const TABLE_LINE = /^\s*\|/;
const DELIMITER_CELL = /^\s*:?-+:?\s*$/;

/**
 * A table shows once its delimiter row is complete; before that markdown-it would render the header
 * as a paragraph of pipes, which then jumps into a table. Rows after that render as they come.
 */
function withoutIncompleteTable(lines: readonly string[]): string[] {
  let start = lines.length;
  while (start > 0 && TABLE_LINE.test(lines[start - 1] ?? '')) start -= 1;
  const tableLines = lines.slice(start);
  const [header, delimiter] = tableLines;
  if (header === undefined) return [...lines];
  if (delimiter !== undefined && isCompleteDelimiterRow(delimiter, header)) return [...lines];
  return withoutTrailingBlankLines(lines.slice(0, start));
}

function isCompleteDelimiterRow(row: string, header: string): boolean {
  const cells = splitTableRow(row);
  return cells.length > 0 && cells.every((cell) => DELIMITER_CELL.test(cell)) && cells.length === splitTableRow(header).length;
}

function splitTableRow(row: string): string[] {
  const trimmed = row.trim().replace(/^\|/, '').replace(/\|$/, '');
  return trimmed.split('|');
}

/** Closes (or drops) what the last line leaves open, in the order Markdown gives them precedence. */
function closeInlineConstructs(line: string): string {
  const withoutPartialLinks = dropPartialLinks(line);
  const codeClosed = closeInlineCode(withoutPartialLinks);
  return closeEmphasis(codeClosed);
}

/**
 * `[text](https://docs.aw` and `![alt](ht` show as `text`/`alt`; `[text` (label still open) as
 * `text`; `<https://docs.aw` (autolink still open) as the bare URL. Only at the end of the line:
 * everything earlier is complete.
 */
function dropPartialLinks(line: string): string {
  return line
    .replace(/!?\[([^[\]]*)\]\([^()\s]*$/, '$1')
    .replace(/!?\[([^[\]]*)$/, '$1')
    .replace(/<((?:https?|mailto):[^\s<>]*)$/i, '$1');
}

/** Backtick runs pair with the next run of the same length; an unpaired one is open. */
function closeInlineCode(line: string): string {
  let open: { index: number; length: number } | undefined;
  for (const match of line.matchAll(/`+/g)) {
    const length = match[0].length;
    if (!open) open = { index: match.index, length };
    else if (length === open.length) open = undefined;
  }
  if (!open) return line;
  const contentAfter = line.slice(open.index + open.length);
  if (contentAfter.trim() === '') return line.slice(0, open.index).trimEnd();
  return line + '`'.repeat(open.length);
}

interface DelimiterRun {
  char: string;
  index: number;
  length: number;
  canOpen: boolean;
  canClose: boolean;
}

interface OpenDelimiter {
  char: string;
  index: number;
  length: number;
}

/**
 * Emphasis/strong/strikethrough left open on the last line get their closing markers (after
 * trailing spaces are trimmed, so the closer is right-flanking). Marker runs at the very end that
 * cannot close anything (an opener with nothing after it yet, `Use the *`) are dropped instead.
 */
function closeEmphasis(line: string): string {
  const trimmed = line.trimEnd();
  const runs = delimiterRuns(maskInlineCode(trimmed));
  const stack: OpenDelimiter[] = [];
  let completion = '';
  runs.forEach((run, runIndex) => {
    const opener = run.canClose ? findOpener(stack, run.char) : undefined;
    if (opener) {
      stack.splice(stack.indexOf(opener));
      // `**bold*` at the very end: the model is typing the closer; finish it.
      const isLastRun = runIndex === runs.length - 1 && run.index + run.length === trimmed.length;
      if (run.length < opener.length && isLastRun) completion = run.char.repeat(opener.length - run.length);
      return;
    }
    if (run.canOpen) stack.push({ char: run.char, index: run.index, length: run.length });
  });
  return closeOpenDelimiters(trimmed + completion, stack, runs);
}

function findOpener(stack: readonly OpenDelimiter[], char: string): OpenDelimiter | undefined {
  for (let i = stack.length - 1; i >= 0; i -= 1) {
    const entry = stack[i];
    if (entry?.char === char) return entry;
  }
  return undefined;
}

function closeOpenDelimiters(line: string, stack: readonly OpenDelimiter[], runs: readonly DelimiterRun[]): string {
  let text = line;
  const open = [...stack];
  for (;;) {
    const endRun = runs.find((run) => run.index + run.length === text.length);
    if (!endRun) break;
    const isInnermostOpener = open[open.length - 1]?.index === endRun.index;
    if (!isInnermostOpener && endRun.canClose) break;
    if (isInnermostOpener) open.pop();
    text = text.slice(0, endRun.index).trimEnd();
  }
  const closers = open.reverse().map((delimiter) => delimiter.char.repeat(delimiter.length));
  return text + closers.join('');
}

/**
 * Replaces inline code spans by same-length filler so their content holds no delimiters. As in
 * CommonMark, a run of backticks opens a span closed by the next run of the same length; a run
 * with no such closer is plain text. Each run's next run of the same length is found in one pass
 * from the end, so the whole line is read a fixed number of times.
 */
function maskInlineCode(line: string): string {
  const runs: Array<{ start: number; end: number }> = [];
  for (let index = 0; index < line.length; ) {
    if (line[index] !== '`') {
      index += 1;
      continue;
    }
    const start = index;
    while (line[index] === '`') index += 1;
    runs.push({ start, end: index });
  }
  const closerOf = new Array<number>(runs.length).fill(-1);
  const laterRunOfLength = new Map<number, number>();
  for (let run = runs.length - 1; run >= 0; run -= 1) {
    const length = runs[run]!.end - runs[run]!.start;
    closerOf[run] = laterRunOfLength.get(length) ?? -1;
    laterRunOfLength.set(length, run);
  }
  let masked = '';
  let copiedTo = 0;
  for (let run = 0; run < runs.length; ) {
    const closer = closerOf[run]!;
    if (closer === -1) {
      run += 1;
      continue;
    }
    const { start } = runs[run]!;
    const { end } = runs[closer]!;
    masked += line.slice(copiedTo, start) + 'x'.repeat(end - start);
    copiedTo = end;
    run = closer + 1;
  }
  return masked + line.slice(copiedTo);
}

/** Delimiter runs of `*`, `_`, `~` with CommonMark's left/right-flanking rules. */
function delimiterRuns(line: string): DelimiterRun[] {
  const runs: DelimiterRun[] = [];
  for (const match of line.matchAll(/\*+|_+|~+/g)) {
    const index = match.index;
    const length = match[0].length;
    const char = match[0][0] ?? '*';
    // Strikethrough is exactly `~~` (a lone `~` means "about"); 4+ markers are never emphasis.
    // Such runs neither open nor close, but one left dangling at the end is still dropped.
    if (char === '~' ? length !== 2 : length > 3) {
      runs.push({ char, index, length, canOpen: false, canClose: false });
      continue;
    }
    const before = line[index - 1] ?? ' ';
    const after = line[index + length] ?? ' ';
    const leftFlanking = isFlanking(after, before);
    const rightFlanking = isFlanking(before, after);
    if (char === '_') {
      runs.push({
        char,
        index,
        length,
        canOpen: leftFlanking && (!rightFlanking || isPunctuation(before)),
        canClose: rightFlanking && (!leftFlanking || isPunctuation(after)),
      });
    } else {
      runs.push({ char, index, length, canOpen: leftFlanking, canClose: rightFlanking });
    }
  }
  return runs.filter((run) => !isListBullet(line, run));
}

/** Flanking on the `inside` side: not whitespace, and not punctuation unless `outside` is space or punctuation. */
function isFlanking(inside: string, outside: string): boolean {
  if (/\s/.test(inside)) return false;
  if (!isPunctuation(inside)) return true;
  return /\s/.test(outside) || isPunctuation(outside);
}

function isPunctuation(ch: string): boolean {
  return /[\p{P}\p{S}]/u.test(ch);
}

/** `* item` / `- item` at the start of a line is a list bullet, not emphasis. */
function isListBullet(line: string, run: DelimiterRun): boolean {
  return run.char === '*' && run.length === 1 && /^\s*$/.test(line.slice(0, run.index)) && /\s/.test(line[run.index + 1] ?? ' ');
}
