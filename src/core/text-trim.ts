/**
 * Trimming without regular expressions: an unanchored `x+$` pattern restarts at every position of
 * a long run that is not at the end, which is quadratic on crafted text. These walk the text once.
 * Pure.
 */

/** Removes the characters of `set` from the end of `text`. */
export function trimEndOf(text: string, set: string): string {
  let end = text.length;
  while (end > 0 && set.includes(text[end - 1]!)) end -= 1;
  return text.slice(0, end);
}

/** Drops the lines at the end that hold only spaces and tabs, with the line breaks before them. */
export function trimTrailingBlankLines(text: string): string {
  const lines = text.split('\n');
  const kept = withoutTrailingBlankLines(lines);
  // Blank text stays as it is: there is no line to keep the others for.
  return kept.length > 0 ? kept.join('\n') : lines[0]!;
}

/** The lines without the blank ones at the end (all of them, when every line is blank). */
export function withoutTrailingBlankLines(lines: readonly string[]): string[] {
  let end = lines.length;
  while (end > 0 && lines[end - 1]!.trim() === '') end -= 1;
  return lines.slice(0, end);
}

/** Every line break, with the white space around it, becomes one space. */
export function joinLines(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .join(' ');
}
