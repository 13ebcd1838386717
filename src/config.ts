/**
 * The one place that reads process.env. Every setting is validated once at start-up; a bad
 * value stops the process with one message listing every problem, never a stack trace.
 * Each variable is documented in README.md and .env.example — keep the three in step.
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { priceOverrideProblems } from './usage/prices.js';

export const ROLES = ['all', 'web', 'worker'] as const;
export type Role = (typeof ROLES)[number];

const commaList = z
  .string()
  .default('')
  .transform((raw) =>
    raw
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0),
  );

const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

const optionalUrl = z.url().optional();

const envSchema = z.object({
    ROLE: z.enum(ROLES).default('all'),

    SLACK_BOT_TOKEN: z.string({ error: 'is required (the bot token, xoxb-…)' }).startsWith('xoxb-', 'must start with xoxb-'),
    SLACK_SIGNING_SECRET: z.string().min(1).optional(),
    SLACK_APP_TOKEN: z.string().startsWith('xapp-', 'must start with xapp-').optional(),
    SLACK_API_URL: optionalUrl,
    PORT: int(0, 65535).default(3000),
    WORKER_HEALTH_PORT: int(0, 65535).default(3001),

    ANTHROPIC_API_KEY: z.string({ error: 'is required (your Anthropic API key)' }).min(1),
    ANTHROPIC_BASE_URL: optionalUrl,
    ANTHROPIC_MODEL: z.string().min(1).default('claude-haiku-4-5'),
    ANTHROPIC_TEMPERATURE: z
      .union([z.literal('none'), z.coerce.number().min(0, 'must be between 0 and 1 (or none)').max(1, 'must be between 0 and 1 (or none)')])
      .default(0.7),
    ANTHROPIC_MAX_TOKENS: int(1, 64_000).default(1000),
    ANTHROPIC_TIMEOUT_MS: int(1000).default(120_000),
    MODEL_MAX_ATTEMPTS: int(1, 20).default(5),
    MODEL_RETRY_BASE_MS: int(1).default(1000),
    MODEL_RETRY_MAX_MS: int(1).default(30_000),
    SYSTEM_PROMPT: z.string().min(1).optional(),
    HISTORY_TOKEN_BUDGET: int(200).default(12_000),
    MAX_QUESTION_CHARS: int(100).default(12_000),

    REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').default('redis://127.0.0.1:6379'),
    QUEUE_PREFIX: z
      .string()
      .min(1)
      .refine((prefix) => !prefix.includes(':'), 'must not contain ":" (BullMQ adds its own separators)')
      .default('aws-orchestrator'),
    WORKER_CONCURRENCY: int(1, 1000).default(16),
    JOB_LOCK_MS: int(1000).default(30_000),
    JOB_STALLED_INTERVAL_MS: int(500).default(15_000),
    SHUTDOWN_GRACE_MS: int(0).default(25_000),

    SLACK_STREAMING: z.enum(['auto', 'native', 'update']).default('auto'),
    SLACK_UPDATE_INTERVAL_MS: int(100).default(1000),
    SLACK_UPDATES_PER_MINUTE: int(1).default(50),
    SLACK_MAX_MESSAGE_CHARS: int(500, 39_000).default(3900),
    THREAD_CACHE_TTL_SECONDS: int(0).default(120),

    USAGE_RETENTION_DAYS: int(1).default(90),
    ADMIN_USER_IDS: commaList,
    USER_QUESTIONS_PER_MINUTE: int(0).default(10),
    USER_DAILY_TOKEN_BUDGET: int(0).default(200_000),
    WORKSPACE_DAILY_TOKEN_BUDGET: int(0).default(5_000_000),
    ANSWER_CACHE: z.stringbool().default(true),
    ANSWER_CACHE_TTL_SECONDS: int(1).default(86_400),
    MODEL_PRICES_JSON: z.string().optional(),

    ALLOWED_TEAM_IDS: commaList,
    ALLOWED_CHANNEL_IDS: commaList,
    ALLOWED_USER_IDS: commaList,

    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
    DASHBOARD_PATH: z.string().startsWith('/').optional(),
    DASHBOARD_USER: z.string().min(1).optional(),
    DASHBOARD_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
});

type Env = z.infer<typeof envSchema>;

export interface Config {
  role: Role;
  slack: {
    botToken: string;
    signingSecret: string | undefined;
    appToken: string | undefined;
    apiUrl: string | undefined;
    socketMode: boolean;
    port: number;
    workerHealthPort: number;
    streaming: 'auto' | 'native' | 'update';
    updateIntervalMs: number;
    updatesPerMinute: number;
    maxMessageChars: number;
    threadCacheTtlSeconds: number;
  };
  model: {
    apiKey: string;
    baseUrl: string | undefined;
    name: string;
    /** undefined when ANTHROPIC_TEMPERATURE=none: see model/claude.ts on API versions. */
    temperature: number | undefined;
    maxTokens: number;
    timeoutMs: number;
    maxAttempts: number;
    retryBaseMs: number;
    retryMaxMs: number;
    systemPrompt: string | undefined;
    historyTokenBudget: number;
    maxQuestionChars: number;
    pricesJson: string | undefined;
  };
  queue: {
    redisUrl: string;
    prefix: string;
    concurrency: number;
    lockMs: number;
    stalledIntervalMs: number;
    shutdownGraceMs: number;
  };
  usage: {
    retentionDays: number;
    adminUserIds: string[];
    userQuestionsPerMinute: number;
    userDailyTokenBudget: number;
    workspaceDailyTokenBudget: number;
    answerCache: boolean;
    answerCacheTtlSeconds: number;
  };
  access: {
    teamIds: string[];
    channelIds: string[];
    userIds: string[];
  };
  ops: {
    logLevel: Env['LOG_LEVEL'];
    logFormat: Env['LOG_FORMAT'];
    dashboard: { path: string; user: string; password: string } | undefined;
  };
}

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
export function roleFromArgs(argv: readonly string[]): string | undefined {
  const index = argv.findIndex((arg) => arg === '--role' || arg.startsWith('--role='));
  if (index === -1) return undefined;
  const arg = argv[index]!;
  return arg.includes('=') ? arg.slice('--role='.length) : argv[index + 1];
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, argv: readonly string[] = []): Config {
  const blankAsUnset = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const role = roleFromArgs(argv);
  const raw = role ? { ...blankAsUnset, ROLE: role } : blankAsUnset;
  const parsed = envSchema.safeParse(raw);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'} ${issue.message}`)),
    ...crossFieldProblems(raw),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  return toConfig(parsed.data);
}

/**
 * The model's settings alone, for tools that talk to the model without Slack or Redis
 * (`npm run ask`): the same variables, validated by the same rules as in loadConfig.
 */
const modelEnvSchema = envSchema.pick({
  ANTHROPIC_API_KEY: true,
  ANTHROPIC_BASE_URL: true,
  ANTHROPIC_MODEL: true,
  ANTHROPIC_TEMPERATURE: true,
  ANTHROPIC_MAX_TOKENS: true,
  ANTHROPIC_TIMEOUT_MS: true,
  MODEL_MAX_ATTEMPTS: true,
  MODEL_RETRY_BASE_MS: true,
  MODEL_RETRY_MAX_MS: true,
  SYSTEM_PROMPT: true,
  HISTORY_TOKEN_BUDGET: true,
  MAX_QUESTION_CHARS: true,
  MODEL_PRICES_JSON: true,
});

export function loadModelConfig(env: NodeJS.ProcessEnv = process.env): Config['model'] {
  const raw = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = modelEnvSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'} ${issue.message}`));
  return toModelConfig(parsed.data);
}

function toModelConfig(env: z.infer<typeof modelEnvSchema>): Config['model'] {
  return {
    apiKey: env.ANTHROPIC_API_KEY,
    baseUrl: env.ANTHROPIC_BASE_URL,
    name: env.ANTHROPIC_MODEL,
    temperature: env.ANTHROPIC_TEMPERATURE === 'none' ? undefined : env.ANTHROPIC_TEMPERATURE,
    maxTokens: env.ANTHROPIC_MAX_TOKENS,
    timeoutMs: env.ANTHROPIC_TIMEOUT_MS,
    maxAttempts: env.MODEL_MAX_ATTEMPTS,
    retryBaseMs: env.MODEL_RETRY_BASE_MS,
    retryMaxMs: env.MODEL_RETRY_MAX_MS,
    systemPrompt: env.SYSTEM_PROMPT,
    historyTokenBudget: env.HISTORY_TOKEN_BUDGET,
    maxQuestionChars: env.MAX_QUESTION_CHARS,
    pricesJson: env.MODEL_PRICES_JSON,
  };
}

/** Rules between settings, checked on the raw values so they are reported with every other problem. */
function crossFieldProblems(raw: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  const runsWeb = raw.ROLE !== 'worker';
  if (runsWeb && !raw.SLACK_APP_TOKEN && !raw.SLACK_SIGNING_SECRET) {
    problems.push('SLACK_SIGNING_SECRET is required in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)');
  }
  if (raw.DASHBOARD_PATH && !(raw.DASHBOARD_USER && raw.DASHBOARD_PASSWORD)) {
    problems.push('DASHBOARD_PATH needs DASHBOARD_USER and DASHBOARD_PASSWORD: the queue dashboard is never served without authentication');
  }
  problems.push(...priceOverrideProblems(raw.MODEL_PRICES_JSON));
  return problems;
}

function toConfig(env: Env): Config {
  return {
    role: env.ROLE,
    slack: {
      botToken: env.SLACK_BOT_TOKEN,
      signingSecret: env.SLACK_SIGNING_SECRET,
      appToken: env.SLACK_APP_TOKEN,
      apiUrl: env.SLACK_API_URL,
      socketMode: env.SLACK_APP_TOKEN !== undefined,
      port: env.PORT,
      workerHealthPort: env.WORKER_HEALTH_PORT,
      streaming: env.SLACK_STREAMING,
      updateIntervalMs: env.SLACK_UPDATE_INTERVAL_MS,
      updatesPerMinute: env.SLACK_UPDATES_PER_MINUTE,
      maxMessageChars: env.SLACK_MAX_MESSAGE_CHARS,
      threadCacheTtlSeconds: env.THREAD_CACHE_TTL_SECONDS,
    },
    model: toModelConfig(env),
    queue: {
      redisUrl: env.REDIS_URL,
      prefix: env.QUEUE_PREFIX,
      concurrency: env.WORKER_CONCURRENCY,
      lockMs: env.JOB_LOCK_MS,
      stalledIntervalMs: env.JOB_STALLED_INTERVAL_MS,
      shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
    },
    usage: {
      retentionDays: env.USAGE_RETENTION_DAYS,
      adminUserIds: env.ADMIN_USER_IDS,
      userQuestionsPerMinute: env.USER_QUESTIONS_PER_MINUTE,
      userDailyTokenBudget: env.USER_DAILY_TOKEN_BUDGET,
      workspaceDailyTokenBudget: env.WORKSPACE_DAILY_TOKEN_BUDGET,
      answerCache: env.ANSWER_CACHE,
      answerCacheTtlSeconds: env.ANSWER_CACHE_TTL_SECONDS,
    },
    access: {
      teamIds: env.ALLOWED_TEAM_IDS,
      channelIds: env.ALLOWED_CHANNEL_IDS,
      userIds: env.ALLOWED_USER_IDS,
    },
    ops: {
      logLevel: env.LOG_LEVEL,
      logFormat: env.LOG_FORMAT,
      dashboard:
        env.DASHBOARD_PATH && env.DASHBOARD_USER && env.DASHBOARD_PASSWORD
          ? { path: env.DASHBOARD_PATH, user: env.DASHBOARD_USER, password: env.DASHBOARD_PASSWORD }
          : undefined,
    },
  };
}
