/**
 * Composition root: configuration → logger → Redis → the roles this process runs, each wired from
 * its parts. `npm start` runs both roles; `--role web` / `--role worker` (or ROLE=) split them so
 * that any number of workers, on any machines, share one Redis.
 */
import type { Server } from 'node:http';
import { getPriority, setPriority } from 'node:os';
import type { AddressInfo } from 'node:net';
import type { RedisClient } from './ops/redis.js';
import { jobHandlers } from './answer/job-handlers.js';
import { LostJobRecords, LostJobs } from './answer/lost-jobs.js';
import { postReceipt } from './answer/receipts.js';
import { ThreadCache } from './answer/thread-cache.js';
import { ConfigError, loadConfig, loadDotEnv, type Config } from './config.js';
import { DEFAULT_CADENCE } from './core/cadence.js';
import { familyOf } from './core/model-families.js';
import { buildPriceTable, type PriceTable } from './core/prices.js';
import { createAnthropicClient } from './model/anthropic-client.js';
import { modelLoop, type LoopSettings, type ModelLoop } from './model/model-loop.js';
import { ModelProfiles } from './model/model-profile.js';
import { createHttpApp } from './ops/http.js';
import { createLogger, secretsOf, type Logger } from './ops/logger.js';
import { Metrics } from './ops/metrics.js';
import { ModelConfigCheck, Readiness } from './ops/readiness.js';
import { createRedis, firstReady } from './ops/redis.js';
import { RedisKeys } from './ops/redis-keys.js';
import { SlackBudget, slackWriteBudgets } from './publish/slack-budget.js';
import { SlackMessages } from './publish/slack-messages.js';
import { createSlackClient } from './publish/slack-web.js';
import { AnswerQueue } from './queue/producer.js';
import { StopSubscriber } from './queue/stop-signals.js';
import { QueueWorker } from './queue/worker.js';
import { AnswerCache } from './reuse/answer-cache.js';
import { InflightAnswers } from './reuse/inflight.js';
import { sharedAnswers } from './reuse/shared-answers.js';
import { createSlackApp } from './slack/app.js';
import { registerListeners } from './slack/listeners/index.js';
import { AWS_DOCS_SERVER_NAME } from './core/mcp-servers.js';
import { createAwsAccountTools } from './tools/aws/index.js';
import { toolCatalog, type ToolCatalog } from './tools/catalog.js';
import { McpToolbox } from './tools/mcp/index.js';
import { reusingResults } from './tools/reused-results.js';
import { AccountCallLimit } from './usage/account-calls.js';
import { Accounting } from './usage/accounting.js';
import { FeedbackStore } from './usage/feedback-store.js';

type Stop = () => Promise<void>;

const TOOL_TIMEOUT_GRACE_MS = 2000;
/** A worker's CPU priority (nice): below a web process's, so acknowledging Slack never waits behind answering. */
const WORKER_NICENESS = 10;
const REDIS_FIRST_READY_MS = 10_000;

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const prices = buildPriceTable(config.model.pricesJson);
  const metrics = new Metrics(prices);
  metrics.collectProcessMetrics();
  const logger = createLogger(config.ops, undefined, secretsOf(config));
  const keys = new RedisKeys(config.queue.prefix);
  const redis = createRedis(config.queue, 'fail-fast', logger, 'queue');
  const queue = new AnswerQueue(redis, keys, config.queue.prefix, config.slack.placeholderAfterMs);
  const anthropic = createAnthropicClient(config.model);
  const profiles = new ModelProfiles();
  const modelCheck = new ModelConfigCheck();
  void checkModels(anthropic, profiles, config, logger).then((result) => modelCheck.settle(result));
  const readiness = new Readiness(redis, queue.queue, modelCheck);
  metrics.watchQueue(queue.queue);

  if (!(await firstReady(redis, REDIS_FIRST_READY_MS))) logger.warn({ waitedMs: REDIS_FIRST_READY_MS }, 'Redis is not reachable yet: questions are turned away with a note until it is');

  // Slack gives an acknowledgement three seconds: a worker sharing a machine with a web process
  // yields the CPU to it, however many answers it is writing.
  if (config.role === 'worker') yieldCpuToWeb(logger);
  const stops: Stop[] = [];
  if (config.role !== 'worker') stops.push(await startWeb(config, logger, redis, keys, queue, readiness, metrics));
  if (config.role !== 'web') stops.push(await startWorker(config, logger, keys, queue, readiness, metrics, { anthropic, profiles, prices }));
  stops.push(async () => {
    await queue.close();
    redis.disconnect();
  });

  onShutdown(logger, async () => {
    for (const stop of stops) await stop();
  });
  logger.info({ role: config.role, socketMode: config.slack.socketMode, model: config.model.name }, 'ready');
}

function loadConfigOrExit(): Config {
  try {
    loadDotEnv();
    return loadConfig(process.env, process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`aws-orchestrator cannot start.\n${error.message}\nSee .env.example and the README's configuration table.`);
    process.exit(1);
  }
}

async function startWeb(config: Config, logger: Logger, redis: RedisClient, keys: RedisKeys, queue: AnswerQueue, readiness: Readiness, metrics: Metrics): Promise<Stop> {
  const http = createHttpApp(redis, readiness, metrics);
  if (config.ops.dashboard) {
    // Bull Board takes half a second to load: only a process that serves it pays for it.
    const { mountDashboard } = await import('./ops/dashboard.js');
    mountDashboard(http, config.ops.dashboard, [queue.queue]);
    logger.info({ path: config.ops.dashboard.path }, 'queue dashboard mounted (basic authentication)');
  }
  const app = createSlackApp(config.slack, logger, http, metrics.slackApiCall);
  const feedback = new FeedbackStore(redis, keys, config.usage.retentionDays);
  registerListeners(app, {
    queue,
    redis,
    keys,
    access: config.access,
    feedback,
    logger: logger.child({ component: 'listeners' }),
    adminUserIds: config.usage.adminUserIds,
    maxQuestionChars: config.model.maxQuestionChars,
    onRequest: metrics.slackRequest,
    onVote: metrics.voted,
  });
  if (config.slack.socketMode) {
    await app.start();
    const server = await listen(http, config.slack.port);
    logger.info({ port: portOf(server) }, 'socket mode connected; health routes listening');
    return async () => {
      await app.stop();
      await close(server);
    };
  }
  const server = (await app.start(config.slack.port)) as Server;
  logger.info({ port: portOf(server), path: '/slack/events' }, 'listening for Slack requests');
  return () => app.stop().then(() => undefined);
}

interface ModelParts {
  anthropic: ReturnType<typeof createAnthropicClient>;
  profiles: ModelProfiles;
  prices: PriceTable;
}

async function startWorker(config: Config, logger: Logger, keys: RedisKeys, queue: AnswerQueue, readiness: Readiness, metrics: Metrics, model: ModelParts): Promise<Stop> {
  const queueRedis = createRedis(config.queue, 'worker', logger, 'worker');
  const answersRedis = createRedis(config.queue, 'answers', logger, 'answers');
  const slack = createSlackClient(config.slack, metrics.slackApiCall);
  const identity = await slack.auth.test();
  const bot = { userId: identity.user_id!, botId: identity.bot_id };
  const budget = new SlackBudget(answersRedis, keys, slackWriteBudgets(config.slack.updatesPerMinute, config.slack.rateWindowMs));
  // What the bot writes in a thread is added to the thread's cached read, for the next question.
  const messages = new SlackMessages(slack, budget, logger, new ThreadCache(answersRedis, keys, config.slack.threadCacheTtlSeconds, bot));
  const loop = modelLoop({ anthropic: model.anthropic, settings: loopSettings(config), profileOf: (name) => model.profiles.get(name), logger, observer: metrics });
  const tools = startTools(config, answersRedis, keys, logger.child({ component: 'tools' }));
  const accounting = new Accounting(answersRedis, keys, config.usage, model.prices);
  const settings = {
    streaming: config.slack.streaming,
    messageOptions: { cadence: { ...DEFAULT_CADENCE, intervalMs: config.slack.updateIntervalMs }, maxMessageChars: config.slack.maxMessageChars, placeholderAfterMs: config.slack.placeholderAfterMs },
    threadCacheTtlSeconds: config.slack.threadCacheTtlSeconds,
    historyTokenBudget: config.model.historyTokenBudget,
    maxQuestionChars: config.model.maxQuestionChars,
    maxTokens: config.model.maxTokens,
    systemPromptOverride: config.model.systemPrompt,
    tokenScale: familyOf(config.model.name).tokenScale,
  };
  const lostJobs = new LostJobs({
    messages,
    settings,
    records: new LostJobRecords(answersRedis, keys),
    stateOf: (jobId) => queue.stateOf(jobId),
    logger: logger.child({ component: 'lost-jobs' }),
  });
  const handlers = jobHandlers({
    settings,
    messages,
    redis: answersRedis,
    keys,
    bot,
    logger,
    loop,
    tools: tools.catalog,
    reuse: config.usage.answerCache ? answerReuse(config, answersRedis, keys, logger) : undefined,
    accounting,
    observer: metrics,
    enqueue: (jobId, data) => queue.enqueue(jobId, data),
    usageReports: { store: accounting.store, feedback: new FeedbackStore(answersRedis, keys, config.usage.retentionDays), adminUserIds: config.usage.adminUserIds, limits: config.usage },
    homeSettings: {
      model: config.model.name,
      effort: config.model.effort,
      documentationLookups: tools.documentationLookups,
      accountAccess: tools.accountAccess,
    },
  });
  const worker = new QueueWorker(
    lostJobs.watch(handlers),
    keys,
    {
      connection: queueRedis,
      prefix: config.queue.prefix,
      concurrency: config.queue.concurrency,
      lockMs: config.queue.lockMs,
      stalledIntervalMs: config.queue.stalledIntervalMs,
      postReceipt: (jobId) =>
        postReceipt(jobId, {
          messages,
          redis: answersRedis,
          keys,
          logger: logger.child({ component: 'receipts', jobId }),
          waitingQuestion: (id) => queue.waitingQuestion(id),
          receiptPosted: (id, question, postingSince) => lostJobs.watchQueued(id, question, postingSince),
        }),
      receiptAfterMs: config.slack.placeholderAfterMs,
    },
    logger.child({ component: 'worker' }),
    metrics,
  );
  worker.start();
  lostJobs.start();
  answersRedis.on('ready', () => void lostJobs.redisBack());
  const stopSignals = new StopSubscriber(createRedis(config.queue, 'worker', logger, 'job-signals'), keys, logger);
  await stopSignals.start((jobId) => worker.worker.cancelJob(jobId, 'stopped by a user'));

  let healthServer: Server | undefined;
  if (config.role === 'worker' && config.slack.workerHealthPort > 0) {
    healthServer = await listen(createHttpApp(answersRedis, readiness, metrics), config.slack.workerHealthPort);
    logger.info({ port: portOf(healthServer) }, 'health routes listening');
  }
  return async () => {
    lostJobs.stop();
    const result = await worker.close(config.queue.shutdownGraceMs);
    queueRedis.disconnect();
    logger.info({ result }, 'worker stopped');
    if (healthServer) await close(healthServer);
    stopSignals.close();
    await tools.close();
    messages.close();
    answersRedis.disconnect();
  };
}

/**
 * The tools answers may use: AWS documentation and the team's MCP servers (connected in the
 * background: a server that is down never holds up start-up), and read-only calls to the team's
 * AWS account where it is allowed.
 */
function startTools(config: Config, redis: RedisClient, keys: RedisKeys, logger: Logger): { catalog: ToolCatalog; documentationLookups: boolean; accountAccess: boolean; close: () => Promise<void> } {
  const { tools } = config;
  const servers = [
    ...(tools.docsMcpUrl === 'off' ? [] : [{ name: AWS_DOCS_SERVER_NAME, url: tools.docsMcpUrl, kind: 'aws-knowledge' as const }]),
    ...tools.teamServers.map((server) => ({ ...server, kind: 'team' as const })),
  ];
  const mcp =
    servers.length > 0 && tools.maxRounds > 0
      ? new McpToolbox({ servers, callTimeoutMs: tools.timeoutMs, resultMaxTokens: tools.resultTokens, refreshIntervalMs: tools.refreshSeconds * 1000, logger })
      : undefined;
  void mcp?.start();
  const limit = new AccountCallLimit(redis, keys, tools.accountCallsPerHour);
  const account =
    tools.accountAccess && tools.maxRounds > 0
      ? {
          channels: tools.accountChannels,
          tools: createAwsAccountTools({
            regions: tools.accountRegions,
            ...(tools.accountRoleArn ? { roleArn: tools.accountRoleArn } : {}),
            callTimeoutMs: tools.timeoutMs,
            maxResultTokens: tools.resultTokens,
            logger,
            beforeCall: (asker) => limit.refusal(asker),
          }),
        }
      : undefined;
  return {
    catalog: toolCatalog({ mcp, account, reuse: reusingResults(redis, keys, logger) }),
    documentationLookups: tools.docsMcpUrl !== 'off' && mcp !== undefined,
    accountAccess: account !== undefined,
    close: async () => mcp?.close(),
  };
}

function loopSettings(config: Config): LoopSettings {
  const { model, tools } = config;
  return {
    name: model.name,
    maxTokens: model.maxTokens,
    thinkingTokens: model.thinkingTokens,
    temperature: model.temperature,
    effort: model.effort,
    thinking: model.thinking,
    timeoutMs: model.timeoutMs,
    fallbackModel: model.fallbackModel,
    maxAttempts: model.maxAttempts,
    retryBaseMs: model.retryBaseMs,
    retryMaxMs: model.retryMaxMs,
    maxToolRounds: tools.maxRounds,
    // Each tool keeps its own time limit and explains it; the loop's is the backstop.
    toolTimeoutMs: tools.timeoutMs + TOOL_TIMEOUT_GRACE_MS,
    toolResultTokens: tools.resultTokens,
  };
}

/** First questions reuse a recent answer to the same question, or share the call of one being written. */
function answerReuse(config: Config, redis: RedisClient, keys: RedisKeys, logger: Logger): (question: { jobId: string; userId: string }, loop: ModelLoop) => ModelLoop {
  const deps = { cache: new AnswerCache(redis, keys, config.usage.answerCacheTtlSeconds), inflight: new InflightAnswers(redis, keys, logger), logger };
  const { model } = config;
  const modelSettings = [model.temperature ?? 'default', model.effort, model.thinking, model.maxTokens];
  return (question, loop) => sharedAnswers(loop, deps, question, { model: model.name, modelSettings });
}

/**
 * Asks the API about the configured models at start-up and logs what an operator must know; the
 * result also feeds /readyz. A retired model is reported here rather than to the first user.
 */
async function checkModels(anthropic: ModelParts['anthropic'], profiles: ModelProfiles, config: Config, logger: Logger): Promise<'ok' | { problem: string; settingIsWrong: boolean }> {
  const models = [config.model.name, ...(config.model.fallbackModel ? [config.model.fallbackModel] : [])];
  const problems = await profiles.load(anthropic, models);
  const profile = profiles.get(config.model.name);
  if (profile.efforts.length > 0 && !profile.efforts.includes(config.model.effort)) {
    logger.warn({ model: config.model.name, effort: config.model.effort, accepted: profile.efforts }, "ANTHROPIC_EFFORT is not one this model accepts; the model's default effort is used");
  }
  for (const [model, error] of problems) {
    if (error.kind === 'model_not_found') {
      logger.error({ model, modelError: error.toLog() }, `the model "${model}" does not exist or was retired; every answer that needs it will fail until ANTHROPIC_MODEL (or ANTHROPIC_FALLBACK_MODEL) is changed, for example to claude-haiku-5-5`);
    } else {
      logger.warn({ model, modelError: error.toLog() }, 'could not check the model at start-up');
    }
  }
  const main = problems.get(config.model.name);
  if (!main) return 'ok';
  return { problem: `${main.kind}: ${main.message}`, settingIsWrong: ['model_not_found', 'authentication', 'permission'].includes(main.kind) };
}

function listen(app: ReturnType<typeof createHttpApp>, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, '0.0.0.0', (error?: Error) => (error ? reject(error) : resolve(server)));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}

/** SIGTERM: stop taking work, let answers in flight finish within the grace period, exit 0. */
function onShutdown(logger: Logger, stopAll: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    stopAll().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'unclean shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

function yieldCpuToWeb(logger: Logger): void {
  try {
    if (getPriority() < WORKER_NICENESS) setPriority(WORKER_NICENESS);
  } catch (error) {
    logger.warn({ err: error }, 'could not lower the worker\'s CPU priority');
  }
}

main().catch((error: unknown) => {
  console.error('aws-orchestrator failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
