/**
 * Block Kit validation as the fake Slack applies it to messages, stream chunks and Home tab
 * views. Slack refuses a whole payload for any broken block and says why in
 * `response_metadata.messages`, one line per problem: `[ERROR] <why> [json-pointer:<where>]`.
 * The rules are the documented limits a bot most often trips over (slack.md in this folder);
 * the wording of each line follows Slack's shape, but tests should assert error codes only.
 */
import { isRecord } from './util.js';

/** Where blocks are shown: a message allows 50 blocks, a Home tab view 100. */
export type BlockSurface = 'message' | 'home';

/** Block types @slack/types 3.x knows (`KnownBlock`); anything else is `unsupported type`. */
export const KNOWN_BLOCK_TYPES: ReadonlySet<string> = new Set([
  'actions',
  'alert',
  'card',
  'carousel',
  'container',
  'context',
  'context_actions',
  'data_table',
  'divider',
  'file',
  'header',
  'image',
  'input',
  'markdown',
  'rich_text',
  'section',
  'table',
  'task_card',
  'plan',
  'video',
]);

export const BLOCK_LIMITS = {
  messageBlocks: 50,
  homeBlocks: 100,
  blockId: 255,
  sectionText: 3_000,
  sectionFields: 10,
  sectionFieldText: 2_000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2_000,
  actionId: 255,
  contextActionsElements: 5,
  feedbackButtonText: 75,
  feedbackButtonValue: 2_000,
  accessibilityLabel: 75,
  /** All `markdown` blocks of one payload together. */
  markdownTotal: 12_000,
} as const;

class Issues {
  readonly lines: string[] = [];
  add(why: string, pointer: string): void {
    this.lines.push(`[ERROR] ${why} [json-pointer:${pointer}]`);
  }
}

/**
 * Every problem found in `blocks` (empty when they are valid). `pointer` is where the array sits
 * in the request (`/blocks`, `/view/blocks`, `/chunks/0/blocks`).
 */
export function blockProblems(blocks: unknown, pointer: string, surface: BlockSurface = 'message'): string[] {
  const issues = new Issues();
  if (!Array.isArray(blocks)) {
    issues.add('must be an array', pointer);
    return issues.lines;
  }
  const max = surface === 'home' ? BLOCK_LIMITS.homeBlocks : BLOCK_LIMITS.messageBlocks;
  if (blocks.length > max) issues.add(`no more than ${max} items allowed`, pointer);
  let markdownChars = 0;
  blocks.forEach((block, index) => {
    const at = `${pointer}/${index}`;
    if (!isRecord(block) || typeof block.type !== 'string') {
      issues.add('missing required field: type', at);
      return;
    }
    if (!KNOWN_BLOCK_TYPES.has(block.type)) {
      issues.add(`unsupported type: ${block.type}`, `${at}/type`);
      return;
    }
    if (typeof block.block_id === 'string' && block.block_id.length > BLOCK_LIMITS.blockId) {
      issues.add(`must be less than ${BLOCK_LIMITS.blockId + 1} characters`, `${at}/block_id`);
    }
    if (block.type === 'markdown' && typeof block.text === 'string') markdownChars += block.text.length;
    checkBlock(block, at, issues);
  });
  if (markdownChars > BLOCK_LIMITS.markdownTotal) {
    issues.add(`markdown blocks must be less than ${BLOCK_LIMITS.markdownTotal + 1} characters in total`, pointer);
  }
  return issues.lines;
}

function checkBlock(block: Record<string, unknown>, at: string, issues: Issues): void {
  switch (block.type) {
    case 'section':
      return checkSection(block, at, issues);
    case 'header':
      return checkTextObject(block.text, `${at}/text`, issues, { max: BLOCK_LIMITS.headerText, plainOnly: true });
    case 'context':
      checkElementCount(block.elements, `${at}/elements`, BLOCK_LIMITS.contextElements, issues);
      return undefined;
    case 'actions':
      return checkActions(block, at, issues);
    case 'markdown':
      if (typeof block.text !== 'string') issues.add('missing required field: text', at);
      return undefined;
    case 'context_actions':
      return checkContextActions(block, at, issues);
    default:
      return undefined;
  }
}

function checkSection(block: Record<string, unknown>, at: string, issues: Issues): void {
  if (block.text === undefined && block.fields === undefined) {
    issues.add('must provide either text or fields', at);
    return;
  }
  if (block.text !== undefined) checkTextObject(block.text, `${at}/text`, issues, { max: BLOCK_LIMITS.sectionText });
  if (block.fields !== undefined) {
    if (!Array.isArray(block.fields)) return issues.add('must be an array', `${at}/fields`);
    if (block.fields.length > BLOCK_LIMITS.sectionFields) issues.add(`no more than ${BLOCK_LIMITS.sectionFields} items allowed`, `${at}/fields`);
    block.fields.forEach((field, index) => checkTextObject(field, `${at}/fields/${index}`, issues, { max: BLOCK_LIMITS.sectionFieldText }));
  }
}

function checkTextObject(value: unknown, at: string, issues: Issues, rules: { max: number; plainOnly?: boolean }): void {
  if (!isRecord(value)) return issues.add('must be a text object', at);
  const allowed = rules.plainOnly ? ['plain_text'] : ['plain_text', 'mrkdwn'];
  if (typeof value.type !== 'string' || !allowed.includes(value.type)) {
    issues.add(`must be one of: ${allowed.join(', ')}`, `${at}/type`);
  }
  if (typeof value.text !== 'string') return issues.add('missing required field: text', at);
  if (value.text.length === 0) issues.add('must be more than 0 characters', `${at}/text`);
  if (value.text.length > rules.max) issues.add(`must be less than ${rules.max + 1} characters`, `${at}/text`);
  return undefined;
}

function checkElementCount(elements: unknown, at: string, max: number, issues: Issues): unknown[] {
  if (!Array.isArray(elements)) {
    issues.add('missing required field: elements', at);
    return [];
  }
  if (elements.length === 0) issues.add('must contain at least 1 item', at);
  if (elements.length > max) issues.add(`no more than ${max} items allowed`, at);
  return elements;
}

function checkActionId(element: Record<string, unknown>, at: string, issues: Issues): void {
  if (typeof element.action_id === 'string' && element.action_id.length > BLOCK_LIMITS.actionId) {
    issues.add(`must be less than ${BLOCK_LIMITS.actionId + 1} characters`, `${at}/action_id`);
  }
}

function checkActions(block: Record<string, unknown>, at: string, issues: Issues): void {
  const elements = checkElementCount(block.elements, `${at}/elements`, BLOCK_LIMITS.actionsElements, issues);
  elements.forEach((element, index) => {
    const here = `${at}/elements/${index}`;
    if (!isRecord(element) || typeof element.type !== 'string') return issues.add('missing required field: type', here);
    checkActionId(element, here, issues);
    if (element.type !== 'button') return undefined;
    checkTextObject(element.text, `${here}/text`, issues, { max: BLOCK_LIMITS.buttonText, plainOnly: true });
    if (typeof element.value === 'string' && element.value.length > BLOCK_LIMITS.buttonValue) {
      issues.add(`must be less than ${BLOCK_LIMITS.buttonValue + 1} characters`, `${here}/value`);
    }
    return undefined;
  });
}

function checkContextActions(block: Record<string, unknown>, at: string, issues: Issues): void {
  const elements = checkElementCount(block.elements, `${at}/elements`, BLOCK_LIMITS.contextActionsElements, issues);
  elements.forEach((element, index) => {
    const here = `${at}/elements/${index}`;
    if (!isRecord(element) || typeof element.type !== 'string') return issues.add('missing required field: type', here);
    if (element.type !== 'feedback_buttons' && element.type !== 'icon_button') {
      return issues.add(`unsupported type: ${element.type}`, `${here}/type`);
    }
    checkActionId(element, here, issues);
    if (element.type === 'icon_button') {
      if (typeof element.icon !== 'string') issues.add('missing required field: icon', here);
      return checkTextObject(element.text, `${here}/text`, issues, { max: BLOCK_LIMITS.buttonText, plainOnly: true });
    }
    for (const side of ['positive_button', 'negative_button'] as const) checkFeedbackButton(element[side], `${here}/${side}`, issues);
    return undefined;
  });
}

function checkFeedbackButton(button: unknown, at: string, issues: Issues): void {
  if (!isRecord(button)) return issues.add('missing required field', at);
  checkTextObject(button.text, `${at}/text`, issues, { max: BLOCK_LIMITS.feedbackButtonText, plainOnly: true });
  if (typeof button.value !== 'string') issues.add('missing required field: value', at);
  else if (button.value.length > BLOCK_LIMITS.feedbackButtonValue) {
    issues.add(`must be less than ${BLOCK_LIMITS.feedbackButtonValue + 1} characters`, `${at}/value`);
  }
  if (button.accessibility_label !== undefined) {
    if (typeof button.accessibility_label !== 'string') issues.add('must be a string', `${at}/accessibility_label`);
    else if (button.accessibility_label.length > BLOCK_LIMITS.accessibilityLabel) {
      issues.add(`must be less than ${BLOCK_LIMITS.accessibilityLabel + 1} characters`, `${at}/accessibility_label`);
    }
  }
  return undefined;
}
