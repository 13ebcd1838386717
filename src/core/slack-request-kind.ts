/**
 * What a request from Slack is, for counting: its kind (event, command, action, view, shortcut,
 * options) and name (event type, slash command, action or callback id). The same bodies arrive
 * over HTTP and Socket Mode. Names are only ever identifiers Slack or this app defined, and odd
 * ones collapse into `other`, so a metric label can never grow without bound.
 */
export type SlackRequestKind = 'event' | 'command' | 'action' | 'view' | 'shortcut' | 'options' | 'other';

export interface SlackRequestLabel {
  kind: SlackRequestKind;
  name: string;
}

const NAME = /^[/\w.:-]{1,64}$/;

export function classifySlackRequest(body: unknown): SlackRequestLabel {
  const record = asRecord(body);
  if (!record) return { kind: 'other', name: 'other' };
  const type = record.type;
  if (type === 'event_callback') return { kind: 'event', name: safeName(asRecord(record.event)?.type) };
  if (typeof record.command === 'string') return { kind: 'command', name: safeName(record.command) };
  switch (type) {
    case 'block_actions':
    case 'interactive_message': {
      const first: unknown = Array.isArray(record.actions) ? record.actions[0] : undefined;
      const action = asRecord(first);
      return { kind: 'action', name: safeName(action?.action_id ?? action?.name ?? record.callback_id) };
    }
    case 'view_submission':
    case 'view_closed':
      return { kind: 'view', name: safeName(asRecord(record.view)?.callback_id) };
    case 'shortcut':
    case 'message_action':
      return { kind: 'shortcut', name: safeName(record.callback_id) };
    case 'block_suggestion':
      return { kind: 'options', name: safeName(record.action_id) };
    default:
      return { kind: 'other', name: safeName(type) };
  }
}

function safeName(value: unknown): string {
  return typeof value === 'string' && NAME.test(value) ? value : 'other';
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}
