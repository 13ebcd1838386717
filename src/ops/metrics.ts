/**
 * Every Prometheus metric of the service, in one registry, each with its help text. Code at the
 * edges (Slack intake, the worker, the model call, the Slack client) records through the small
 * functions below; `/metrics` (ops/http.ts) renders the registry. A process serves only what it
 * did itself: the web role counts Slack requests, workers count answers, model calls and Slack
 * writes, and queue counts (read from the shared Redis) are the same in every process.
 */
import { performance } from 'node:perf_hooks';
import type { Queue } from 'bullmq';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ModelUsage } from '../model/claude.js';
import type { ModelError } from '../model/errors.js';
import { costOfUsageUsd } from '../usage/price-book.js';
import { usageEvents } from '../usage/usage-events.js';

export const registry = new Registry();
const registers = [registry];
const PREFIX = 'aws_orchestrator_';

/** The states of a BullMQ job that /metrics reports, read at scrape time. */
export const JOB_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'] as const;

/** Seconds: model and Slack latencies live between a tenth of a second and a minute. */
const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60];
/** Seconds: a whole answer takes seconds to minutes. */
const DURATION_BUCKETS = [0.5, 1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 300];
/** Seconds: a job normally waits milliseconds; seconds mean the workers are saturated. */
const WAIT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

const QUEUE_COUNT_TIMEOUT_MS = 1000;
let watchedQueue: Queue | undefined;

export const metrics = {
  slackRequestsReceived: new Counter({
    name: `${PREFIX}slack_requests_received_total`,
    help: 'Requests Slack delivered to the bot (over HTTP or Socket Mode), by kind (event, command, action, view, shortcut, options) and name (event type, slash command or action id).',
    labelNames: ['kind', 'name'] as const,
    registers,
  }),
  queueJobs: new Gauge({
    name: `${PREFIX}queue_jobs`,
    help: 'Jobs in the answer queue by state, read from Redis when scraped (every process reports the same shared queue: aggregate with max, not sum).',
    labelNames: ['state'] as const,
    registers,
    async collect() {
      this.reset();
      if (!watchedQueue) return;
      const counts = await withTimeout(watchedQueue.getJobCounts(...JOB_STATES), QUEUE_COUNT_TIMEOUT_MS).catch(() => undefined);
      // Redis unreachable: no sample rather than a stale one (and /readyz says why).
      if (!counts) return;
      for (const state of JOB_STATES) this.set({ state }, counts[state] ?? 0);
    },
  }),
  queueWait: new Histogram({
    name: `${PREFIX}queue_wait_seconds`,
    help: 'Time from Slack delivering a request to a worker starting its job, by job kind.',
    labelNames: ['kind'] as const,
    buckets: WAIT_BUCKETS,
    registers,
  }),
  answers: new Counter({
    name: `${PREFIX}answers_total`,
    help: 'Questions answered by this worker, by how they were asked (source) and how the answer ended (answered, truncated, stopped, failed, …).',
    labelNames: ['source', 'status'] as const,
    registers,
  }),
  answerDuration: new Histogram({
    name: `${PREFIX}answer_duration_seconds`,
    help: 'Time from Slack delivering a question to its final answer being shown, by source and status.',
    labelNames: ['source', 'status'] as const,
    buckets: DURATION_BUCKETS,
    registers,
  }),
  firstVisible: new Histogram({
    name: `${PREFIX}answer_first_visible_seconds`,
    help: 'Time from Slack delivering a question to the first words of the model answer being visible in Slack, by source.',
    labelNames: ['source'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  }),
  modelRequests: new Counter({
    name: `${PREFIX}model_requests_total`,
    help: 'Streaming requests sent to the model API (each retry counts), by model.',
    labelNames: ['model'] as const,
    registers,
  }),
  modelFirstToken: new Histogram({
    name: `${PREFIX}model_first_token_seconds`,
    help: 'Time from sending a model request to receiving its first text, by model.',
    labelNames: ['model'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  }),
  modelErrors: new Counter({
    name: `${PREFIX}model_errors_total`,
    help: 'Failed model requests by model and error type (rate_limited, overloaded, server_error, connection, timeout, stream_interrupted, context_too_long, invalid_request, authentication, permission, model_not_found, cancelled).',
    labelNames: ['model', 'type'] as const,
    registers,
  }),
  modelTokens: new Counter({
    name: `${PREFIX}model_tokens_total`,
    help: 'Tokens used by model requests, by model and type (input, output, cache_read, cache_write).',
    labelNames: ['model', 'type'] as const,
    registers,
  }),
  modelCost: new Counter({
    name: `${PREFIX}model_cost_usd_total`,
    help: 'Estimated cost of model requests in US dollars, by model (the price table of src/usage/prices.ts with MODEL_PRICES_JSON on top; models without a price are not counted).',
    labelNames: ['model'] as const,
    registers,
  }),
  slackApiCalls: new Counter({
    name: `${PREFIX}slack_api_calls_total`,
    help: 'HTTP requests to the Slack Web API (each retry counts), by method and HTTP status (or network_error).',
    labelNames: ['method', 'status'] as const,
    registers,
  }),
  slackRateLimited: new Counter({
    name: `${PREFIX}slack_api_rate_limited_total`,
    help: 'Slack Web API requests answered 429 (rate limited), by method.',
    labelNames: ['method'] as const,
    registers,
  }),
  answerCacheHits: new Counter({
    name: `${PREFIX}answer_cache_hits_total`,
    help: 'Questions answered from the answer cache instead of the model (no model call).',
    registers,
  }),
  answersShared: new Counter({
    name: `${PREFIX}answers_shared_total`,
    help: 'Questions answered by sharing the model call of the same question asked at the same moment.',
    registers,
  }),
  feedbackVotes: new Counter({
    name: `${PREFIX}feedback_votes_total`,
    help: 'Feedback buttons pressed on answers, by vote (up, down); a changed vote counts again.',
    labelNames: ['vote'] as const,
    registers,
  }),
};

// Usage accounting (src/usage) announces every answer it records and every vote: the counters
// that depend on how an answer was served are kept from those notices, in whichever process
// records them (the worker).
usageEvents.on('answer', (answer) => {
  if (answer.servedFrom === 'cache') metrics.answerCacheHits.inc();
  if (answer.servedFrom === 'shared') metrics.answersShared.inc();
});
usageEvents.on('feedback', ({ vote, change }) => {
  if (change.previous !== change.current) metrics.feedbackVotes.inc({ vote });
});

let processMetricsOn = false;

/** CPU, memory, event-loop lag and the like, for the process serving /metrics. */
export function collectProcessMetrics(): void {
  if (processMetricsOn) return;
  processMetricsOn = true;
  collectDefaultMetrics({ register: registry, prefix: PREFIX });
}

/** The queue whose job counts /metrics reports. */
export function watchQueueCounts(queue: Queue): void {
  watchedQueue = queue;
}

export function recordQueueWait(kind: string, receivedAt: number, now = Date.now()): void {
  metrics.queueWait.observe({ kind }, Math.max(0, now - receivedAt) / 1000);
}

export interface AnsweredQuestion {
  source: string;
  receivedAt: number;
}

export interface AnswerTimes {
  status: string;
  firstVisibleAt?: number | undefined;
  finishedAt: number;
}

/** How one question ended, as the worker saw it. */
export function recordAnswer(question: AnsweredQuestion, outcome: AnswerTimes): void {
  const labels = { source: question.source, status: outcome.status };
  metrics.answers.inc(labels);
  metrics.answerDuration.observe(labels, Math.max(0, outcome.finishedAt - question.receivedAt) / 1000);
  if (outcome.firstVisibleAt !== undefined && outcome.status !== 'failed') {
    metrics.firstVisible.observe({ source: question.source }, Math.max(0, outcome.firstVisibleAt - question.receivedAt) / 1000);
  }
}

export interface ModelCallRecorder {
  /** Call on every text delta; only the first one is timed. */
  text(): void;
  succeeded(usage: ModelUsage): void;
  failed(error: ModelError): void;
}

/** One model request, from sending it to its end. */
export function recordModelCall(model: string): ModelCallRecorder {
  const startedAt = performance.now();
  let sawText = false;
  metrics.modelRequests.inc({ model });
  return {
    text() {
      if (sawText) return;
      sawText = true;
      metrics.modelFirstToken.observe({ model }, (performance.now() - startedAt) / 1000);
    },
    succeeded(usage) {
      metrics.modelTokens.inc({ model, type: 'input' }, usage.inputTokens);
      metrics.modelTokens.inc({ model, type: 'output' }, usage.outputTokens);
      metrics.modelTokens.inc({ model, type: 'cache_read' }, usage.cacheReadTokens);
      metrics.modelTokens.inc({ model, type: 'cache_write' }, usage.cacheWriteTokens);
      const cost = costOfUsageUsd(model, usage);
      if (cost !== undefined && cost > 0) metrics.modelCost.inc({ model }, cost);
    },
    failed(error) {
      metrics.modelErrors.inc({ model, type: error.kind });
    },
  };
}

/** One HTTP request to the Slack Web API; status is the HTTP status, or undefined for a network error. */
export function recordSlackApiCall(method: string, status: number | undefined): void {
  metrics.slackApiCalls.inc({ method, status: status === undefined ? 'network_error' : String(status) });
  if (status === 429) metrics.slackRateLimited.inc({ method });
}

export function recordSlackRequest(kind: string, name: string): void {
  metrics.slackRequestsReceived.inc({ kind, name });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
