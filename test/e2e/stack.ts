import { startFakeAnthropic, type FakeAnthropic } from '../fakes/anthropic.js';
import { startFakeAws, type FakeAws } from '../fakes/aws.js';
import { FakeMcpServer } from '../fakes/mcp.js';
import { startFakeSlack, type FakeSlack, type FakeSlackOptions, type SlackMessage } from '../fakes/slack.js';
import { baseEnv, slackEventsUrl, startBot, type BotProcess, type Role } from '../support/bot.js';
import { startRedis, type RedisServer } from '../support/redis.js';
import { appMention, messageEvent, sendEvent, SIGNING_SECRET, type SendEventOptions, type SlackHttpResult } from '../support/slack-requests.js';

/**
 * One end-to-end world: a real redis-server of its own, the fake Slack and Anthropic APIs, and
 * the bot started as users start it (a child process running src/main.ts). Each test file makes
 * its own, so files can run in parallel without sharing any state.
 */
export interface Stack {
  slack: FakeSlack;
  anthropic: FakeAnthropic;
  /** The fake AWS Knowledge MCP server, when the stack was started with `docs`. */
  docs: FakeMcpServer | undefined;
  /** The fake AWS account, when the stack was started with `awsAccount`. */
  aws: FakeAws | undefined;
  redis: RedisServer;
  bots: BotProcess[];
  /** The port of the web process started last (Slack request URL, health). */
  readonly port: number;
  readonly eventsUrl: string;
  env: Record<string, string>;
  startBot(role?: Role, extraEnv?: Record<string, string>): Promise<BotProcess>;
  /** Posts a user's message into the fake workspace and delivers it as `app_mention`. */
  mention(text: string, options?: AskOptions): Promise<Asked>;
  /** Posts a user's message and delivers it as a `message` event (DMs, thread replies). */
  message(text: string, options?: AskOptions): Promise<Asked>;
  /** Waits until the bot's answer to `asked` is final (no Stop button) and returns it. */
  finalAnswer(asked: Asked, timeoutMs?: number): Promise<SlackMessage>;
  stop(): Promise<void>;
}

export interface AskOptions {
  channel?: string;
  user?: string;
  threadTs?: string;
  send?: SendEventOptions;
}

export interface Asked {
  ts: string;
  channel: string;
  threadTs: string;
  response: SlackHttpResult;
}

export interface StackOptions {
  env?: Record<string, string>;
  slack?: FakeSlackOptions;
  /** Roles to start; default one process running everything. */
  roles?: Role[];
  /** Documentation look-ups against a fake AWS Knowledge MCP server (the bot is ready once it is connected). */
  docs?: boolean;
  /** Read-only account access to a fake AWS account, allowed in these channels (ids and `dm`). */
  awsAccount?: { channels: string[] };
}

export const BOT_USER = 'UBOT';
export const ALICE = 'U0ALICE';
export const GENERAL = 'C0GENERAL';

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const [slack, anthropic, redis, docs, aws] = await Promise.all([
    startFakeSlack(options.slack),
    startFakeAnthropic(),
    startRedis(),
    options.docs ? FakeMcpServer.start() : undefined,
    options.awsAccount ? startFakeAws() : undefined,
  ]);
  const env = {
    ...baseEnv({ slack, anthropic, redis }),
    // Tests must not wait a real second between visible updates or for a dead worker's lock.
    SLACK_UPDATE_INTERVAL_MS: '200',
    JOB_LOCK_MS: '4000',
    JOB_STALLED_INTERVAL_MS: '1000',
    MODEL_RETRY_BASE_MS: '50',
    MODEL_RETRY_MAX_MS: '400',
    // Usage limits and answer reuse have their own files (usage.test.ts, caching.test.ts), which
    // turn them on; elsewhere a question asked twice, or quickly, must reach the model each time.
    USER_QUESTIONS_PER_MINUTE: '0',
    USER_DAILY_TOKEN_BUDGET: '0',
    WORKSPACE_DAILY_TOKEN_BUDGET: '0',
    ANSWER_CACHE: 'false',
    ...(docs ? { AWS_DOCS_MCP_URL: docs.url } : {}),
    ...(aws && options.awsAccount ? { ...aws.env, AWS_ACCOUNT_ACCESS: 'on', AWS_ACCOUNT_CHANNELS: options.awsAccount.channels.join(','), AWS_ACCOUNT_REGIONS: 'eu-west-1,us-east-1' } : {}),
    ...options.env,
  };
  const bots: BotProcess[] = [];
  let port = 0;

  const stack: Stack = {
    slack,
    anthropic,
    docs,
    aws,
    redis,
    bots,
    get port() {
      return port;
    },
    get eventsUrl() {
      return slackEventsUrl(port);
    },
    env,
    async startBot(role = 'all', extraEnv = {}) {
      const bot = await startBot({ ...env, ...extraEnv }, { role });
      bots.push(bot);
      if (role !== 'worker' && bot.port) port = bot.port;
      if (docs && role !== 'web') await bot.waitForLog((log) => log.msg === 'MCP server connected');
      return bot;
    },
    async mention(text, ask = {}) {
      return deliver(stack, text, ask, (input) => appMention(input));
    },
    async message(text, ask = {}) {
      return deliver(stack, text, ask, (input) => messageEvent(input));
    },
    async finalAnswer(asked, timeoutMs = 15_000) {
      return slack.waitFor(() => {
        const replies = slack.messagesIn(asked.channel, asked.threadTs).filter((message) => message.user === BOT_USER && message.ts !== asked.ts);
        const answer = replies.find((message) => isFinal(message) && message.metadata?.event_payload?.kind === 'answer');
        return answer;
      }, timeoutMs);
    },
    async stop() {
      await Promise.all(bots.filter((bot) => !bot.exit).map((bot) => bot.kill('SIGKILL')));
      await Promise.all([slack.close(), anthropic.close(), redis.stop(), docs?.close(), aws?.close()]);
    },
  };
  for (const role of options.roles ?? ['all']) await stack.startBot(role);
  return stack;
}

async function deliver(
  stack: Stack,
  text: string,
  ask: AskOptions,
  build: (input: { channel: string; user: string; text: string; ts: string; thread_ts?: string }) => Record<string, unknown>,
): Promise<Asked> {
  const channel = ask.channel ?? GENERAL;
  const user = ask.user ?? ALICE;
  const posted = stack.slack.addMessage(channel, { user, text, ...(ask.threadTs ? { thread_ts: ask.threadTs } : {}) });
  const event = build({ channel, user, text, ts: posted.ts, ...(ask.threadTs ? { thread_ts: ask.threadTs } : {}) });
  const response = await sendEvent(stack.eventsUrl, SIGNING_SECRET, event, ask.send);
  return { ts: posted.ts, channel, threadTs: ask.threadTs ?? posted.ts, response };
}

/** The bot's answer is final once its controls no longer offer Stop. */
export function isFinal(message: SlackMessage): boolean {
  const blocks = (message.blocks ?? []) as Array<{ type?: string; elements?: Array<{ action_id?: string }> }>;
  const actions = blocks.find((block) => block.type === 'actions');
  return !actions?.elements?.some((element) => element.action_id === 'answer_stop');
}

/** Every text a message showed, oldest first. */
export function shownTexts(stack: Stack, channel: string, ts: string): string[] {
  return stack.slack.history(channel, ts).map((version) => version.text ?? '');
}
