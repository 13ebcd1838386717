/**
 * A `tools/call` result as text for the model, its size bound, and the pages it points to.
 * Server-agnostic; the AWS Knowledge server's own shapes live in aws-knowledge.ts. Pure.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ToolSource } from '../../model/tools.js';

/** The estimate this provider uses to turn a token budget into characters. */
export const CHARS_PER_TOKEN = 3.5;
/** Even a tiny budget keeps enough room for the cut notice and a useful start. */
const MIN_CAP_CHARS = 400;
const MAX_SOURCES = 20;
const MAX_WALK_DEPTH = 8;

function estimateTokensByChars(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

export interface CappedText {
  text: string;
  cut: boolean;
}

/**
 * Keeps `text` within `maxTokens` (estimated). A cut text ends at a line or word boundary near
 * the limit and says that it was cut and how long the whole was, so the model does not take a
 * part for the whole.
 */
export function capToTokens(text: string, maxTokens: number): CappedText {
  const maxChars = Math.max(MIN_CAP_CHARS, Math.floor(maxTokens * CHARS_PER_TOKEN));
  if (text.length <= maxChars) return { text, cut: false };
  const notice = `\n\n[Cut: this result was about ${estimateTokensByChars(text)} tokens, over the limit of ${maxTokens}; only its first part is shown.]`;
  const budget = maxChars - notice.length;
  let end = budget;
  const lineBreak = text.lastIndexOf('\n', budget);
  const space = text.lastIndexOf(' ', budget);
  if (lineBreak >= budget * 0.8) end = lineBreak;
  else if (space >= budget * 0.9) end = space;
  // Never split a surrogate pair: half an emoji is not valid text.
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return { text: `${text.slice(0, end).trimEnd()}${notice}`, cut: true };
}

/** Every content block as text: text as is, links and embedded text resources with their URI, media as a placeholder. */
export function contentText(result: CallToolResult): string {
  const parts: string[] = [];
  for (const block of result.content ?? []) {
    switch (block.type) {
      case 'text':
        parts.push(block.text);
        break;
      case 'resource_link':
        parts.push(`${block.title ?? block.name}: ${block.uri}`);
        break;
      case 'resource':
        parts.push('text' in block.resource ? `${block.resource.uri}\n${block.resource.text}` : `[binary resource ${block.resource.uri} omitted]`);
        break;
      case 'image':
        parts.push('[image omitted]');
        break;
      case 'audio':
        parts.push('[audio omitted]');
        break;
      default:
        break;
    }
  }
  if (parts.length === 0 && result.structuredContent !== undefined) return JSON.stringify(result.structuredContent);
  return parts.join('\n\n');
}

/** The text of the first text block, where servers that answer with JSON put it. */
export function firstText(result: CallToolResult): string | undefined {
  for (const block of result.content ?? []) if (block.type === 'text') return block.text;
  return undefined;
}

export function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string' || !/^https?:\/\//i.test(value)) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

/** `docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html`: a readable stand-in for a missing title. */
export function urlLabel(url: string): string {
  try {
    const parsed = new URL(url);
    const path = parsed.pathname === '/' ? '' : parsed.pathname.replace(/\/$/, '');
    return `${parsed.host}${path}`;
  } catch {
    return url;
  }
}

/**
 * Pages a generic server's result points to: resource links, embedded resources with a web
 * address, and http(s) URLs anywhere in `structuredContent` (titled by a `title`, `name` or
 * `label` beside them). Free text is not scanned: a URL in prose is not a claim that it was read.
 */
export function structuredSources(result: CallToolResult): ToolSource[] {
  const sources: ToolSource[] = [];
  for (const block of result.content ?? []) {
    if (block.type === 'resource_link' && isHttpUrl(block.uri)) sources.push({ url: block.uri, title: block.title ?? block.name });
    if (block.type === 'resource' && isHttpUrl(block.resource.uri)) sources.push({ url: block.resource.uri, title: urlLabel(block.resource.uri) });
  }
  walkForUrls(result.structuredContent, 0, sources);
  return dedupeSources(sources);
}

function walkForUrls(value: unknown, depth: number, into: ToolSource[]): void {
  if (depth > MAX_WALK_DEPTH || into.length >= MAX_SOURCES || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) {
      if (isHttpUrl(item)) into.push({ url: item, title: urlLabel(item) });
      else walkForUrls(item, depth + 1, into);
    }
    return;
  }
  const record = value as Record<string, unknown>;
  const title = [record.title, record.name, record.label].find((candidate): candidate is string => typeof candidate === 'string' && candidate.trim() !== '');
  for (const item of Object.values(record)) {
    if (isHttpUrl(item)) into.push({ url: item, title: title ?? urlLabel(item) });
    else walkForUrls(item, depth + 1, into);
  }
}

/** One source per page (the fragment does not make another page), first title wins, at most 20. */
export function dedupeSources(sources: readonly ToolSource[]): ToolSource[] {
  const byPage = new Map<string, ToolSource>();
  for (const source of sources) {
    const url = source.url.trim();
    if (!isHttpUrl(url)) continue;
    const hash = url.indexOf('#');
    const key = hash === -1 ? url : url.slice(0, hash);
    if (byPage.has(key)) continue;
    const title = source.title.trim() === '' ? urlLabel(url) : source.title.trim();
    byPage.set(key, { url, title });
    if (byPage.size >= MAX_SOURCES) break;
  }
  return [...byPage.values()];
}
