/**
 * Composition root: configuration → logger → Redis → the roles this process runs. Nothing else.
 * `npm start` runs both roles; `--role web` / `--role worker` (or ROLE=) split them so that any
 * number of workers, on any machines, share one Redis.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SlackPublisher } from './answer/slack-publisher.js';
import { SlackBudget, slackWriteBudgets } from './answer/slack-budget.js';
import { ThreadCache } from './answer/thread-cache.js';
import { ConfigError, loadConfig, loadDotEnv, type Config } from './config.js';
import { DEFAULT_CADENCE } from './core/cadence.js';
import { checkModelAvailable, createAnthropicClient } from './model/claude.js';
import { createHttpApp } from './ops/http.js';
import { createLogger, secretsOf, type Logger } from './ops/logger.js';
import { watchQueueCounts } from './ops/metrics.js';
import { ModelConfigCheck, Readiness } from './ops/readiness.js';
import { createRedis } from './ops/redis.js';
import { RedisKeys } from './ops/redis-keys.js';
import { AnswerQueue } from './queue/producer.js';
import { AnswerWorker } from './queue/worker.js';
import { StopSubscriber } from './queue/stop-signals.js';
import { createSlackApp } from './slack/app.js';
import { createSlackClient } from './slack/client.js';
import { registerListeners } from './slack/listeners/index.js';
import { FeedbackStore } from './usage/feedback-store.js';
import { activePrices, usePrices } from './usage/price-book.js';
import { buildPriceTable } from './usage/prices.js';
import { UsageService } from './usage/usage-service.js';

type Stop = () => Promise<void>;

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  // Usage records and the metrics price model calls with the same table (MODEL_PRICES_JSON on top).
  usePrices(buildPriceTable(config.model.pricesJson));
  const logger = createLogger(config.ops, undefined, secretsOf(config));
  const keys = new RedisKeys(config.queue.prefix);
  const redis = createRedis(config.queue.redisUrl, 'fail-fast', logger, 'queue');
  const queue = new AnswerQueue(redis, keys, config.queue.prefix);
  const stops: Stop[] = [];
  const modelCheck = new ModelConfigCheck();
  modelCheck.track(reportModelAvailability(createAnthropicClient(config.model), config.model.name, logger));
  const readiness = new Readiness(redis, queue.queue, modelCheck);
  watchQueueCounts(queue.queue);

  if (config.role !== 'worker') stops.push(await startWeb(config, logger, redis, keys, queue, readiness));
  if (config.role !== 'web') stops.push(await startWorker(config, logger, keys, queue, readiness));
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

async function startWeb(config: Config, logger: Logger, redis: ReturnType<typeof createRedis>, keys: RedisKeys, queue: AnswerQueue, readiness: Readiness): Promise<Stop> {
  const http = createHttpApp(redis, readiness);
  if (config.ops.dashboard) {
    // Bull Board takes half a second to load: only a process that serves it pays for it.
    const { mountDashboard } = await import('./ops/dashboard.js');
    mountDashboard(http, config.ops.dashboard, [queue.queue]);
    logger.info({ path: config.ops.dashboard.path }, 'queue dashboard mounted (basic authentication)');
  }
  const app = createSlackApp(config.slack, logger, http);
  const feedback = new FeedbackStore(redis, keys, config.usage.retentionDays);
  registerListeners(app, { queue, redis, keys, access: config.access, feedback, logger: logger.child({ component: 'listeners' }) });
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

async function startWorker(config: Config, logger: Logger, keys: RedisKeys, queue: AnswerQueue, readiness: Readiness): Promise<Stop> {
  const workerRedis = createRedis(config.queue.redisUrl, 'worker', logger, 'worker');
  const slack = createSlackClient(config.slack);
  const anthropic = createAnthropicClient(config.model);
  const identity = await slack.auth.test();
  const budget = new SlackBudget(workerRedis, keys, slackWriteBudgets(config.slack.updatesPerMinute));
  const publisher = new SlackPublisher(
    slack,
    budget,
    { cadence: { ...DEFAULT_CADENCE, intervalMs: config.slack.updateIntervalMs }, maxMessageChars: config.slack.maxMessageChars },
    logger,
    // What the bot writes in a thread is added to the thread's cached read, for the next question.
    new ThreadCache(workerRedis, keys, config.slack.threadCacheTtlSeconds, { userId: identity.user_id!, botId: identity.bot_id }),
  );
  const worker = new AnswerWorker(
    { config, slack, anthropic, publisher, redis: workerRedis, keys, bot: { userId: identity.user_id!, botId: identity.bot_id }, logger, usage: new UsageService(config, workerRedis, keys, activePrices(), logger.child({ component: 'usage' })) },
    queue,
    {
      connection: workerRedis,
      prefix: config.queue.prefix,
      concurrency: config.queue.concurrency,
      lockMs: config.queue.lockMs,
      stalledIntervalMs: config.queue.stalledIntervalMs,
    },
    logger.child({ component: 'worker' }),
  );
  worker.start();
  const stopSignals = new StopSubscriber(createRedis(config.queue.redisUrl, 'worker', logger, 'job-signals'), keys, logger);
  await stopSignals.start((jobId) => worker.worker.cancelJob(jobId, 'stopped by a user'));

  let healthServer: Server | undefined;
  if (config.role === 'worker' && config.slack.workerHealthPort > 0) {
    healthServer = await listen(createHttpApp(workerRedis, readiness), config.slack.workerHealthPort);
  }
  return async () => {
    const result = await worker.close(config.queue.shutdownGraceMs);
    logger.info({ result }, 'worker stopped');
    if (healthServer) await close(healthServer);
    stopSignals.close();
    workerRedis.disconnect();
  };
}

/** Logs what an operator must know about the model setting; the result also feeds /readyz. */
async function reportModelAvailability(anthropic: ReturnType<typeof createAnthropicClient>, model: string, logger: Logger): Promise<Awaited<ReturnType<typeof checkModelAvailable>>> {
  const check = await checkModelAvailable(anthropic, model);
  if (check === 'ok') return check;
  if (check.kind === 'model_not_found') {
    logger.error({ model, modelError: check.toLog() }, `ANTHROPIC_MODEL "${model}" does not exist or was retired (claude-3-haiku-20240307 was retired on 2026-04-19); every answer will fail until it is changed, for example to claude-haiku-4-5`);
  } else {
    logger.warn({ model, modelError: check.toLog() }, 'could not check the model at start-up');
  }
  return check;
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

main().catch((error: unknown) => {
  console.error('aws-orchestrator failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
