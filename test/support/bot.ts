/**
 * The bot as users start it: `node --import tsx src/main.ts` in the repository, configured only
 * through its environment, logging JSON lines. Tests read those lines to know when it is ready
 * and what it did, and kill it to test shutdown and crash recovery.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { trackChild } from './children.js';
import { SIGNING_SECRET } from './slack-requests.js';

export { SIGNING_SECRET } from './slack-requests.js';

/** The repository root, from this file's location (tests may run with any cwd). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export type Role = 'all' | 'web' | 'worker';
export type LogRecord = Record<string, unknown>;

export interface LogLine {
  stream: 'stdout' | 'stderr';
  raw: string;
  /** The line parsed, when it is a JSON object (pino writes one per line). */
  json?: LogRecord;
  at: number;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface BotProcess {
  pid: number;
  /** The environment it was started with (after scrubbing), e.g. to restart it identically. */
  env: Record<string, string>;
  /** Every output line as it arrived. */
  lines: LogLine[];
  /** The JSON log records, in order. */
  logs: LogRecord[];
  /** All output as text, for failure messages. */
  output(): string;
  /** Resolves with the first log record (past or future) matching; rejects on timeout or exit. */
  waitForLog(predicate: (log: LogRecord) => boolean, timeoutMs?: number): Promise<LogRecord>;
  /** Sends `signal` and resolves when the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<ExitInfo>;
  exited: Promise<ExitInfo>;
  /** Set once the process has exited. */
  exit: ExitInfo | undefined;
  /**
   * The port it serves HTTP on, from its start-up log, once ready: PORT for the web role and `all`,
   * WORKER_HEALTH_PORT for a worker that has one. Tests give PORT=0 and read the OS's choice here.
   */
  port: number | undefined;
}

export interface StartBotOptions {
  role?: Role;
  args?: string[];
  /** How long to wait for the `ready` log line (default 45 s). */
  readyTimeoutMs?: number;
  /** Resolve as soon as the process is spawned instead of at `ready` (for start-up failure tests). */
  waitForReady?: boolean;
  /**
   * Entry file relative to the repository; default src/main.ts. A TypeScript entry runs through
   * tsx, a JavaScript one (a compiled build, as the bench runs it) on node alone.
   */
  script?: string;
  /** Options for node itself, such as --cpu-prof (which NODE_OPTIONS does not accept). */
  nodeArgs?: string[];
}

/** Variables a developer's shell may carry that would leak into the bot's configuration. */
const SCRUBBED_PREFIXES = ['SLACK_', 'ANTHROPIC_', 'REDIS_', 'VITEST', 'AWS_', 'MCP_', 'TOOL_'];
const SCRUBBED_KEYS = new Set(['ROLE', 'PORT', 'WORKER_HEALTH_PORT', 'QUEUE_PREFIX', 'LOG_LEVEL', 'LOG_FORMAT', 'SYSTEM_PROMPT', 'TEST']);

function childEnv(env: Record<string, string>, role: Role | undefined): Record<string, string> {
  const inherited: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || SCRUBBED_KEYS.has(key) || SCRUBBED_PREFIXES.some((p) => key.startsWith(p))) continue;
    // vitest sets NODE_ENV=test; a user's bot does not run with it.
    if (key === 'NODE_ENV' && value === 'test') continue;
    inherited[key] = value;
  }
  return { ...inherited, ...(role ? { ROLE: role } : {}), ...env };
}

export async function startBot(env: Record<string, string>, options: StartBotOptions = {}): Promise<BotProcess> {
  const fullEnv = childEnv(env, options.role);
  const script = options.script ?? 'src/main.ts';
  const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...loader, script, ...(options.args ?? [])], {
    cwd: REPO_ROOT,
    env: fullEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackChild(child);

  const lines: LogLine[] = [];
  const logs: LogRecord[] = [];
  const collect = (stream: 'stdout' | 'stderr') => {
    let partial = '';
    return (chunk: Buffer): void => {
      partial += chunk.toString('utf8');
      const complete = partial.split('\n');
      partial = complete.pop() ?? '';
      for (const raw of complete) {
        const json = parseLogLine(raw);
        lines.push({ stream, raw, at: Date.now(), ...(json ? { json } : {}) });
        if (json) logs.push(json);
      }
    };
  };
  child.stdout.on('data', collect('stdout'));
  child.stderr.on('data', collect('stderr'));

  const bot: BotProcess = {
    pid: child.pid ?? -1,
    env: fullEnv,
    lines,
    logs,
    output: () => lines.map((l) => l.raw).join('\n'),
    exit: undefined,
    port: undefined,
    exited: new Promise<ExitInfo>((resolve) => {
      child.once('exit', (code, signal) => {
        bot.exit = { code, signal };
        resolve(bot.exit);
      });
    }),
    waitForLog: (predicate, timeoutMs = 10_000) => waitForLog(bot, predicate, timeoutMs),
    kill: async (signal = 'SIGTERM') => {
      if (!bot.exit) child.kill(signal);
      return bot.exited;
    },
  };
  // A spawn failure surfaces as 'error' (and then 'exit'); keep it in the output rather than crash.
  child.on('error', (error) => lines.push({ stream: 'stderr', raw: `spawn error: ${error.message}`, at: Date.now() }));
  if (options.waitForReady === false) return bot;

  try {
    // Generous: tsx compiles the sources at each start, and a loaded 2-core CI machine is slow.
    await bot.waitForLog((log) => log.msg === 'ready', options.readyTimeoutMs ?? 45_000);
    bot.port = bot.logs.find((log) => LISTENING.has(String(log.msg)) && typeof log.port === 'number')?.port as number | undefined;
  } catch (error) {
    await bot.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n--- bot output ---\n${bot.output()}`, { cause: error });
  }
  return bot;
}

/** The start-up lines that name the port a process serves HTTP on. */
const LISTENING = new Set(['listening for Slack requests', 'socket mode connected; health routes listening', 'health routes listening']);

function parseLogLine(raw: string): LogRecord | undefined {
  if (!raw.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(raw) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as LogRecord) : undefined;
  } catch {
    return undefined;
  }
}

async function waitForLog(bot: BotProcess, predicate: (log: LogRecord) => boolean, timeoutMs: number): Promise<LogRecord> {
  const deadline = Date.now() + timeoutMs;
  let checked = 0;
  for (;;) {
    for (; checked < bot.logs.length; checked += 1) {
      const log = bot.logs[checked] as LogRecord;
      if (predicate(log)) return log;
    }
    if (bot.exit) {
      // Lines written just before exit may still be in the pipe; look once more before giving up.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const late = bot.logs.slice(checked).find(predicate);
      if (late) return late;
      throw new Error(`bot exited (code ${bot.exit.code}, signal ${bot.exit.signal}) before the expected log line`);
    }
    if (Date.now() >= deadline) throw new Error(`expected log line not seen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export interface BaseEnvInput {
  slack: { url: string };
  anthropic: { url: string };
  redis: { url: string };
  /**
   * The HTTP port (Bolt's request URL, health, metrics); default 0, the OS's choice, read back
   * from `BotProcess.port`: a port chosen before the bot binds it can be taken in between.
   */
  port?: number;
  /** The worker's health port; default 0 (off), so parallel worker processes never collide on 3001. */
  workerHealthPort?: number;
}

/** The environment a bot needs to run against the fakes and a test Redis. */
export function baseEnv(input: BaseEnvInput): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: input.slack.url,
    ANTHROPIC_API_KEY: 'sk-ant-test',
    ANTHROPIC_BASE_URL: input.anthropic.url,
    REDIS_URL: input.redis.url,
    PORT: String(input.port ?? 0),
    WORKER_HEALTH_PORT: String(input.workerHealthPort ?? 0),
    LOG_LEVEL: 'debug',
    LOG_FORMAT: 'json',
    // A developer's own .env must not leak into the bot under test.
    ENV_FILE: 'none',
    // Tests never reach the internet: documentation look-ups are turned on with a fake MCP server where a test needs them.
    AWS_DOCS_MCP_URL: 'off',
  };
}

/** Bolt's default request URL for events, commands and interactivity. */
export const slackEventsUrl = (port: number): string => `http://127.0.0.1:${port}/slack/events`;
