/**
 * The one place that reads process.env. Every setting is written once, below: its variable, how
 * it is validated, its default and what it means. The `Config` type, the README's configuration
 * table and .env.example follow from it (test/unit/settings-docs.test.ts holds them to it). A bad
 * value stops the process with one message listing every problem, never a stack trace.
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { DIRECT_MESSAGES, IAM_ROLE_ARN, isAwsRegionName, isSlackChannelId } from './core/aws-names.js';
import { DEFAULT_AWS_DOCS_MCP_URL, teamServersSchema } from './core/mcp-servers.js';
import { temperatureProblem } from './core/model-families.js';
import { priceOverrideProblems } from './core/prices.js';

const ROLES = ['all', 'web', 'worker'] as const;
export type Role = (typeof ROLES)[number];

/** One environment variable: its schema, its default (as it would be written in .env) and what it is for. */
interface Setting<T> {
  readonly variable: string;
  readonly schema: z.ZodType<T>;
  readonly fallback: string | undefined;
  readonly doc: string;
}

function setting<T>(variable: string, schema: z.ZodType<T>, doc: string, fallback?: string): Setting<T> {
  return { variable, schema, fallback, doc };
}

const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);
const text = () => z.string().min(1);
const optionalText = () => z.string().min(1).optional();
const url = () => z.url({ error: 'must be a URL' });
const commaList = () =>
  z
    .string()
    .optional()
    .transform((raw) => (raw ?? '').split(',').map((item) => item.trim()).filter((item) => item.length > 0));
/** `host:port,[ipv6]:port`, as the Redis settings take them. */
const hostPorts = () =>
  commaList().pipe(
    z.array(z.string().regex(/^(?:\[[\da-f:.]+\]|[\w.-]+):\d{1,5}$/i, 'must be a comma-separated list of host:port')).transform((items) =>
      items.map((item) => {
        const at = item.lastIndexOf(':');
        return { host: item.slice(0, at).replace(/^\[(.*)\]$/, '$1'), port: Number(item.slice(at + 1)) };
      }),
    ),
  );
const onOff = () => z.enum(['on', 'off'], { error: 'must be on or off' }).transform((value) => value === 'on');

/** Every setting, grouped as the code uses them. */
const SETTINGS = {
  role: setting('ROLE', z.enum(ROLES), 'Which roles this process runs: `all` (web and worker), `web` (Slack requests) or `worker` (answers). `--role` on the command line wins.', 'all'),
  slack: {
    botToken: setting('SLACK_BOT_TOKEN', z.string({ error: 'is required (the bot token, xoxb-…)' }).startsWith('xoxb-', 'must start with xoxb-'), 'The bot token (`xoxb-…`). Required.'),
    signingSecret: setting('SLACK_SIGNING_SECRET', optionalText(), 'Verifies that HTTP requests come from Slack. Required in HTTP mode (the web role without SLACK_APP_TOKEN).'),
    appToken: setting('SLACK_APP_TOKEN', z.string().startsWith('xapp-', 'must start with xapp-').optional(), 'An app-level token (`xapp-…`, scope `connections:write`): connects over Socket Mode instead of HTTP, no public URL needed.'),
    apiUrl: setting('SLACK_API_URL', url().optional(), "Base URL of Slack's Web API (for a proxy or the tests' fake Slack)."),
    port: setting('PORT', int(0, 65535), "The web role's HTTP port: Slack's request URL `/slack/events`, `/healthz`, `/readyz`, `/metrics`.", '3000'),
    workerHealthPort: setting('WORKER_HEALTH_PORT', int(0, 65535), "A worker started alone serves `/healthz`, `/readyz` and `/metrics` here (0: none).", '3001'),
    streaming: setting('SLACK_STREAMING', z.enum(['auto', 'native', 'update']), "How answers appear as they are written: `auto` streams with Slack's text-streaming methods in DMs and the assistant panel and updates the message in channels; `native` streams wherever Slack accepts it; `update` always updates the message.", 'auto'),
    updateIntervalMs: setting('SLACK_UPDATE_INTERVAL_MS', int(100), 'Least time between two visible updates of one answer.', '1000'),
    updatesPerMinute: setting('SLACK_UPDATES_PER_MINUTE', int(1), 'Calls to `chat.update` Slack accepts per minute and workspace (Tier 3: 50; lower for apps outside the Marketplace).', '50'),
    rateWindowMs: setting('SLACK_RATE_WINDOW_MS', int(1000), "The window Slack counts its rate limits over, in ms (Slack's: a minute). Only the tests and the benchmark shorten it, with the fake Slack's clock.", '60000'),
    placeholderAfterMs: setting('SLACK_PLACEHOLDER_AFTER_MS', int(0), 'How long after a question an answer with no words yet shows "Thinking…" (0: at once), and a question still waiting for a worker gets its "in line" message; an answer whose first words come sooner is posted with them.', '2000'),
    maxMessageChars: setting('SLACK_MAX_MESSAGE_CHARS', int(500, 39_000), 'Longest answer message; longer answers continue in follow-up messages in the thread.', '3900'),
    threadCacheTtlSeconds: setting('THREAD_CACHE_TTL_SECONDS', int(0), 'How long a read of a thread is reused by the next question in it (0: always read again).', '120'),
  },
  model: {
    apiKey: setting('ANTHROPIC_API_KEY', z.string({ error: 'is required (your Anthropic API key)' }).min(1), 'Your Anthropic API key. Required.'),
    baseUrl: setting('ANTHROPIC_BASE_URL', url().optional(), "Base URL of Anthropic's API (for a gateway or the tests' fake)."),
    name: setting('ANTHROPIC_MODEL', text(), 'The model: Claude Haiku 5.5, the current Haiku, by default; any Messages API model id works (`claude-haiku-4-5` is the legacy Haiku).', 'claude-haiku-5-5'),
    temperature: setting('ANTHROPIC_TEMPERATURE', z.coerce.number({ error: 'must be a number' }).min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').optional(), 'Sampling temperature, sent only when set and only to models that take one (Claude Haiku 4.5: 0–1, sent on API version 2023-06-01). Haiku 5.5 samples its own way: setting it there stops the bot at start-up.'),
    effort: setting('ANTHROPIC_EFFORT', z.enum(['low', 'medium', 'high', 'xhigh', 'max']), 'How much effort the model puts into an answer (`output_config.effort`), for models that take it. `low` answers fastest; see "Model settings".', 'low'),
    thinking: setting('ANTHROPIC_THINKING', z.enum(['adaptive', 'disabled']), '`adaptive`: the model decides when to think first (never shown to anyone); `disabled` (effort low, medium or high only). For models that think.', 'adaptive'),
    thinkingTokens: setting('ANTHROPIC_THINKING_TOKENS', int(0, 120_000), "Output tokens added to ANTHROPIC_MAX_TOKENS when the model may think, because thinking counts toward max_tokens: the answer keeps its own allowance.", '4000'),
    maxTokens: setting('ANTHROPIC_MAX_TOKENS', int(1, 64_000), "The answer's length limit in tokens; past it the answer ends with a Continue button.", '1000'),
    fallbackModel: setting('ANTHROPIC_FALLBACK_MODEL', optionalText(), 'One attempt on this model when the model declines to answer or stays overloaded after every retry; the answer says which model wrote it.'),
    timeoutMs: setting('ANTHROPIC_TIMEOUT_MS', int(1000), 'Longest wait for the model to start answering, and for the next piece of a stream.', '120000'),
    maxAttempts: setting('MODEL_MAX_ATTEMPTS', int(1, 20), 'Attempts per model request on rate limits, overloads, 5xx and dropped streams (backoff with jitter, honouring retry-after).', '5'),
    retryBaseMs: setting('MODEL_RETRY_BASE_MS', int(1), 'First backoff delay between attempts.', '1000'),
    retryMaxMs: setting('MODEL_RETRY_MAX_MS', int(1), 'Longest backoff delay between attempts.', '30000'),
    systemPrompt: setting('SYSTEM_PROMPT', optionalText(), "Replaces the bot's role and answering rules (src/model/system-prompt.ts); today's date and the tools' guidance are added to it."),
    historyTokenBudget: setting('HISTORY_TOKEN_BUDGET', int(200), 'Estimated tokens of thread history sent with a question (the newest messages are kept).', '12000'),
    maxQuestionChars: setting('MAX_QUESTION_CHARS', int(100), 'Longest text read from one message; longer ones are cut, and the answer says so.', '12000'),
    pricesJson: setting('MODEL_PRICES_JSON', optionalText(), 'Prices per million tokens on top of the built-in table, e.g. `{"my-model":{"input":1,"output":5,"longPrompt":{"aboveTokens":100000,"input":2,"output":10}}}`.'),
  },
  tools: {
    docsMcpUrl: setting('AWS_DOCS_MCP_URL', z.union([z.literal('off'), url()]), "The AWS Knowledge MCP server the model searches AWS documentation with; `off` turns documentation look-ups off.", DEFAULT_AWS_DOCS_MCP_URL),
    teamServers: setting('MCP_SERVERS', teamServersSchema, 'A JSON list of a team\'s own MCP servers (Streamable HTTP), e.g. `[{"name":"runbooks","url":"https://…","headers":{"Authorization":"Bearer …"},"allowedTools":["search"],"reuseSeconds":300}]`: each server\'s tools are offered as `<name>__<tool>`.'),
    refreshSeconds: setting('MCP_REFRESH_SECONDS', int(0), "How often the MCP servers' tool lists are read again (0: only when a server says they changed).", '600'),
    maxRounds: setting('TOOL_MAX_ROUNDS', int(0, 20), 'Rounds of tool calls per answer; after the last the model answers with what it has (0: no tools).', '4'),
    timeoutMs: setting('TOOL_TIMEOUT_MS', int(100), 'Longest wait for one tool call.', '20000'),
    resultTokens: setting('TOOL_RESULT_TOKENS', int(100), 'Longest tool result given to the model, in estimated tokens.', '6000'),
    accountAccess: setting('AWS_ACCOUNT_ACCESS', onOff(), "`on` lets the model read the team's own AWS account with read-only tools, in the channels AWS_ACCOUNT_CHANNELS lists.", 'off'),
    accountRoleArn: setting('AWS_ACCOUNT_ROLE_ARN', z.string().regex(IAM_ROLE_ARN, 'must be an IAM role ARN such as arn:aws:iam::123456789012:role/aws-orchestrator-readonly').optional(), "A role assumed for account reads (session name `slack-<team>-<user>`, so CloudTrail shows who asked); without it, the AWS SDK's default credentials are used."),
    accountChannels: setting(
      'AWS_ACCOUNT_CHANNELS',
      commaList().pipe(z.array(z.string().refine((item) => item.toLowerCase() === DIRECT_MESSAGES || isSlackChannelId(item.toUpperCase()), 'lists something that is neither a channel id (C…, G…, D…) nor dm')).transform((items) => items.map((item) => (item.toLowerCase() === DIRECT_MESSAGES ? DIRECT_MESSAGES : item.toUpperCase())))),
      'Channel ids where account questions are allowed, and `dm` for direct messages and the assistant panel. Required with AWS_ACCOUNT_ACCESS=on.',
    ),
    accountRegions: setting('AWS_ACCOUNT_REGIONS', commaList().pipe(z.array(z.string().refine(isAwsRegionName, 'lists something that is not a region name such as eu-west-1'))), 'Regions the account tools may read; the first is the default (unset: AWS_REGION, then AWS_DEFAULT_REGION).'),
    accountCallsPerHour: setting('USER_ACCOUNT_CALLS_PER_HOUR', int(0), 'Account reads one person may cause per hour (0: no limit).', '60'),
  },
  queue: {
    redisUrl: setting('REDIS_URL', z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL'), 'Redis for the queue and shared state (single node). With Cluster or Sentinel its user, password, TLS (`rediss://`) and database still apply. Persistence matters: see "Production".', 'redis://127.0.0.1:6379'),
    clusterNodes: setting('REDIS_CLUSTER_NODES', hostPorts(), 'Redis Cluster seed nodes, `host:port,host:port` (ElastiCache cluster mode, Memorystore Cluster). QUEUE_PREFIX must then carry a hash tag.'),
    sentinels: setting('REDIS_SENTINELS', hostPorts(), 'Redis Sentinel addresses, `host:port,host:port`; with REDIS_SENTINEL_NAME.'),
    sentinelName: setting('REDIS_SENTINEL_NAME', optionalText(), 'The master name the sentinels watch.'),
    prefix: setting('QUEUE_PREFIX', z.string().min(1).refine((prefix) => !prefix.includes(':'), 'must not contain ":" (BullMQ adds its own separators)'), 'Prefix of every Redis key the bot writes; on Redis Cluster give it a hash tag, e.g. `{aws-orchestrator}`.', 'aws-orchestrator'),
    concurrency: setting('WORKER_CONCURRENCY', int(1, 1000), 'Answers one worker process writes at once. An answer mostly waits for the model, and Slack\'s limits are kept by the shared scheduler, not by this number.', '100'),
    lockMs: setting('JOB_LOCK_MS', int(1000), "How long a job stays with a worker that stopped renewing its lock (a crash) before another takes it.", '30000'),
    stalledIntervalMs: setting('JOB_STALLED_INTERVAL_MS', int(500), 'How often workers look for jobs whose worker died.', '15000'),
    shutdownGraceMs: setting('SHUTDOWN_GRACE_MS', int(0), 'On SIGTERM, how long answers in flight may finish before they are handed to another worker.', '25000'),
  },
  usage: {
    retentionDays: setting('USAGE_RETENTION_DAYS', int(1), 'Days of usage and feedback counts kept.', '90'),
    adminUserIds: setting('ADMIN_USER_IDS', commaList(), 'Slack user ids who see workspace figures in `/aws usage` and the Home tab, and may stop or retry anyone\'s answer.'),
    userQuestionsPerMinute: setting('USER_QUESTIONS_PER_MINUTE', int(0), 'Questions one person may ask per minute (0: no limit).', '10'),
    userDailyTokenBudget: setting('USER_DAILY_TOKEN_BUDGET', int(0), 'Tokens (input, cache writes and output) one person may use per UTC day (0: no limit).', '200000'),
    workspaceDailyTokenBudget: setting('WORKSPACE_DAILY_TOKEN_BUDGET', int(0), 'Tokens a workspace may use per UTC day (0: no limit).', '5000000'),
    answerCache: setting('ANSWER_CACHE', z.stringbool(), 'Reuse the answer to an identical first question, and share one model call among identical questions asked together.', 'true'),
    answerCacheTtlSeconds: setting('ANSWER_CACHE_TTL_SECONDS', int(1), 'How long a reusable answer is kept (less for answers that relied on looked-up pages).', '86400'),
  },
  access: {
    teamIds: setting('ALLOWED_TEAM_IDS', commaList(), 'Only these workspaces may use the bot (empty: any).'),
    channelIds: setting('ALLOWED_CHANNEL_IDS', commaList(), 'Only these channels, and `dm`, may use the bot (empty: any).'),
    userIds: setting('ALLOWED_USER_IDS', commaList(), 'Only these people may use the bot (empty: anyone).'),
  },
  ops: {
    logLevel: setting('LOG_LEVEL', z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), 'How much is logged: `fatal`, `error`, `warn`, `info`, `debug`, `trace`, or `silent`.', 'info'),
    logFormat: setting('LOG_FORMAT', z.enum(['json', 'pretty']), '`json` lines, or `pretty` for a terminal (needs the dev dependency pino-pretty).', 'json'),
    dashboardPath: setting('DASHBOARD_PATH', z.string().startsWith('/', 'must start with /').optional(), 'Serves the queue dashboard (Bull Board) at this path of the web role, behind basic authentication.'),
    dashboardUser: setting('DASHBOARD_USER', optionalText(), "The dashboard's user name."),
    dashboardPassword: setting('DASHBOARD_PASSWORD', z.string().min(8, 'must be at least 8 characters').optional(), "The dashboard's password (8 characters or more)."),
  },
};

type Resolved<Tree> = Tree extends Setting<infer T> ? T : { -readonly [Key in keyof Tree]: Resolved<Tree[Key]> };
type Settings = Resolved<typeof SETTINGS>;

export type Config = Settings & {
  slack: Settings['slack'] & { socketMode: boolean };
  ops: Settings['ops'] & { dashboard: { path: string; user: string; password: string } | undefined };
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads `.env` (or the file named by ENV_FILE; `none` reads nothing) into the environment when it
 * exists, without overriding variables already set (Node's own loader, so quoting rules are Node's).
 */
export function loadDotEnv(env: NodeJS.ProcessEnv = process.env): void {
  const path = env.ENV_FILE ?? '.env';
  if (path !== 'none' && existsSync(path)) process.loadEnvFile(path);
}

/** `--role web` on the command line wins over ROLE in the environment. */
function roleFromArgs(argv: readonly string[]): string | undefined {
  const index = argv.findIndex((arg) => arg === '--role' || arg.startsWith('--role='));
  if (index === -1) return undefined;
  const arg = argv[index]!;
  return arg.includes('=') ? arg.slice('--role='.length) : argv[index + 1];
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, argv: readonly string[] = []): Config {
  const role = roleFromArgs(argv);
  const raw = withoutBlanks(role ? { ...env, ROLE: role } : env);
  const { value, problems } = resolve(SETTINGS, raw);
  problems.push(...crossFieldProblems(raw));
  if (problems.length > 0) throw new ConfigError(problems);
  const settings = value as Settings;
  const { dashboardPath: path, dashboardUser: user, dashboardPassword: password } = settings.ops;
  const defaultRegion = regionFallback(raw);
  return {
    ...settings,
    tools: { ...settings.tools, accountRegions: settings.tools.accountRegions.length > 0 || !defaultRegion ? settings.tools.accountRegions : [defaultRegion] },
    slack: { ...settings.slack, socketMode: settings.slack.appToken !== undefined },
    ops: { ...settings.ops, dashboard: path && user && password ? { path, user, password } : undefined },
  };
}

/**
 * The model's settings alone, for tools that talk to the model without Slack or Redis
 * (`npm run ask`): the same variables, validated by the same rules as in loadConfig.
 */
export function loadModelConfig(env: NodeJS.ProcessEnv = process.env): Config['model'] {
  const raw = withoutBlanks(env);
  const { value, problems } = resolve(SETTINGS.model, raw);
  problems.push(...modelProblems(raw));
  if (problems.length > 0) throw new ConfigError(problems);
  return value as Config['model'];
}

/** Every setting, for the README table and .env.example (and the test that holds them to this file). */
export function settingsDocumentation(): Array<{ variable: string; fallback: string | undefined; doc: string; group: string }> {
  const rows: Array<{ variable: string; fallback: string | undefined; doc: string; group: string }> = [];
  const walk = (tree: object, group: string) => {
    for (const [key, node] of Object.entries(tree)) {
      if (isSetting(node)) rows.push({ variable: node.variable, fallback: node.fallback, doc: node.doc, group: group || key });
      else walk(node as object, group || key);
    }
  };
  walk(SETTINGS, '');
  return rows;
}

function isSetting(node: unknown): node is Setting<unknown> {
  return typeof node === 'object' && node !== null && 'variable' in node && 'schema' in node;
}

function withoutBlanks(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
}

function resolve(tree: object, raw: Record<string, string>): { value: Record<string, unknown>; problems: string[] } {
  const value: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, node] of Object.entries(tree)) {
    if (isSetting(node)) {
      const parsed = node.schema.safeParse(raw[node.variable] ?? node.fallback);
      if (parsed.success) value[key] = parsed.data;
      else problems.push(...parsed.error.issues.map((issue) => `${node.variable}${issue.message.startsWith('[') ? '' : ' '}${issue.message}`));
    } else {
      const inner = resolve(node as object, raw);
      value[key] = inner.value;
      problems.push(...inner.problems);
    }
  }
  return { value, problems };
}

/** Rules between settings, checked on the raw values so they are reported with every other problem. */
function crossFieldProblems(raw: Record<string, string>): string[] {
  const problems: string[] = [];
  const runsWeb = (raw.ROLE ?? 'all') !== 'worker';
  if (runsWeb && !raw.SLACK_APP_TOKEN && !raw.SLACK_SIGNING_SECRET) {
    problems.push('SLACK_SIGNING_SECRET is required in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)');
  }
  if (raw.DASHBOARD_PATH && !(raw.DASHBOARD_USER && raw.DASHBOARD_PASSWORD)) {
    problems.push('DASHBOARD_PATH needs DASHBOARD_USER and DASHBOARD_PASSWORD: the queue dashboard is never served without authentication');
  }
  if (raw.REDIS_CLUSTER_NODES && raw.REDIS_SENTINELS) problems.push('REDIS_CLUSTER_NODES and REDIS_SENTINELS are two different deployments: set one of them');
  if (raw.REDIS_SENTINELS && !raw.REDIS_SENTINEL_NAME) problems.push('REDIS_SENTINELS needs REDIS_SENTINEL_NAME: the master name the sentinels watch');
  if (raw.REDIS_CLUSTER_NODES && !hasHashTag(raw.QUEUE_PREFIX ?? '')) {
    problems.push('REDIS_CLUSTER_NODES needs a hash-tagged QUEUE_PREFIX such as {aws-orchestrator}: BullMQ and the bot keep related keys in one slot');
  }
  if (raw.AWS_ACCOUNT_ACCESS === 'on' && !raw.AWS_ACCOUNT_CHANNELS) {
    problems.push('AWS_ACCOUNT_ACCESS=on needs AWS_ACCOUNT_CHANNELS: the channels (or dm) where account questions are allowed');
  }
  const fallback = regionFallback(raw);
  if (raw.AWS_ACCOUNT_ACCESS === 'on' && !raw.AWS_ACCOUNT_REGIONS) {
    if (!fallback) problems.push('AWS_ACCOUNT_ACCESS=on needs AWS_ACCOUNT_REGIONS (or AWS_REGION): the regions the bot may read');
    else if (!isAwsRegionName(fallback)) problems.push(`AWS_ACCOUNT_REGIONS is unset and ${raw.AWS_REGION ? 'AWS_REGION' : 'AWS_DEFAULT_REGION'} ("${fallback.slice(0, 40)}"), read in its place, is not a region name such as eu-west-1`);
  }
  return [...problems, ...modelProblems(raw)];
}

/** The region the account tools read when AWS_ACCOUNT_REGIONS is unset: the SDK's own variables. */
function regionFallback(raw: Record<string, string>): string | undefined {
  return raw.AWS_REGION ?? raw.AWS_DEFAULT_REGION;
}

function modelProblems(raw: Record<string, string>): string[] {
  const problems = priceOverrideProblems(raw.MODEL_PRICES_JSON);
  const model = raw.ANTHROPIC_MODEL ?? SETTINGS.model.name.fallback!;
  const temperature = raw.ANTHROPIC_TEMPERATURE === undefined ? undefined : Number(raw.ANTHROPIC_TEMPERATURE);
  const problem = temperature === undefined || Number.isNaN(temperature) ? undefined : temperatureProblem(model, temperature);
  if (problem) problems.push(`ANTHROPIC_TEMPERATURE=${raw.ANTHROPIC_TEMPERATURE}: ${problem}`);
  if (raw.ANTHROPIC_THINKING === 'disabled' && ['xhigh', 'max'].includes(raw.ANTHROPIC_EFFORT ?? '')) {
    problems.push('ANTHROPIC_THINKING=disabled is only accepted at ANTHROPIC_EFFORT low, medium or high');
  }
  return problems;
}

/** A Redis Cluster hash tag: the first `{…}` with something inside. */
function hasHashTag(prefix: string): boolean {
  const open = prefix.indexOf('{');
  return open !== -1 && prefix.indexOf('}', open + 1) > open + 1;
}
