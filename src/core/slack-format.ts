/**
 * Converts the model's GitHub-flavoured Markdown into Slack `mrkdwn` (the syntax Slack renders in
 * a message's `text` and in section blocks), for complete answers and for answers still streaming.
 *
 * Parsing is done by markdown-it (CommonMark + GFM tables and strikethrough), never by regular
 * expressions: the token stream is turned into a small tree and rendered node by node. markdown-it
 * was chosen over micromark/mdast because the streaming path re-renders the whole answer on every
 * visible update: with markdown-it a 4k-character answer converts in about 0.6 ms on our 2-core
 * machines, while micromark + mdast with GFM needed about 13 ms just to parse the same text.
 *
 * Pure: no I/O, no mutable module state. The one module-level parser instance is configuration
 * only; markdown-it keeps all parse state in per-call objects.
 */
import MarkdownIt from 'markdown-it';
import type { Token } from 'markdown-it';
import { healPartialMarkdown } from './markdown-healing.js';
import { joinLines } from './text-trim.js';

/** Slack's only escapes: these three characters must be entities everywhere in text, code included. */
const SLACK_ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** Bullets per nesting depth; deeper levels cycle. */
const BULLETS = ['•', '◦', '▪'] as const;
/** Indentation per list nesting level. Slack keeps leading spaces in message text. */
const LIST_INDENT = '    ';
const TASK_OPEN = '☐';
const TASK_DONE = '☑';
const THEMATIC_BREAK = '───';
const FENCE = '```';

/**
 * html: true so inline `<br>` can become a line break; every other HTML node is shown as escaped
 * text. linkify turns bare `https://…` URLs into links (linkify-it v6: no fuzzy, scheme-less links).
 */
const parser = new MarkdownIt({ html: true, linkify: true, typographer: false });

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/** Converts complete GitHub-flavoured Markdown to Slack mrkdwn. */
export function toSlackMrkdwn(markdown: string): string {
  if (isJsonDocument(markdown)) return codeBlock(markdown.trim());
  return renderDocument(buildTree(parser.parse(markdown, {})));
}

/**
 * Converts Markdown that is still being written (a streaming answer) to Slack mrkdwn that renders
 * sensibly on its own: open code fences are closed, dangling inline markers at the end are closed
 * or dropped, half-written links show as their text and a table without its delimiter row yet is
 * held back. Once the answer is complete, `toSlackMrkdwn` of the same text gives the final form.
 */
export function toSlackMrkdwnPartial(markdownSoFar: string): string {
  if (looksLikeJsonDocumentStart(markdownSoFar)) return codeBlock(markdownSoFar.trim());
  return toSlackMrkdwn(healPartialMarkdown(markdownSoFar));
}

/** Escapes Slack's three control characters. Input is raw text, never already-escaped mrkdwn. */
export function escapeSlackText(text: string): string {
  return text.replace(/[&<>]/g, (ch) => SLACK_ENTITIES[ch] ?? ch);
}

// ---------------------------------------------------------------------------------------------
// JSON answers
// ---------------------------------------------------------------------------------------------

/** A whole answer that is one JSON object/array (the model was asked for JSON) shows as code. */
function isJsonDocument(markdown: string): boolean {
  const trimmed = markdown.trim();
  if (!/^[[{]/.test(trimmed)) return false;
  try {
    const value: unknown = JSON.parse(trimmed);
    return typeof value === 'object' && value !== null;
  } catch {
    return false;
  }
}

/**
 * A streaming answer cannot be JSON.parse'd yet, so its start decides: `{` followed by a key or the
 * end, or `[` followed by an object, array or string. `[text](url)` (a Markdown link) and `[1]`
 * (a citation) do not match.
 */
function looksLikeJsonDocumentStart(markdown: string): boolean {
  const trimmed = markdown.trimStart();
  return /^\{\s*(?:"|\}|$)/.test(trimmed) || /^\[\s*[{["]/.test(trimmed);
}

// ---------------------------------------------------------------------------------------------
// Token tree
// ---------------------------------------------------------------------------------------------

/**
 * markdown-it emits a flat list of open/close tokens. A tree with the open token standing for the
 * whole node makes rendering a plain recursion. Inline tokens get their inline children as a tree.
 */
interface MdNode {
  token: Token;
  children: MdNode[];
}

function buildTree(tokens: readonly Token[]): MdNode[] {
  const root: MdNode[] = [];
  const stack: MdNode[][] = [root];
  for (const token of tokens) {
    const siblings = stack[stack.length - 1] ?? root;
    if (token.nesting === -1) {
      if (stack.length > 1) stack.pop();
      continue;
    }
    const node: MdNode = { token, children: token.children ? buildTree(token.children) : [] };
    siblings.push(node);
    if (token.nesting === 1) stack.push(node.children);
  }
  return root;
}

/** A token attribute as a string ('' when absent). */
function attribute(token: Token, name: string): string {
  const value = token.attrGet(name);
  return value === null ? '' : String(value);
}

// ---------------------------------------------------------------------------------------------
// Blocks
// ---------------------------------------------------------------------------------------------

/**
 * A rendered block is a list of segments. Code segments (fenced code, tables) are never indented
 * or quote-prefixed: Slack only renders ``` blocks reliably from the start of a line, and the
 * message splitter recognises fences there. Segments of one block are joined by a newline.
 */
interface Segment {
  kind: 'text' | 'code';
  text: string;
}

/** Top-level blocks are separated by one blank line. */
function renderDocument(nodes: readonly MdNode[]): string {
  return nodes
    .map((node) => joinSegments(renderBlock(node, 0)))
    .filter((text) => text.length > 0)
    .join('\n\n');
}

function joinSegments(segments: readonly Segment[]): string {
  return segments.map((segment) => segment.text).join('\n');
}

function renderBlocks(nodes: readonly MdNode[], listDepth: number): Segment[] {
  return nodes.flatMap((node) => renderBlock(node, listDepth));
}

function renderBlock(node: MdNode, listDepth: number): Segment[] {
  const { token } = node;
  switch (token.type) {
    case 'paragraph_open':
      return textSegment(renderInlineBlock(node, NO_FORMATTING));
    case 'heading_open':
      return textSegment(renderHeading(node));
    case 'bullet_list_open':
    case 'ordered_list_open':
      return renderList(node, listDepth);
    case 'blockquote_open':
      return renderBlockquote(node, listDepth);
    case 'fence':
    case 'code_block':
      return [{ kind: 'code', text: codeBlock(withoutFinalNewline(token.content)) }];
    case 'table_open':
      return [{ kind: 'code', text: codeBlock(renderTableText(node)) }];
    case 'hr':
      return textSegment(THEMATIC_BREAK);
    case 'html_block':
      return textSegment(escapeSlackText(token.content.trim()));
    case 'inline':
      return textSegment(renderInline(node.children, NO_FORMATTING));
    default:
      // Unknown containers (from future parser versions) still show their content.
      return renderBlocks(node.children, listDepth);
  }
}

function textSegment(text: string): Segment[] {
  return text.length > 0 ? [{ kind: 'text', text }] : [];
}

/** The inline content of a paragraph/heading/cell node (its single `inline` child). */
function renderInlineBlock(node: MdNode, formatting: Formatting): string {
  return node.children
    .map((child) => renderInline(child.children, formatting))
    .join('')
    .trim();
}

/** Slack has no headings: a heading becomes a bold line (formatting inside stays, bold is implied). */
function renderHeading(node: MdNode): string {
  const inner = renderInlineBlock(node, { ...NO_FORMATTING, bold: true });
  return inner.length > 0 ? wrapEachLine(inner, '*') : '';
}

/** Quote: every text line gets `> `; code blocks inside stay unprefixed (see Segment). */
function renderBlockquote(node: MdNode, listDepth: number): Segment[] {
  return renderBlocks(node.children, listDepth).map((segment) =>
    segment.kind === 'code' ? segment : { kind: 'text', text: prefixLines(segment.text, '> ') },
  );
}

function prefixLines(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((line) => (line.length > 0 ? prefix + line : prefix.trimEnd()))
    .join('\n');
}

// ---------------------------------------------------------------------------------------------
// Lists
// ---------------------------------------------------------------------------------------------

function renderList(node: MdNode, depth: number): Segment[] {
  const ordered = node.token.type === 'ordered_list_open';
  const start = ordered ? Number(attribute(node.token, 'start') || '1') : 1;
  const items = node.children.filter((child) => child.token.type === 'list_item_open');
  return items.flatMap((item, index) => {
    const taskState = takeTaskMarker(item);
    const marker = listMarker({ ordered, number: start + index, depth, taskState });
    return renderListItem(item, depth, marker);
  });
}

type TaskState = 'open' | 'done' | undefined;

interface MarkerSpec {
  ordered: boolean;
  number: number;
  depth: number;
  taskState: TaskState;
}

function listMarker({ ordered, number, depth, taskState }: MarkerSpec): string {
  const task = taskState === 'done' ? TASK_DONE : taskState === 'open' ? TASK_OPEN : undefined;
  if (ordered) return task ? `${number}. ${task}` : `${number}.`;
  return task ?? BULLETS[depth % BULLETS.length] ?? '•';
}

/**
 * GFM task items: `[ ]` or `[x]` starting the item's first paragraph. markdown-it has no task list
 * rule, so the marker is recognised here and removed from the (per-call, freshly parsed) token.
 */
function takeTaskMarker(item: MdNode): TaskState {
  const paragraph = item.children[0];
  if (paragraph?.token.type !== 'paragraph_open') return undefined;
  const firstText = paragraph.children[0]?.children[0];
  if (firstText?.token.type !== 'text') return undefined;
  const match = /^\[([ x])\](?:\s+|$)/i.exec(firstText.token.content);
  if (!match) return undefined;
  firstText.token.content = firstText.token.content.slice(match[0].length);
  return match[1] === ' ' ? 'open' : 'done';
}

/**
 * `marker text` on the first line; further lines of the item hang under its text. Nested lists
 * carry their own indentation; code blocks stay at column 0 (see Segment).
 */
function renderListItem(item: MdNode, depth: number, marker: string): Segment[] {
  const indent = LIST_INDENT.repeat(depth);
  const hanging = indent + ' '.repeat(marker.length + 1);
  const segments: Segment[] = [];
  let markerPlaced = false;
  for (const child of item.children) {
    const isNestedList = child.token.type === 'bullet_list_open' || child.token.type === 'ordered_list_open';
    const childSegments = isNestedList ? renderList(child, depth + 1) : renderBlock(child, depth);
    for (const segment of childSegments) {
      if (isNestedList || segment.kind === 'code') {
        if (!markerPlaced) segments.push({ kind: 'text', text: indent + marker });
        markerPlaced = true;
        segments.push(segment);
        continue;
      }
      const firstPrefix = markerPlaced ? hanging : `${indent}${marker} `;
      segments.push({ kind: 'text', text: hangLines(segment.text, firstPrefix, hanging) });
      markerPlaced = true;
    }
  }
  if (!markerPlaced) segments.push({ kind: 'text', text: indent + marker });
  return segments;
}

function hangLines(text: string, firstPrefix: string, restPrefix: string): string {
  return text
    .split('\n')
    .map((line, index) => (index === 0 ? firstPrefix : restPrefix) + line)
    .join('\n');
}

// ---------------------------------------------------------------------------------------------
// Code and tables
// ---------------------------------------------------------------------------------------------

/**
 * A Slack code block. The language tag is dropped (mrkdwn ignores it). Content is verbatim apart
 * from Slack's mandatory escaping, and a ``` inside the code gets a zero-width space after its
 * first backtick, because mrkdwn has no other way to keep it from ending the block.
 */
function codeBlock(content: string): string {
  return `${FENCE}\n${breakFences(escapeSlackText(content))}\n${FENCE}`;
}

/** Slack opens or closes a code block at any ```; a zero-width space keeps literal ones inert. */
function breakFences(text: string): string {
  return text.replace(/```/g, '`\u200b``');
}

function withoutFinalNewline(text: string): string {
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}

type Alignment = 'left' | 'right' | 'center';

/** A table as aligned plain-text columns (cells stripped of formatting), for a code block. */
function renderTableText(table: MdNode): string {
  const rows = collectTableRows(table);
  const header = rows[0];
  if (!header) return '';
  const columnCount = Math.max(...rows.map((row) => row.cells.length));
  const widths = Array.from({ length: columnCount }, (_, column) =>
    Math.max(1, ...rows.map((row) => textWidth(row.cells[column] ?? ''))),
  );
  const alignments = header.alignments;
  const formatRow = (cells: readonly string[]): string =>
    widths
      .map((width, column) => padCell(cells[column] ?? '', width, alignments[column] ?? 'left'))
      .join(' | ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('-+-');
  const [, ...body] = rows;
  return [formatRow(header.cells), rule, ...body.map((row) => formatRow(row.cells))].join('\n');
}

interface TableRow {
  cells: string[];
  alignments: Alignment[];
}

function collectTableRows(table: MdNode): TableRow[] {
  const rows: TableRow[] = [];
  const visit = (node: MdNode): void => {
    if (node.token.type === 'tr_open') {
      const cells = node.children.filter((cell) => cell.token.type === 'th_open' || cell.token.type === 'td_open');
      rows.push({ cells: cells.map(cellText), alignments: cells.map(cellAlignment) });
      return;
    }
    node.children.forEach(visit);
  };
  table.children.forEach(visit);
  return rows;
}

/** Cells are plain text in a code block: no mrkdwn formatting, line breaks become spaces. */
function cellText(cell: MdNode): string {
  return joinLines(cell.children.map((inline) => plainText(inline.children)).join(''));
}

function cellAlignment(cell: MdNode): Alignment {
  const style = attribute(cell.token, 'style');
  if (style.includes('right')) return 'right';
  if (style.includes('center')) return 'center';
  return 'left';
}

/** Width in code points, so that accented letters and most symbols count once. */
function textWidth(text: string): number {
  return [...text].length;
}

function padCell(text: string, width: number, alignment: Alignment): string {
  const room = width - textWidth(text);
  if (alignment === 'right') return ' '.repeat(room) + text;
  if (alignment === 'center') {
    const left = Math.floor(room / 2);
    return ' '.repeat(left) + text + ' '.repeat(room - left);
  }
  return text + ' '.repeat(room);
}

// ---------------------------------------------------------------------------------------------
// Inline content
// ---------------------------------------------------------------------------------------------

/** Which Slack formatting already applies, so nested nodes do not repeat (and so break) a marker. */
interface Formatting {
  bold: boolean;
  italic: boolean;
  strike: boolean;
}

const NO_FORMATTING: Formatting = { bold: false, italic: false, strike: false };

/**
 * Either finished text, or a formatted span whose markers are decided once its neighbours are
 * known: Slack only honours `*`, `_`, `~` at word boundaries, so intraword emphasis keeps the
 * characters the model wrote (`s3:*Object*`, `2*3*4`, `logs*2024*`): in AWS answers these are far
 * more often wildcards or arithmetic than emphasis, and dropping them would change the meaning.
 */
type InlinePiece = { text: string } | { inner: string; marker: string; source: string };

function renderInline(nodes: readonly MdNode[], formatting: Formatting): string {
  const pieces = nodes.map((node) => renderInlineNode(node, formatting));
  let out = '';
  pieces.forEach((piece, index) => {
    if ('text' in piece) {
      out += piece.text;
      return;
    }
    const next = pieces[index + 1];
    const nextText = next ? ('text' in next ? next.text : next.inner) : '';
    const touchesWord = isWordChar(out.slice(-1)) || isWordChar(nextText.slice(0, 1));
    out += touchesWord ? `${piece.source}${piece.inner}${piece.source}` : wrapEachLine(piece.inner, piece.marker);
  });
  return out;
}

function renderInlineNode(node: MdNode, formatting: Formatting): InlinePiece {
  const { token } = node;
  switch (token.type) {
    case 'text':
      // Literal backticks in text (unmatched in Markdown) must not start a Slack code block.
      return { text: breakFences(escapeKeepingReferences(token.content)) };
    case 'softbreak':
    case 'hardbreak':
      return { text: '\n' };
    case 'code_inline':
      return { text: inlineCode(token.content) };
    case 'strong_open':
      return formatted(node, formatting, 'bold', '*');
    case 'em_open':
      return formatted(node, formatting, 'italic', '_');
    case 's_open':
      return formatted(node, formatting, 'strike', '~');
    case 'link_open':
      return { text: renderLink(attribute(token, 'href'), plainText(node.children)) };
    case 'image':
      return { text: renderLink(attribute(token, 'src'), plainText(node.children)) };
    case 'html_inline':
      return { text: isLineBreakTag(token.content) ? '\n' : escapeSlackText(token.content) };
    default:
      return { text: renderInline(node.children, formatting) || escapeSlackText(token.content) };
  }
}

function formatted(node: MdNode, formatting: Formatting, kind: keyof Formatting, marker: string): InlinePiece {
  const inner = renderInline(node.children, { ...formatting, [kind]: true });
  return formatting[kind] ? { text: inner } : { inner, marker, source: node.token.markup };
}

/**
 * Wraps text in a Slack marker. Slack formatting neither spans lines nor starts/ends with a space,
 * so each line is wrapped on its own and surrounding whitespace stays outside the markers.
 */
function wrapEachLine(text: string, marker: string): string {
  return text
    .split('\n')
    .map((line) => {
      const core = line.trim();
      if (core.length === 0) return line;
      const lead = line.slice(0, line.length - line.trimStart().length);
      const trail = line.slice(line.trimEnd().length);
      return `${lead}${marker}${core}${marker}${trail}`;
    })
    .join('\n');
}

/**
 * Slack references the model writes on purpose: a person (`<@U…>`: the system prompt asks it to
 * address people by their mention) or a channel (`<#C…>`), which Slack shows as links. Broadcasts
 * (`<!channel>`, `<!here>`) and anything else stay escaped: an answer never pings everyone.
 */
const SLACK_REFERENCE = /<(?:@[UW]|#C)[A-Z0-9]{2,}(?:\|[^<>|\n]{1,80})?>/g;

function escapeKeepingReferences(text: string): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(SLACK_REFERENCE)) {
    out += escapeSlackText(text.slice(last, match.index)) + match[0];
    last = match.index + match[0].length;
  }
  return out + escapeSlackText(text.slice(last));
}

function isWordChar(ch: string): boolean {
  return ch.length > 0 && /[\p{L}\p{N}]/u.test(ch);
}

/**
 * Inline code. A backtick inside cannot be expressed in mrkdwn (no escapes, no longer delimiters),
 * so it becomes a look-alike modifier letter (ˋ) instead of ending the code early.
 */
function inlineCode(content: string): string {
  if (content.length === 0) return '';
  return `\`${escapeSlackText(content.replace(/`/g, 'ˋ'))}\``;
}

function isLineBreakTag(html: string): boolean {
  return /^<br\s*\/?>$/i.test(html.trim());
}

/**
 * `<url|label>`, or `<url>` when the label is the URL itself (an e-mail address keeps its label, so
 * Slack shows the address rather than `mailto:`). Only absolute http(s)/mailto links are clickable
 * in Slack; a relative link or anchor shows as its label.
 */
function renderLink(href: string, label: string): string {
  if (!/^(?:https?:|mailto:)/i.test(href)) return escapeSlackText(label);
  const url = slackUrl(href);
  const text = label.trim();
  if (text.length === 0 || text === href) return `<${url}>`;
  return `<${url}|${breakFences(escapeSlackText(joinLines(text)))}>`;
}

/** In `<url|label>`, `|` and `>` would end the URL: percent-encode them; `&` is entity-escaped. */
function slackUrl(href: string): string {
  return href
    .replace(/&/g, '&amp;')
    .replace(/</g, '%3C')
    .replace(/>/g, '%3E')
    .replace(/\|/g, '%7C')
    .replace(/ /g, '%20');
}

/** The text of inline nodes without any formatting (for link labels and table cells). */
function plainText(nodes: readonly MdNode[]): string {
  return nodes
    .map((node) => {
      const { token } = node;
      if (token.type === 'softbreak' || token.type === 'hardbreak') return '\n';
      if (token.type === 'html_inline') return isLineBreakTag(token.content) ? '\n' : token.content;
      if (token.type === 'image') return plainText(node.children);
      if (node.children.length > 0) return plainText(node.children);
      return token.content;
    })
    .join('');
}
