/**
 * Every Prometheus metric of the service, in one registry per process, each with its help text.
 * The composition root (main.ts) makes one `Metrics` and hands its methods to the code that
 * reports: the Slack edge (requests received), the Slack client (API calls), the queue (waits),
 * the model loop (requests, tokens, tools, refusals) and the question pipeline (answers).
 * `/metrics` (ops/http.ts) renders the registry. A process serves only what it did itself; queue
 * counts (read from the shared Redis) are the same in every process.
 */
import { performance } from 'node:perf_hooks';
import type { Queue } from 'bullmq';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ModelUsage } from '../core/model-usage.js';
import { costUsd, priceFor, type PriceTable } from '../core/prices.js';

const PREFIX = 'aws_orchestrator_';

/** The states of a BullMQ job that /metrics reports, read at scrape time. */
const JOB_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'] as const;

/** Seconds: model and Slack latencies live between a tenth of a second and a minute. */
const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60];
/** Seconds: a whole answer takes seconds to minutes. */
const DURATION_BUCKETS = [0.5, 1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 300];
/** Seconds: a job normally waits milliseconds; seconds mean the workers are saturated. */
const WAIT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

const QUEUE_COUNT_TIMEOUT_MS = 1000;

export interface AnsweredQuestion {
  source: string;
  receivedAt: number;
}

export interface AnswerTimes {
  status: string;
  firstVisibleAt?: number | undefined;
  finishedAt: number;
  servedFrom?: 'cache' | 'shared' | undefined;
}

function createCounters(registry: Registry, watchedQueue: () => Queue | undefined) {
  const registers = [registry];
  return {
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
        const queue = watchedQueue();
        if (!queue) return;
        const counts = await withTimeout(queue.getJobCounts(...JOB_STATES), QUEUE_COUNT_TIMEOUT_MS).catch(() => undefined);
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
      help: 'Questions answered by this worker, by how they were asked (source) and how the answer ended (answered, truncated, refused, stopped, failed, over-limit).',
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
      help: 'Streaming requests sent to the model API (each retry and tool round counts), by model.',
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
    modelRefusals: new Counter({
      name: `${PREFIX}model_refusals_total`,
      help: "Answers the model declined (stop_reason refusal), by model and the refusal's category.",
      labelNames: ['model', 'category'] as const,
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
      help: 'Estimated cost of model requests in US dollars, by model (the price table of src/core/prices.ts with MODEL_PRICES_JSON on top, each request in its price band; models without a price are not counted).',
      labelNames: ['model'] as const,
      registers,
    }),
    toolCalls: new Counter({
      name: `${PREFIX}tool_calls_total`,
      help: 'Tool calls made by the model loop, by tool and outcome (ok, error).',
      labelNames: ['tool', 'outcome'] as const,
      registers,
    }),
    toolDuration: new Histogram({
      name: `${PREFIX}tool_call_seconds`,
      help: 'Time a tool call took, by tool.',
      labelNames: ['tool'] as const,
      buckets: LATENCY_BUCKETS,
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
}

export class Metrics {
  readonly registry = new Registry();
  private watchedQueue: Queue | undefined;
  private readonly counters = createCounters(this.registry, () => this.watchedQueue);

  constructor(private readonly prices: PriceTable) {}

  /** CPU, memory, event-loop lag and the like, for the process serving /metrics. */
  collectProcessMetrics(): void {
    collectDefaultMetrics({ register: this.registry, prefix: PREFIX });
  }

  /** The queue whose job counts /metrics reports. */
  watchQueue(queue: Queue): void {
    this.watchedQueue = queue;
  }

  readonly slackRequest = (kind: string, name: string): void => {
    this.counters.slackRequestsReceived.inc({ kind, name });
  };

  /** One HTTP request to the Slack Web API; status is the HTTP status, or undefined for a network error. */
  readonly slackApiCall = (method: string, status: number | undefined): void => {
    this.counters.slackApiCalls.inc({ method, status: status === undefined ? 'network_error' : String(status) });
    if (status === 429) this.counters.slackRateLimited.inc({ method });
  };

  readonly jobStarted = (kind: string, receivedAt: number, now = Date.now()): void => {
    this.counters.queueWait.observe({ kind }, Math.max(0, now - receivedAt) / 1000);
  };

  /** How one question ended, as the worker saw it. */
  readonly answered = (question: AnsweredQuestion, outcome: AnswerTimes): void => {
    const labels = { source: question.source, status: outcome.status };
    this.counters.answers.inc(labels);
    this.counters.answerDuration.observe(labels, Math.max(0, outcome.finishedAt - question.receivedAt) / 1000);
    if (outcome.firstVisibleAt !== undefined && outcome.status !== 'failed') {
      this.counters.firstVisible.observe({ source: question.source }, Math.max(0, outcome.firstVisibleAt - question.receivedAt) / 1000);
    }
    if (outcome.servedFrom === 'cache') this.counters.answerCacheHits.inc();
    if (outcome.servedFrom === 'shared') this.counters.answersShared.inc();
  };

  /** One model request, from sending it to its end. */
  readonly requestStarted = (model: string): { firstText(): void; succeeded(usage: ModelUsage): void; failed(kind: string): void } => {
    const startedAt = performance.now();
    let sawText = false;
    this.counters.modelRequests.inc({ model });
    return {
      firstText: () => {
        if (sawText) return;
        sawText = true;
        this.counters.modelFirstToken.observe({ model }, (performance.now() - startedAt) / 1000);
      },
      succeeded: (usage) => {
        this.counters.modelTokens.inc({ model, type: 'input' }, usage.inputTokens);
        this.counters.modelTokens.inc({ model, type: 'output' }, usage.outputTokens);
        this.counters.modelTokens.inc({ model, type: 'cache_read' }, usage.cacheReadTokens);
        this.counters.modelTokens.inc({ model, type: 'cache_write' }, usage.cacheWriteTokens);
        const price = priceFor(this.prices, model);
        const cost = price ? costUsd(usage, price) : 0;
        if (cost > 0) this.counters.modelCost.inc({ model }, cost);
      },
      failed: (kind) => {
        this.counters.modelErrors.inc({ model, type: kind });
      },
    };
  };

  readonly toolFinished = (tool: string, isError: boolean, durationMs: number): void => {
    this.counters.toolCalls.inc({ tool, outcome: isError ? 'error' : 'ok' });
    this.counters.toolDuration.observe({ tool }, durationMs / 1000);
  };

  readonly refused = (model: string, category: string | null): void => {
    this.counters.modelRefusals.inc({ model, category: category ?? 'none' });
  };

  /** A 👍/👎 that changed something (a repeated identical vote is not counted). */
  readonly voted = (vote: 'up' | 'down'): void => {
    this.counters.feedbackVotes.inc({ vote });
  };

  /** How many metrics this class defines (for the registry's own test). */
  get definedCount(): number {
    return Object.keys(this.counters).length;
  }
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
