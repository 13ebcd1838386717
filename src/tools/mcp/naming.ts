/**
 * Tool names as the model sees them: `<server>__<tool>`, within the Messages API's rule
 * `^[a-zA-Z0-9_-]{1,64}$`, unique across every server. Pure.
 */
import { createHash } from 'node:crypto';

export const TOOL_NAME_PATTERN = /^[\w-]{1,64}$/;
const TOOL_NAME_MAX_LENGTH = 64;
const SEPARATOR = '__';
const HASH_LENGTH = 8;

/** Replaces every character the API does not allow with `_`. */
export function sanitizeNamePart(part: string): string {
  const cleaned = part.replace(/[^\w-]/g, '_');
  return cleaned.length > 0 ? cleaned : 'tool';
}

/**
 * `<server>__<tool>`. A name that would be too long, or that is already taken (two tool names
 * that differ only in characters the API forbids), ends with a short hash of the original tool
 * name instead, so it stays stable from one listing to the next.
 */
export function namespacedToolName(server: string, tool: string, taken: ReadonlySet<string> = new Set()): string {
  const plain = `${sanitizeNamePart(server)}${SEPARATOR}${sanitizeNamePart(tool)}`;
  if (plain.length <= TOOL_NAME_MAX_LENGTH && !taken.has(plain)) return plain;
  for (let salt = 0; ; salt += 1) {
    const suffix = `_${shortHash(salt === 0 ? tool : `${tool}#${salt}`)}`;
    const candidate = `${plain.slice(0, TOOL_NAME_MAX_LENGTH - suffix.length)}${suffix}`;
    if (!taken.has(candidate)) return candidate;
  }
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, HASH_LENGTH);
}
