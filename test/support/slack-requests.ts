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

// ---- shortcuts, feedback buttons, App Home ------------------------------------------------------

/** Form-encoded like every interactivity payload; an alias that says what is being sent. */
export const sendShortcut = sendAction;

export interface MessageShortcutInput {
  /** The shortcut's callback_id from the app's configuration. */
  callbackId: string;
  /** The message the shortcut was used on, as Slack stores it (a seeded or posted one). */
  message: Record<string, unknown> & { ts: string };
  channel?: string;
  channelName?: string;
  user?: string;
  team?: string;
  responseUrl?: string;
  triggerId?: string;
}

/**
 * A `message_action` payload: a message shortcut chosen from a message's menu. Slack sends the
 * whole message (text, blocks, attachments, bot_id, thread_ts… as stored), and a response_url.
 */
export function messageShortcut(input: MessageShortcutInput): Record<string, unknown> {
  const user = input.user ?? 'U0ALICE';
  const team = input.team ?? DEFAULTS.teamId;
  const channel = input.channel ?? 'C0GENERAL';
  const name = user === 'U0ALICE' ? 'alice' : user.toLowerCase();
  return {
    type: 'message_action',
    token: VERIFICATION_TOKEN,
    action_ts: nowTs(),
    team: { id: team, domain: DEFAULTS.teamDomain },
    user: { id: user, username: name, team_id: team, name },
    channel: { id: channel, name: input.channelName ?? (channel === 'C0GENERAL' ? 'general' : channel.toLowerCase()) },
    is_enterprise_install: false,
    enterprise: null,
    callback_id: input.callbackId,
    trigger_id: input.triggerId ?? `${Date.now()}.${randomId(10)}`,
    response_url: input.responseUrl ?? `https://hooks.slack.com/app/${team}/1/${randomId(24)}`,
    message_ts: input.message.ts,
    message: { type: 'message', ...input.message },
  };
}

export interface FeedbackClickInput {
  /** The message carrying a context_actions block with a feedback_buttons element. */
  message: Record<string, unknown> & { ts: string };
  button: 'positive' | 'negative';
  user?: string;
  channel?: string;
  responseUrl?: string;
  team?: string;
}

/**
 * A `block_actions` payload for a press of 👍 or 👎 in a feedback_buttons element: the action has
 * `type: "feedback_buttons"` and the pressed button's `value` and `text`, with the element's
 * action_id and the block's block_id taken from the message itself (so a test clicks what the
 * bot really posted). Throws when the message has no feedback buttons.
 */
export function feedbackButtonsClick(input: FeedbackClickInput): Record<string, unknown> {
  const found = findFeedbackButtons(input.message);
  if (!found) throw new Error(`message ${input.message.ts} has no feedback_buttons element in a context_actions block`);
  const pressed = found.element[`${input.button}_button`] as { value: string; text: Record<string, unknown> };
  const payload = blockActions({
    message: input.message,
    actionId: found.element.action_id as string,
    blockId: found.blockId,
    ...(input.user ? { user: input.user } : {}),
    ...(input.channel ? { channel: input.channel } : {}),
    ...(input.responseUrl ? { responseUrl: input.responseUrl } : {}),
    ...(input.team ? { team: input.team } : {}),
  });
  const [action] = payload.actions as Array<Record<string, unknown>>;
  payload.actions = [{ ...action, type: 'feedback_buttons', value: pressed.value, text: pressed.text }];
  return payload;
}

function findFeedbackButtons(message: Record<string, unknown>): { element: Record<string, unknown>; blockId: string } | undefined {
  const blocks = Array.isArray(message.blocks) ? (message.blocks as Array<Record<string, unknown>>) : [];
  for (const block of blocks) {
    if (block.type !== 'context_actions' || !Array.isArray(block.elements)) continue;
    const element = (block.elements as Array<Record<string, unknown>>).find((e) => e.type === 'feedback_buttons');
    // Slack gives every block a block_id when the app sets none.
    if (element) return { element, blockId: typeof block.block_id === 'string' ? block.block_id : randomId(5) };
  }
  return undefined;
}

export interface AppHomeOpenedInput {
  user?: string;
  /** The DM between the person and the app. */
  channel?: string;
  tab?: 'home' | 'messages';
  /** The Home tab as last published (FakeSlack.homeView), sent with tab "home" once there is one. */
  view?: Record<string, unknown>;
}

/** `app_home_opened`: someone opened the app's Home or Messages tab. */
export function appHomeOpened(input: AppHomeOpenedInput = {}): Record<string, unknown> {
  const tab = input.tab ?? 'home';
  return {
    type: 'app_home_opened',
    user: input.user ?? 'U0ALICE',
    channel: input.channel ?? 'D0DM',
    tab,
    ...(tab === 'home' && input.view ? { view: input.view } : {}),
    event_ts: nowTs(),
  };
}

// ---- messages from other bots -----------------------------------------------------------------

/**
 * The `message` event Slack sends for a message already in the workspace, such as another bot's
 * post seeded with FakeSlack.addBotMessage: the stored fields as they are, plus channel,
 * channel_type and event_ts.
 */
export function messageEventFor(
  message: Record<string, unknown> & { ts: string },
  channel: string,
  channelType?: ChannelKind,
): Record<string, unknown> {
  return {
    ...message,
    type: 'message',
    channel,
    event_ts: message.ts,
    channel_type: channelType ?? (channel.startsWith('D') ? 'im' : channel.startsWith('G') ? 'group' : 'channel'),
  };
}

/** AWS Chatbot (now "Amazon Q Developer in chat applications") as Slack knows it. */
export const AWS_CHATBOT = { appId: 'A6L22LZNH', botId: 'B0AWSCHATBOT', name: 'AWS Chatbot' } as const;

export interface CloudWatchAlarmInput {
  alarmName: string;
  region?: string;
  accountId?: string;
  state?: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA';
  previousState?: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA';
  reason?: string;
  description?: string;
  metric?: { namespace: string; name: string; dimensions?: Record<string, string> };
  threadTs?: string;
}

/** Attachment colours by alarm state, as alert integrations colour them. */
const ALARM_COLORS = { ALARM: '#D13212', OK: '#1D8102', INSUFFICIENT_DATA: '#FF9900' } as const;

/**
 * A CloudWatch alarm notification as AWS Chatbot posts it into a channel: a bot message with an
 * empty text and one coloured attachment (title linking to the alarm in the console, the state
 * change reason, fields for account, region, state and metric). AWS does not publish the exact
 * Slack payload; this follows its visible layout (slack.md). Seed it with FakeSlack.addBotMessage.
 */
export function cloudWatchAlarmNotification(input: CloudWatchAlarmInput): {
  botId: string;
  appId: string;
  botName: string;
  text: string;
  attachments: Array<Record<string, unknown>>;
  thread_ts?: string;
} {
  const region = input.region ?? 'us-east-1';
  const account = input.accountId ?? '123456789012';
  const state = input.state ?? 'ALARM';
  const previous = input.previousState ?? (state === 'ALARM' ? 'OK' : 'ALARM');
  const reason =
    input.reason ??
    'Threshold Crossed: 1 out of the last 1 datapoints [92.4 (01/01/26 00:00:00)] was greater than the threshold (80.0) (minimum 1 datapoint for OK -> ALARM transition).';
  const title = `${state === 'ALARM' ? ':rotating_light:' : ':white_check_mark:'} CloudWatch Alarm | ${input.alarmName} | ${region} | Account: ${account}`;
  const link = `https://console.aws.amazon.com/cloudwatch/home?region=${region}#alarmsV2:alarm/${encodeURIComponent(input.alarmName)}`;
  const metric = input.metric ?? { namespace: 'AWS/EC2', name: 'CPUUtilization', dimensions: { InstanceId: 'i-0123456789abcdef0' } };
  const dimensions = Object.entries(metric.dimensions ?? {}).map(([key, value]) => `${key} = ${value}`).join(', ');
  return {
    botId: AWS_CHATBOT.botId,
    appId: AWS_CHATBOT.appId,
    botName: AWS_CHATBOT.name,
    text: '',
    attachments: [
      {
        color: ALARM_COLORS[state],
        fallback: `CloudWatch Alarm | ${input.alarmName} | ${region} | Account: ${account}`,
        title,
        title_link: link,
        text: `${input.description ? `${input.description}\n` : ''}${reason}`,
        fields: [
          { title: 'Alarm Name', value: input.alarmName, short: true },
          { title: 'State', value: `${previous} → ${state}`, short: true },
          { title: 'Metric', value: `${metric.namespace} ${metric.name}${dimensions ? ` (${dimensions})` : ''}`, short: false },
          { title: 'Region', value: region, short: true },
          { title: 'Account', value: account, short: true },
        ],
        mrkdwn_in: ['text'],
      },
    ],
    ...(input.threadTs ? { thread_ts: input.threadTs } : {}),
  };
}

// ---- forms as a broken or hostile client writes them ------------------------------------------

/**
 * A slash command from form fields given one by one, so that a field can come twice (`text=a&text=b`
 * arrives as an array after form parsing) or be left out; signed like any request.
 */
export function sendCommandForm(url: string, secret: string, fields: Array<[name: string, value: string]>, options: SignOptions = {}): Promise<SlackHttpResult> {
  return postSigned(url, secret, new URLSearchParams(fields).toString(), 'application/x-www-form-urlencoded', options);
}
