/**
 * Compact text for the model: one line per resource, only the fields that answer questions, and
 * a hard token cap. Pure.
 */
import { estimateTokens } from '../../core/token-estimate.js';

/** `2026-11-30 04:26 UTC`: minutes are enough, and a fixed zone reads the same for everyone. */
export function utc(value: Date | string | number | undefined): string {
  if (value === undefined) return '?';
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** One line of at most `max` characters, whitespace collapsed. */
export function clip(text: string | undefined, max = 200): string {
  if (!text) return '';
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

/** Joins the parts that are present: `a · b · c`. */
export function joinParts(parts: readonly (string | undefined | false | null)[], separator = ', '): string {
  return parts.filter((part): part is string => typeof part === 'string' && part.length > 0).join(separator);
}

/**
 * Keeps the text within `maxTokens` (estimated on the safe side) by dropping whole lines from the
 * end, and says how many were left out so the model can ask for a narrower result.
 */
export function fitToTokens(text: string, maxTokens: number): string {
  if (estimateTokens(text) <= maxTokens) return text;
  const lines = text.split('\n');
  const note = (dropped: number) => `… ${dropped} more line${dropped === 1 ? '' : 's'} left out to keep the result short; narrow the request to see them.`;
  let low = 0;
  let high = lines.length;
  // The largest number of leading lines that fits together with the note.
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    const candidate = [...lines.slice(0, middle), note(lines.length - middle)].join('\n');
    if (estimateTokens(candidate) <= maxTokens) low = middle;
    else high = middle - 1;
  }
  if (low === 0) {
    // A single line longer than the cap: cut it by characters (about 1 token a character at worst).
    const first = lines[0] ?? '';
    return `${first.slice(0, Math.max(0, maxTokens - 40))}… (cut to keep the result short)`;
  }
  return [...lines.slice(0, low), note(lines.length - low)].join('\n');
}

/** `3 instances`, `1 instance`. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}
