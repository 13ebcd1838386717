/**
 * What this provider knows about the AWS Knowledge MCP server's tools: the step a person sees,
 * how long a result may be reused, and how its JSON answers become compact text and sources.
 * The server names its tools with an `aws___` prefix (`aws___search_documentation`); the
 * prefix is optional here. Its answers are one text block holding JSON, `{"content":{"result":…}}`:
 * see test/fakes/mcp.md for the shapes and where each is documented. Anything else falls back to
 * the raw text. Pure.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ToolSource } from '../../model/tools.js';
import { contentText, dedupeSources, firstText, isHttpUrl, urlLabel } from './result-text.js';

const AWS_KNOWLEDGE_OPERATIONS = [
  'search_documentation',
  'read_documentation',
  'recommend',
  'list_regions',
  'get_regional_availability',
  'retrieve_skill',
] as const;
export type AwsKnowledgeOperation = (typeof AWS_KNOWLEDGE_OPERATIONS)[number];

const HOUR = 3600;
/**
 * Documentation pages, search rankings, skills and regional availability change over days, not
 * minutes. Reusing a result for six hours makes a retried, resumed or repeated question cost no
 * call against a rate-limited server, while announcements (the `current_awareness` topic) stay at
 * most a few hours behind.
 */
export const AWS_DOCS_REUSE_SECONDS = 6 * HOUR;
/** The list of regions changes a few times a year. */
export const AWS_REGIONS_REUSE_SECONDS = 24 * HOUR;

function awsKnowledgeOperation(toolName: string): AwsKnowledgeOperation | undefined {
  const bare = toolName.replace(/^aws___/, '');
  return (AWS_KNOWLEDGE_OPERATIONS as readonly string[]).includes(bare) ? (bare as AwsKnowledgeOperation) : undefined;
}

/** 0 for a tool this provider does not know: it may not be a lookup. */
export function awsKnowledgeReuseSeconds(toolName: string): number {
  const operation = awsKnowledgeOperation(toolName);
  if (operation === undefined) return 0;
  return operation === 'list_regions' ? AWS_REGIONS_REUSE_SECONDS : AWS_DOCS_REUSE_SECONDS;
}

/** Titles of pages seen in earlier search results, so "Reading: …" can name a page before it is read. */
export type TitleLookup = (url: string) => string | undefined;

const DESCRIBE_MAX_CHARS = 150;

export function describeAwsKnowledgeCall(toolName: string, input: Record<string, unknown>, titleOf: TitleLookup = () => undefined): string {
  const operation = awsKnowledgeOperation(toolName);
  switch (operation) {
    case 'search_documentation':
      return clip(`Searching AWS docs: ${oneLine(stringOf(input.search_phrase) ?? '')}`);
    case 'read_documentation': {
      const pages = requestedUrls(input).map((url) => titleOf(url) ?? urlPath(url));
      return clip(`Reading: ${listed(pages, 2) || 'an AWS documentation page'}`);
    }
    case 'recommend': {
      const url = stringOf(input.url);
      return clip(`Finding related AWS docs: ${url ? (titleOf(url) ?? urlPath(url)) : 'a documentation page'}`);
    }
    case 'list_regions':
      return 'Listing AWS regions';
    case 'get_regional_availability': {
      const filters = stringsOf(input.filters);
      const regions = stringsOf(input.regions);
      const region = stringOf(input.region);
      if (regions.length === 0 && region) regions.push(region);
      const what = filters.length > 0 ? listed(filters, 3) : RESOURCE_TYPES[stringOf(input.resource_type) ?? ''] ?? 'AWS services';
      const where = regions.length > 0 ? ` in ${listed(regions, 4)}` : '';
      return clip(`Checking regional availability: ${what}${where}`);
    }
    case 'retrieve_skill': {
      const file = stringOf(input.file);
      return clip(`Reading AWS skill: ${stringOf(input.skill_name) ?? 'unnamed'}${file ? ` (${file})` : ''}`);
    }
    default:
      return clip(`AWS docs: ${toolName}`);
  }
}

const RESOURCE_TYPES: Record<string, string> = { product: 'AWS services and features', api: 'AWS APIs', cfn: 'CloudFormation resources' };

export interface PresentedResult {
  text: string;
  sources: ToolSource[];
}

/**
 * The model's text and the sources of a successful call. Search results become a numbered list
 * (the JSON escaping of verbatim page chunks costs tokens for nothing); a page read becomes its
 * markdown under its address; other answers are unwrapped from the `content.result` envelope.
 */
export function presentAwsKnowledgeResult(toolName: string, input: Record<string, unknown>, result: CallToolResult, titleOf: TitleLookup = () => undefined): PresentedResult {
  const operation = awsKnowledgeOperation(toolName);
  const payload = envelopeResult(firstText(result));
  if (operation === 'search_documentation' && Array.isArray(payload)) return presentSearch(input, payload);
  if (operation === 'recommend' && payload !== undefined) return presentRecommendations(payload);
  if (operation === 'read_documentation') return presentRead(input, payload, result, titleOf);
  if (payload !== undefined) return { text: typeof payload === 'string' ? payload : JSON.stringify(payload), sources: [] };
  return { text: contentText(result), sources: [] };
}

interface SearchEntry {
  url?: string;
  title?: string;
  context?: string;
  skill_name?: string;
}

function presentSearch(input: Record<string, unknown>, entries: unknown[]): PresentedResult {
  const results = entries.filter(isRecord) as SearchEntry[];
  const phrase = oneLine(stringOf(input.search_phrase) ?? '');
  if (results.length === 0) return { text: `No AWS documentation found for "${phrase}".`, sources: [] };
  const lines = [`AWS documentation results for "${phrase}" (${results.length}):`];
  results.forEach((entry, index) => {
    lines.push('');
    lines.push(`${index + 1}. ${stringOf(entry.title) ?? (stringOf(entry.url) ? urlLabel(String(entry.url)) : 'Untitled')}`);
    if (stringOf(entry.url)) lines.push(`   ${entry.url}`);
    if (stringOf(entry.skill_name)) lines.push(`   skill_name: ${entry.skill_name}`);
    if (stringOf(entry.context)) lines.push(String(entry.context).trim());
  });
  const sources = results.filter((entry) => isHttpUrl(entry.url)).map((entry) => ({ url: String(entry.url), title: stringOf(entry.title) ?? urlLabel(String(entry.url)) }));
  return { text: lines.join('\n'), sources: dedupeSources(sources) };
}

function presentRecommendations(payload: unknown): PresentedResult {
  const entries = Array.isArray(payload) ? payload.filter(isRecord) : [];
  const sources = entries
    .filter((entry) => isHttpUrl(entry.url))
    .map((entry) => ({ url: String(entry.url), title: stringOf(entry.title) ?? urlLabel(String(entry.url)) }));
  return { text: typeof payload === 'string' ? payload : JSON.stringify(payload), sources: dedupeSources(sources) };
}

interface ReadEntry {
  url?: string;
  redirected_url?: string;
  status?: string;
  error_code?: string;
  message?: string;
  title?: string;
  content?: string;
  markdown?: string;
  total_length?: number;
  start_index?: number;
  end_index?: number;
  truncated?: boolean;
}

function presentRead(input: Record<string, unknown>, payload: unknown, result: CallToolResult, titleOf: TitleLookup): PresentedResult {
  const requested = requestedUrls(input);
  if (typeof payload === 'string' || payload === undefined) {
    // One page as plain markdown (the single-URL form), or an answer this provider cannot parse.
    const text = typeof payload === 'string' ? payload : contentText(result);
    const sources = requested.map((url, index) => ({ url, title: (index === 0 ? headingOf(text) : undefined) ?? titleOf(url) ?? urlLabel(url) }));
    return { text, sources: dedupeSources(sources) };
  }
  const entries = (Array.isArray(payload) ? payload : [payload]).filter(isRecord) as ReadEntry[];
  const parts: string[] = [];
  const sources: ToolSource[] = [];
  entries.forEach((entry, index) => {
    const url = stringOf(entry.url) ?? requested[index] ?? 'the requested page';
    const failed = entry.status === 'ERROR' || stringOf(entry.error_code) !== undefined;
    if (failed) {
      parts.push(`Could not read ${url}: ${[entry.error_code, entry.message].filter((part) => typeof part === 'string').join(': ') || 'error'}`);
      return;
    }
    const markdown = stringOf(entry.content) ?? stringOf(entry.markdown) ?? '';
    const page = stringOf(entry.redirected_url) ?? url;
    const continues =
      entry.truncated === true && typeof entry.end_index === 'number'
        ? `\n\n(The page continues: read it again with start_index=${entry.end_index}${typeof entry.total_length === 'number' ? ` of ${entry.total_length} characters` : ''}.)`
        : '';
    parts.push(`Page: ${page}\n\n${markdown}${continues}`);
    if (isHttpUrl(page)) sources.push({ url: page, title: stringOf(entry.title) ?? headingOf(markdown) ?? titleOf(page) ?? titleOf(url) ?? urlLabel(page) });
  });
  return { text: parts.join('\n\n---\n\n'), sources: dedupeSources(sources) };
}

/** `{"content":{"result":X}}` → X; undefined when the text is not that envelope. */
function envelopeResult(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    if (isRecord(parsed) && isRecord(parsed.content) && 'result' in parsed.content) return parsed.content.result;
  } catch {
    // Not JSON: the caller shows the raw text.
  }
  return undefined;
}

/** The pages a read_documentation call asks for: `requests[].url` (batch form) or `url`. */
function requestedUrls(input: Record<string, unknown>): string[] {
  const urls: string[] = [];
  if (Array.isArray(input.requests)) for (const request of input.requests) if (isRecord(request) && typeof request.url === 'string') urls.push(request.url);
  if (typeof input.url === 'string') urls.push(input.url);
  return urls;
}

/** The first level-1 or level-2 heading near the top (`# Title` or `## Title ##`). */
function headingOf(markdown: string): string | undefined {
  for (const line of markdown.slice(0, 4000).split('\n')) {
    const marker = /^#{1,2}[ \t]/.exec(line);
    if (!marker) continue;
    let title = line.slice(marker[0].length).trim();
    while (title.endsWith('#')) title = title.slice(0, -1);
    title = title.trim();
    if (title !== '') return title;
  }
  return undefined;
}

function urlPath(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.pathname === '/' ? parsed.host : parsed.pathname;
  } catch {
    return url;
  }
}

function listed(items: readonly string[], shown: number): string {
  const head = items.slice(0, shown).join(', ');
  return items.length > shown ? `${head} (+${items.length - shown} more)` : head;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function clip(text: string): string {
  return text.length <= DESCRIBE_MAX_CHARS ? text : `${text.slice(0, DESCRIBE_MAX_CHARS - 1).trimEnd()}…`;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string' && item.trim() !== '') : [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
