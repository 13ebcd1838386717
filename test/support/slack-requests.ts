/**
 * Requests as Slack sends them to an app's request URL: signed with the signing secret
 * (`v0=hex(HMAC-SHA256(secret, "v0:<ts>:<raw body>"))`), events as JSON `event_callback`
 * envelopes, slash commands as form fields, interactivity as a form field `payload` of JSON.
 * Plus builders for realistic inner events and payloads, also usable as Socket Mode payloads.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { randomId } from '../fakes/util.js';

/** The signing secret every test bot is started with (see baseEnv in bot.ts). */
export const SIGNING_SECRET = 'fake-signing-secret-0123456789abcdef';
/** The legacy verification token Slack still puts in every payload; apps must not rely on it. */
export const VERIFICATION_TOKEN = 'fake-verification-token';

const DEFAULTS = { teamId: 'T0TEST', teamDomain: 'fake-test', appId: 'A0TEST', botUserId: 'UBOT' } as const;

export interface SlackHttpResult {
  status: number;
  body: string;
  /** The body parsed as JSON when it is JSON. */
  json?: unknown;
  headers: Headers;
  /** Milliseconds until the HTTP answer was complete (Slack gives up after 3 s). */
  ms: number;
}

export interface SignOptions {
  /** Unix seconds for X-Slack-Request-Timestamp; default now. An old one tests replay protection. */
  timestamp?: number;
  /** Sends a signature made with a different secret. */
  badSignature?: boolean;
  retryNum?: number;
  retryReason?: string;
  headers?: Record<string, string>;
}

export function slackSignature(secret: string, timestamp: number, rawBody: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

/** POSTs a raw body exactly as given, signed; the building block of the senders below. */
export async function postSigned(
  url: string,
  secret: string,
  rawBody: string,
  contentType: string,
  options: SignOptions = {},
): Promise<SlackHttpResult> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const signature = slackSignature(options.badSignature ? `${secret}-wrong` : secret, timestamp, rawBody);
  const headers: Record<string, string> = {
    'content-type': contentType,
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': signature,
    ...(options.retryNum !== undefined ? { 'x-slack-retry-num': String(options.retryNum) } : {}),
    ...(options.retryReason !== undefined ? { 'x-slack-retry-reason': options.retryReason } : {}),
    ...options.headers,
  };
  const started = performance.now();
  const response = await fetch(url, { method: 'POST', headers, body: rawBody });
  const body = await response.text();
  const ms = performance.now() - started;
  return { status: response.status, body, ...parseJson(body), headers: response.headers, ms };
}

function parseJson(body: string): { json?: unknown } {
  try {
    return body ? { json: JSON.parse(body) as unknown } : {};
  } catch {
    return {};
  }
}

// ---- Events API --------------------------------------------------------------------------------

export interface EnvelopeOptions {
  eventId?: string;
  eventTime?: number;
  teamId?: string;
  appId?: string;
  botUserId?: string;
}

export interface EventCallback {
  token: string;
  team_id: string;
  api_app_id: string;
  event: Record<string, unknown>;
  type: 'event_callback';
  event_id: string;
  event_time: number;
  authorizations: Array<{ enterprise_id: null; team_id: string; user_id: string; is_bot: true; is_enterprise_install: false }>;
  is_ext_shared_channel: false;
  event_context: string;
}

/** Slack's event ids look like `Ev08MFMKH6`; a redelivery carries the same one. */
export const newEventId = (): string => `Ev${randomId(9).toUpperCase()}`;

/** The full `event_callback` envelope around an inner event, as delivered over HTTP or Socket Mode. */
export function eventCallback(event: Record<string, unknown>, options: EnvelopeOptions = {}): EventCallback {
  const teamId = options.teamId ?? DEFAULTS.teamId;
  return {
    token: VERIFICATION_TOKEN,
    team_id: teamId,
    api_app_id: options.appId ?? DEFAULTS.appId,
    event,
    type: 'event_callback',
    event_id: options.eventId ?? newEventId(),
    event_time: options.eventTime ?? Math.floor(Date.now() / 1000),
    authorizations: [
      { enterprise_id: null, team_id: teamId, user_id: options.botUserId ?? DEFAULTS.botUserId, is_bot: true, is_enterprise_install: false },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${Buffer.from(JSON.stringify({ et: event.type, tid: teamId, aid: options.appId ?? DEFAULTS.appId })).toString('base64url')}`,
  };
}

export type SendEventOptions = EnvelopeOptions & SignOptions;

export function sendEvent(url: string, secret: string, event: Record<string, unknown>, options: SendEventOptions = {}): Promise<SlackHttpResult> {
  return postSigned(url, secret, JSON.stringify(eventCallback(event, options)), 'application/json', options);
}

export function sendUrlVerification(url: string, secret: string, challenge = randomId(40), options: SignOptions = {}): Promise<SlackHttpResult> {
  const body = JSON.stringify({ token: VERIFICATION_TOKEN, challenge, type: 'url_verification' });
  return postSigned(url, secret, body, 'application/json', options);
}

// ---- inner events ------------------------------------------------------------------------------

/** A Slack-style ts for now, for events whose ts no message in the fake needs to match. */
export function nowTs(): string {
  const micros = BigInt(Date.now()) * 1000n + BigInt(Math.floor(Math.random() * 1000));
  return `${micros / 1_000_000n}.${(micros % 1_000_000n).toString().padStart(6, '0')}`;
}

/** Message text as Slack's clients send it: a rich_text block, mentions as user elements. */
export function richTextBlocks(text: string): Array<Record<string, unknown>> {
  const elements: Array<Record<string, unknown>> = [];
  for (const part of text.split(/(<@[UW][A-Z0-9]+>)/)) {
    if (part === '') continue;
    const mention = /^<@([UW][A-Z0-9]+)>$/.exec(part);
    elements.push(mention ? { type: 'user', user_id: mention[1] } : { type: 'text', text: part });
  }
  return [{ type: 'rich_text', block_id: randomId(5), elements: [{ type: 'rich_text_section', elements }] }];
}

export interface MessageEventInput {
  channel: string;
  user: string;
  text: string;
  ts: string;
  thread_ts?: string;
  /** The author of the thread's parent, present on replies. */
  parent_user_id?: string;
  team?: string;
}

export function appMention(input: MessageEventInput): Record<string, unknown> {
  return {
    type: 'app_mention',
    user: input.user,
    text: input.text,
    ts: input.ts,
    client_msg_id: randomUUID(),
    team: input.team ?? DEFAULTS.teamId,
    blocks: richTextBlocks(input.text),
    channel: input.channel,
    event_ts: input.ts,
    ...(input.thread_ts ? { thread_ts: input.thread_ts, parent_user_id: input.parent_user_id ?? input.user } : {}),
  };
}

export type ChannelKind = 'channel' | 'group' | 'im' | 'mpim';

export interface MessageEventOptions extends MessageEventInput {
  channel_type?: ChannelKind;
  subtype?: string;
  bot_id?: string;
  app_id?: string;
  extra?: Record<string, unknown>;
}

/** A `message` event (message.channels / .groups / .im / .mpim); `channel_type` defaults from the id. */
export function messageEvent(input: MessageEventOptions): Record<string, unknown> {
  const channelType = input.channel_type ?? (input.channel.startsWith('D') ? 'im' : input.channel.startsWith('G') ? 'group' : 'channel');
  const fromBot = input.bot_id !== undefined;
  return {
    type: 'message',
    ...(input.subtype ? { subtype: input.subtype } : {}),
    user: input.user,
    text: input.text,
    ts: input.ts,
    ...(fromBot ? { bot_id: input.bot_id, app_id: input.app_id ?? DEFAULTS.appId } : { client_msg_id: randomUUID() }),
    team: input.team ?? DEFAULTS.teamId,
    blocks: richTextBlocks(input.text),
    channel: input.channel,
    event_ts: input.ts,
    channel_type: channelType,
    ...(input.thread_ts ? { thread_ts: input.thread_ts, parent_user_id: input.parent_user_id ?? input.user } : {}),
    ...input.extra,
  };
}

/** The bot's own post coming back as an event (Slack sends these; the bot must ignore them). */
export function botMessageEvent(input: Omit<MessageEventOptions, 'user'> & { user?: string }): Record<string, unknown> {
  return messageEvent({ ...input, user: input.user ?? DEFAULTS.botUserId, bot_id: input.bot_id ?? 'BBOT' });
}

/** `message_changed`: an edit, carrying the new and the previous message. */
export function messageChangedEvent(input: {
  channel: string;
  message: Record<string, unknown>;
  previous_message: Record<string, unknown>;
  channel_type?: ChannelKind;
}): Record<string, unknown> {
  const eventTs = nowTs();
  return {
    type: 'message',
    subtype: 'message_changed',
    message: input.message,
    previous_message: input.previous_message,
    channel: input.channel,
    hidden: true,
    ts: eventTs,
    event_ts: eventTs,
    channel_type: input.channel_type ?? (input.channel.startsWith('D') ? 'im' : 'channel'),
  };
}

export function assistantThreadStarted(input: {
  user: string;
  channel: string;
  thread_ts: string;
  contextChannel?: string;
  team?: string;
}): Record<string, unknown> {
  return {
    type: 'assistant_thread_started',
    assistant_thread: {
      user_id: input.user,
      channel_id: input.channel,
      thread_ts: input.thread_ts,
      context: { channel_id: input.contextChannel, team_id: input.team ?? DEFAULTS.teamId, enterprise_id: null },
    },
    event_ts: input.thread_ts,
  };
}

// ---- slash commands and interactivity --------------------------------------------------------

export interface CommandFields {
  token: string;
  team_id: string;
  team_domain: string;
  channel_id: string;
  channel_name: string;
  user_id: string;
  user_name: string;
  command: string;
  text: string;
  api_app_id: string;
  is_enterprise_install: string;
  response_url: string;
  trigger_id: string;
}

/** Slash-command fields with realistic defaults (U0ALICE running `/aws` in #general). */
export function commandFields(fields: Partial<CommandFields> = {}): CommandFields {
  return {
    token: VERIFICATION_TOKEN,
    team_id: DEFAULTS.teamId,
    team_domain: DEFAULTS.teamDomain,
    channel_id: 'C0GENERAL',
    channel_name: 'general',
    user_id: 'U0ALICE',
    user_name: 'alice',
    command: '/aws',
    text: '',
    api_app_id: DEFAULTS.appId,
    is_enterprise_install: 'false',
    response_url: `https://hooks.slack.com/commands/${DEFAULTS.teamId}/1/${randomId(24)}`,
    trigger_id: `${Date.now()}.${randomId(10)}`,
    ...fields,
  };
}

export function sendCommand(url: string, secret: string, fields: Partial<CommandFields> = {}, options: SignOptions = {}): Promise<SlackHttpResult> {
  const body = new URLSearchParams(Object.entries(commandFields(fields))).toString();
  return postSigned(url, secret, body, 'application/x-www-form-urlencoded', options);
}

export interface BlockActionInput {
  user?: string;
  channel?: string;
  /** The message carrying the button. */
  message: Record<string, unknown> & { ts: string };
  actionId: string;
  value?: string;
  blockId?: string;
  responseUrl?: string;
  team?: string;
}

/** A `block_actions` payload for a button click on `message`. */
export function blockActions(input: BlockActionInput): Record<string, unknown> {
  const user = input.user ?? 'U0ALICE';
  const team = input.team ?? DEFAULTS.teamId;
  const channel = input.channel ?? 'C0GENERAL';
  const actionTs = nowTs();
  return {
    type: 'block_actions',
    user: { id: user, username: user === 'U0ALICE' ? 'alice' : user.toLowerCase(), name: user.toLowerCase(), team_id: team },
    api_app_id: DEFAULTS.appId,
    token: VERIFICATION_TOKEN,
    container: { type: 'message', message_ts: input.message.ts, channel_id: channel, is_ephemeral: false },
    trigger_id: `${Date.now()}.${randomId(10)}`,
    team: { id: team, domain: DEFAULTS.teamDomain },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: channel, name: channel === 'C0GENERAL' ? 'general' : channel.toLowerCase() },
    message: input.message,
    state: { values: {} },
    response_url: input.responseUrl ?? `https://hooks.slack.com/actions/${team}/1/${randomId(24)}`,
    actions: [
      {
        action_id: input.actionId,
        block_id: input.blockId ?? randomId(5),
        text: { type: 'plain_text', text: input.actionId, emoji: true },
        ...(input.value !== undefined ? { value: input.value } : {}),
        type: 'button',
        action_ts: actionTs,
      },
    ],
  };
}

export function sendAction(url: string, secret: string, payload: Record<string, unknown>, options: SignOptions = {}): Promise<SlackHttpResult> {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return postSigned(url, secret, body, 'application/x-www-form-urlencoded', options);
}
