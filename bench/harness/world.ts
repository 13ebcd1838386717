/**
 * One system under test in its own world: a real redis-server, the fake Slack (Slack's published
 * rate limits, optionally on a compressed clock) and the fake Anthropic (a set pace), and either
 * the bot as users run it — one process (`all`) or `web` plus worker processes — or the naive
 * baseline bot; with `docs`, also the fake AWS Knowledge MCP server the bot looks documentation up
 * in. Every scenario builds a fresh world, so no run inherits another's rate windows, queue or
 * memory.
 */
import { startFakeAnthropic, type FakeAnthropic, type Responder } from '../../test/fakes/anthropic.js';
import { FakeMcpServer } from '../../test/fakes/mcp.js';
import { startFakeSlack, type ChannelSpec, type FakeSlack, type SlackUser } from '../../test/fakes/slack.js';
import { baseEnv, slackEventsUrl, startBot, type BotProcess, type LogRecord } from '../../test/support/bot.js';
import { startRedis, type RedisServer } from '../../test/support/redis.js';
import { SOURCE_ENTRIES, type SystemEntries } from './build.js';
import { benchResponder, type ModelPace } from './model-answers.js';

export type SystemName = 'bot-all' | 'bot-split' | 'naive';

export const SYSTEM_LABELS: Record<SystemName, string> = {
  'bot-all': 'bot, one process (`all`)',
  'bot-split': 'bot, `web` + 2 `worker` processes',
  naive: 'naive baseline',
};

export interface WorldOptions {
  system: SystemName;
  /** Slack's published limits (see test/fakes/slack-ratelimit.ts), or none at all. */
  slackLimits: 'published' | 'none';
  /** The fake's rate-limit clock runs this many times faster (1 = Slack's own). */
  timeScale?: number;
  workspace: { channels: ChannelSpec[]; users: SlackUser[] };
  pace: ModelPace;
  /** Another pace for some questions (warm-up ones), by question id. */
  paceFor?: (id: string) => ModelPace;
  /** What the fake model answers instead of the paced answers (tool rounds, …). */
  responder?: Responder;
  /** Documentation look-ups: a fake AWS Knowledge MCP server the bot is connected to before the scenario starts. */
  docs?: boolean;
  /** Extra bot environment (WORKER_CONCURRENCY, …). */
  env?: Record<string, string>;
  /** bot-split: how many worker processes to start now (default 2; 0 to start them later). */
  workers?: number;
  /** Arguments for node itself in the process that receives Slack's requests (e.g. --cpu-prof). */
  webNodeArgs?: string[];
}

export interface World {
  system: SystemName;
  slack: FakeSlack;
  anthropic: FakeAnthropic;
  /** The fake AWS Knowledge MCP server, when the world was started with `docs`. */
  docs: FakeMcpServer | undefined;
  redis: RedisServer;
  eventsUrl: string;
  /** The process Slack's requests go to. */
  web: BotProcess;
  /** The processes that answer (the workers, or the single process). */
  answering: BotProcess[];
  processes: BotProcess[];
  env: Record<string, string>;
  timeScale: number;
  /** Starts worker processes (bot-split); `nodeArgs` go to node itself, e.g. --cpu-prof. */
  startWorkers(count: number, nodeArgs?: string[]): Promise<BotProcess[]>;
  /** Every JSON log record of every process. */
  logs(): LogRecord[];
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;

let entries: SystemEntries = SOURCE_ENTRIES;

/** Every world started from now on runs these builds of the bot and the baseline. */
export function runSystemsFrom(built: SystemEntries): void {
  entries = built;
}

export async function startWorld(options: WorldOptions): Promise<World> {
  const timeScale = options.timeScale ?? 1;
  const [slack, anthropic, redis, docs] = await Promise.all([
    startFakeSlack({
      channels: options.workspace.channels,
      users: options.workspace.users,
      realisticRateLimits: options.slackLimits === 'published',
      rateLimitTimeScale: timeScale,
    }),
    startFakeAnthropic({ responder: options.responder ?? benchResponder(options.pace, options.paceFor) }),
    startRedis(),
    options.docs ? FakeMcpServer.start() : undefined,
  ]);
  const env: Record<string, string> = {
    ...baseEnv({ slack, anthropic, redis }),
    LOG_LEVEL: 'info',
    // The bot's scheduler must count as the workspace it talks to does: Tier 3, 50 calls in any
    // window, the window as long as the fake's clock makes it.
    SLACK_UPDATES_PER_MINUTE: '50',
    SLACK_RATE_WINDOW_MS: String(60_000 / timeScale),
    // Both systems ask the product's default model (the baseline's own default is an older one).
    ANTHROPIC_MODEL: 'claude-haiku-5-5',
    ...(docs ? { AWS_DOCS_MCP_URL: docs.url } : {}),
    ...entries.env,
    ...options.env,
  };
  const processes: BotProcess[] = [];
  const answering: BotProcess[] = [];
  const start = async (role: 'all' | 'web' | 'worker', script: string, nodeArgs?: string[]): Promise<BotProcess> => {
    const bot = await startBot(env, { role, readyTimeoutMs: READY_TIMEOUT_MS, script, ...(nodeArgs ? { nodeArgs } : {}) });
    processes.push(bot);
    // Tools are offered only once the server is connected: a question asked earlier would get none.
    if (docs && script === entries.bot && role !== 'web') await bot.waitForLog((log) => log.msg === 'MCP server connected', READY_TIMEOUT_MS);
    return bot;
  };

  let web: BotProcess;
  try {
    if (options.system === 'naive') {
      web = await start('all', entries.naive, options.webNodeArgs);
      answering.push(web);
    } else if (options.system === 'bot-all') {
      web = await start('all', entries.bot, options.webNodeArgs);
      answering.push(web);
    } else {
      const [webProcess, ...workers] = await Promise.all([start('web', entries.bot, options.webNodeArgs), ...Array.from({ length: options.workers ?? 2 }, () => start('worker', entries.bot))]);
      web = webProcess!;
      answering.push(...workers);
    }
  } catch (error) {
    await Promise.all(processes.map((bot) => bot.kill('SIGKILL')));
    await Promise.all([slack.close(), anthropic.close(), redis.stop(), docs?.close()]);
    throw error;
  }

  return {
    system: options.system,
    slack,
    anthropic,
    docs,
    redis,
    eventsUrl: slackEventsUrl(web.port!),
    web,
    answering,
    processes,
    env,
    timeScale,
    async startWorkers(count, nodeArgs) {
      const workers = await Promise.all(Array.from({ length: count }, () => start('worker', entries.bot, nodeArgs)));
      answering.push(...workers);
      return workers;
    },
    logs: () => processes.flatMap((bot) => bot.logs),
    async stop() {
      await Promise.all(processes.filter((bot) => !bot.exit).map((bot) => bot.kill('SIGKILL')));
      await Promise.all([slack.close(), anthropic.close(), redis.stop(), docs?.close()]);
    },
  };
}
