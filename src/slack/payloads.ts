import { z } from 'zod';

/**
 * The shapes of what Slack sends, checked at the edge before any listener reads it
 * (validate-payloads.ts): ids in Slack's own forms, `ts` as Slack writes it ("digits.digits"),
 * strings where strings belong and values no longer than Slack allows. Only the fields the bot
 * reads are described; anything else Slack adds passes. A request that does not fit is refused
 * whole: a listener never meets a number where it expects text, an array where Slack sends one
 * string (`text=` twice in a form), or a 100 KB "id".
 */

const SLACK_ID_TAIL_MAX = 39;

const teamIdSchema = z.string().regex(/^[TE][A-Z0-9]{1,39}$/, 'not a Slack team id');
const channelIdSchema = z.string().regex(/^[CGD][A-Z0-9]{1,39}$/, 'not a Slack conversation id');
const userIdSchema = z.string().regex(/^[UW][A-Z0-9]{1,39}$/, 'not a Slack user id');
/** A message timestamp as Slack writes it: seconds, a dot, a sequence ("1700000000.000100"). */
const slackTsSchema = z.string().regex(/^\d{1,16}\.\d{1,16}$/, 'not a Slack message ts');
/** Slack caps a button's value at 2,000 characters. */
const buttonValueSchema = z.string().max(2000);

const label = z.string().max(255);
const triggerId = z.string().regex(/^[\d.a-z]{1,255}$/i, 'not a Slack trigger id');
const responseUrl = z.url({ protocol: /^https?$/ }).max(2048);
const enterpriseId = z.string().max(SLACK_ID_TAIL_MAX + 1).nullish();

/** `message` and `app_mention`: what intake reads (a person's text, where and when they wrote it). */
const messageEvent = z.object({
  type: z.enum(['message', 'app_mention']),
  subtype: label.optional(),
  user: userIdSchema.optional(),
  bot_id: label.optional(),
  text: z.string().optional(),
  ts: slackTsSchema,
  thread_ts: slackTsSchema.optional(),
  channel: channelIdSchema,
  channel_type: label.optional(),
  team: teamIdSchema.optional(),
  user_team: teamIdSchema.optional(),
  files: z.array(z.unknown()).optional(),
});

const assistantThreadEvent = z.object({
  type: z.enum(['assistant_thread_started', 'assistant_thread_context_changed']),
  assistant_thread: z.object({
    user_id: userIdSchema,
    channel_id: channelIdSchema,
    thread_ts: slackTsSchema,
    context: z.object({ channel_id: channelIdSchema.nullish(), team_id: teamIdSchema.nullish(), enterprise_id: enterpriseId }).optional(),
  }),
});

const appHomeOpenedEvent = z.object({
  type: z.literal('app_home_opened'),
  user: userIdSchema,
  channel: channelIdSchema.optional(),
  tab: label.optional(),
});

/** The events whose fields the bot reads; other event types only need to be an event. */
const EVENT_SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  message: messageEvent,
  app_mention: messageEvent,
  assistant_thread_started: assistantThreadEvent,
  assistant_thread_context_changed: assistantThreadEvent,
  app_home_opened: appHomeOpenedEvent,
};

const eventEnvelope = z.object({
  team_id: teamIdSchema.optional(),
  event: z.object({ type: label }),
});

const slashCommandSchema = z.object({
  command: z.string().regex(/^\/[\w-]{1,64}$/, 'not a slash command'),
  text: z.string(),
  team_id: teamIdSchema,
  channel_id: channelIdSchema,
  user_id: userIdSchema,
  trigger_id: triggerId,
  response_url: responseUrl,
  enterprise_id: enterpriseId,
});

const who = z.object({ id: userIdSchema, team_id: teamIdSchema.optional() });
const team = z.object({ id: teamIdSchema }).nullish();
const channel = z.object({ id: channelIdSchema }).nullish();
const message = z.object({ ts: slackTsSchema, thread_ts: slackTsSchema.optional() });

const blockActions = z.object({
  type: z.literal('block_actions'),
  user: who,
  team,
  channel,
  container: z.object({ message_ts: slackTsSchema.optional(), channel_id: channelIdSchema.optional(), thread_ts: slackTsSchema.optional() }).optional(),
  message: message.optional(),
  actions: z
    .array(z.object({ action_id: label, block_id: label.optional(), type: label, value: buttonValueSchema.optional() }))
    .min(1)
    .max(25),
});

/** Shortcuts, view submissions and option requests: who and where. */
const otherInteraction = z.object({ user: who, team, channel, message: message.optional() });
const OTHER_INTERACTIONS = new Set(['shortcut', 'message_action', 'view_submission', 'view_closed', 'block_suggestion']);

export type PayloadKind = 'event' | 'command' | 'action' | 'interaction';

export type PayloadCheck = { ok: true } | { ok: false; kind: PayloadKind; problems: PayloadProblem[] };

/** Where a payload departs from its shape: a path and a code, never the value (it may be huge, or a secret). */
export interface PayloadProblem {
  path: string;
  code: string;
}

const MAX_PROBLEMS_REPORTED = 5;

/** Checks a request body of any kind against the shape of its kind; bodies of kinds the bot never reads pass. */
export function checkSlackPayload(body: unknown): PayloadCheck {
  if (typeof body !== 'object' || body === null) return { ok: true };
  const record = body as Record<string, unknown>;
  if (record.event !== undefined) return checkEvent(record);
  if (record.command !== undefined) return verdict('command', slashCommandSchema.safeParse(record));
  if (record.type === 'block_actions') return verdict('action', blockActions.safeParse(record));
  if (typeof record.type === 'string' && OTHER_INTERACTIONS.has(record.type)) return verdict('interaction', otherInteraction.safeParse(record));
  return { ok: true };
}

function checkEvent(record: Record<string, unknown>): PayloadCheck {
  const envelope = eventEnvelope.safeParse(record);
  if (!envelope.success) return verdict('event', envelope);
  const schema = EVENT_SCHEMAS[envelope.data.event.type];
  if (!schema) return { ok: true };
  const event = schema.safeParse(record.event);
  return event.success ? { ok: true } : { ok: false, kind: 'event', problems: problemsOf(event.error.issues, ['event']) };
}

function verdict(kind: PayloadKind, result: { success: true } | { success: false; error: z.ZodError }): PayloadCheck {
  return result.success ? { ok: true } : { ok: false, kind, problems: problemsOf(result.error.issues, []) };
}

function problemsOf(issues: readonly z.core.$ZodIssue[], base: readonly PropertyKey[]): PayloadProblem[] {
  return issues.slice(0, MAX_PROBLEMS_REPORTED).map((issue) => ({ path: [...base, ...issue.path].map(String).join('.').slice(0, 200), code: issue.code }));
}
