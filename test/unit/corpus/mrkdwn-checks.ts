/**
 * Test helpers for the corpus: loading it, and checking that Slack mrkdwn is well-formed the way a
 * reader would notice (no formatting marker, code fence or Markdown link fragment left dangling).
 * Shared by the format and split tests.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Lines outside ``` blocks, with inline code and `<…>` links removed. */
export function proseLines(mrkdwn: string): string[] {
  const lines: string[] = [];
  let inCode = false;
  for (const line of mrkdwn.split('\n')) {
    if (isFenceLine(line)) {
      inCode = !inCode;
      continue;
    }
    if (!inCode) lines.push(line.replace(/`[^`]*`/g, 'CODE').replace(/<[^<>]*>/g, 'LINK'));
  }
  return lines;
}

/** A line that opens or closes a code block: starts with ``` and is not a one-line ```x``` span. */
function isFenceLine(line: string): boolean {
  return line.startsWith('```') && (line.split('```').length - 1) % 2 === 1;
}

export function fenceLineCount(mrkdwn: string): number {
  return mrkdwn.split('\n').filter(isFenceLine).length;
}

/**
 * A marker that opens (after start/space/punctuation, before a non-space) without a later marker
 * that closes (after a non-space, before end/space/punctuation). A lone closer-shaped marker such as
 * the `_` of a half-streamed `snake_` or the `*` of `s3:*` opens nothing and is fine.
 */
export function unmatchedMarker(line: string): string | undefined {
  for (const marker of ['*', '_', '~']) {
    let open = 0;
    for (let i = 0; i < line.length; i += 1) {
      if (line[i] !== marker) continue;
      const before = line[i - 1] ?? ' ';
      const after = line[i + 1] ?? ' ';
      const canClose = !/\s/.test(before) && !isWordChar(after);
      const canOpen = !isWordChar(before) && !/\s/.test(after);
      if (canClose && open > 0) open -= 1;
      else if (canOpen) open += 1;
    }
    if (open > 0) return marker;
  }
  return undefined;
}

function isWordChar(ch: string): boolean {
  return /[\p{L}\p{N}]/u.test(ch);
}

/** Every problem found; an empty list means the text renders cleanly. */
export function mrkdwnProblems(mrkdwn: string): string[] {
  const problems: string[] = [];
  if (fenceLineCount(mrkdwn) % 2 !== 0) problems.push('unbalanced ``` fences');
  for (const line of proseLines(mrkdwn)) {
    if (line.includes('`')) problems.push(`stray backtick: ${line}`);
    const marker = unmatchedMarker(line);
    if (marker) problems.push(`unmatched ${marker}: ${line}`);
    if (/\[[^\]]*\]\(/.test(line)) problems.push(`raw Markdown link: ${line}`);
    if (/(?:^|\s)[*_~]+$/.test(line)) problems.push(`dangling marker at end: ${line}`);
  }
  return problems;
}

export interface CorpusCase {
  name: string;
  markdown: string;
  expected: string;
}

/** The corpus: `NN-name.md` model answers with their `NN-name.expected.txt` Slack mrkdwn. */
export function loadCorpus(): CorpusCase[] {
  const dir = fileURLToPath(new URL('.', import.meta.url));
  return readdirSync(dir)
    .filter((file) => file.endsWith('.md'))
    .sort()
    .map((file) => ({
      name: file.replace(/\.md$/, ''),
      markdown: readFileSync(join(dir, file), 'utf8'),
      expected: readFileSync(join(dir, file.replace(/\.md$/, '.expected.txt')), 'utf8').replace(/\n$/, ''),
    }));
}
