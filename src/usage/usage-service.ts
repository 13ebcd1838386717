import type { Redis } from 'ioredis';
import type { AnswerOutcome } from '../answer/answer-question.js';
import { postToResponseUrl } from '../answer/response-url.js';
import type { SlackPublisher } from '../answer/slack-publisher.js';
import type { Config } from '../config.js';
import { streamAnswer } from '../model/claude.js';
import type { Logger } from '../ops/logger.js';
import type { RedisKeys } from '../ops/redis-keys.js';
import type { QuestionJob, UsageReportJob } from '../queue/jobs.js';
import { slackErrorCode } from '../slack/client.js';
import { AnswerCache } from './answer-cache.js';
import { FeedbackStore } from './feedback-store.js';
import { InflightAnswers } from './inflight.js';
import { Limits, type AdmissionRequest } from './limits.js';
import { refusalText, type Admission } from './limit-rules.js';
import { costNanoUsd, priceFor, type PriceTable } from './prices.js';
import { formatUsageReport } from './report-format.js';
import { sharedModelStream, type ModelStreamFn } from './shared-model-stream.js';
import { usageEvents } from './usage-events.js';
import type { AnswerUsage } from './usage-fields.js';
import { UsageStore } from './usage-store.js';

/**
 * Token and cost management as the worker sees it: who may ask now (rate and budgets), where a
 * first question's answer comes from (cache, a shared call, or the model), what each answer is
 * recorded as, and the `/aws usage` report. One object per worker process (main.ts).
 */
export const REPORT_DAYS = 30;

export class UsageService {
  readonly store: UsageStore;
  readonly limits: Limits;
  readonly feedback: FeedbackStore;
  private readonly cache: AnswerCache;
  private readonly inflight: InflightAnswers;

  constructor(
    private readonly config: Config,
    redis: Redis,
    keys: RedisKeys,
    private readonly prices: PriceTable,
    private readonly logger: Logger,
  ) {
    this.store = new UsageStore(redis, keys, config.usage.retentionDays);
    this.limits = new Limits(redis, keys, config.usage);
    this.feedback = new FeedbackStore(redis, keys, config.usage.retentionDays);
    this.cache = new AnswerCache(redis, keys, config.usage.answerCacheTtlSeconds);
    this.inflight = new InflightAnswers(redis, keys, logger);
  }

  admit(question: AdmissionRequest, jobId: string): Promise<Admission> {
    return this.limits.admit(question, jobId);
  }

  /** Admits the question, or tells the person (through `tell`) why not and when to ask again. */
  async admitOrTell(question: AdmissionRequest, jobId: string, tell: (text: string) => Promise<void>, logger: Logger): Promise<boolean> {
    const admission = await this.admit(question, jobId);
    if (admission.kind === 'admitted') return true;
    logger.info({ refusal: admission.kind, userId: question.userId }, 'question refused by usage limits');
    await tell(refusalText(admission, Date.now()));
    return false;
  }

  /**
   * Tells the person privately in the question's thread. If Slack refuses the ephemeral message,
   * the note is posted in the thread instead: a question is never left without a word.
   */
  async tellInThread(question: QuestionJob, text: string, publisher: SlackPublisher, logger: Logger): Promise<void> {
    try {
      await publisher.postEphemeral(question.channel, question.userId, text, question.threadTs);
    } catch (error) {
      if (slackErrorCode(error) === undefined) throw error;
      logger.warn({ slackError: slackErrorCode(error) }, 'could not tell the refusal privately; posting it in the thread');
      await publisher.post({ teamId: question.teamId, channel: question.channel, threadTs: question.threadTs }, text, 'notice');
    }
  }

  /**
   * The model stream for a question: for a first question in a new thread (while ANSWER_CACHE is
   * on), one that reuses a cached or in-flight answer; undefined (call the model) otherwise.
   * Follow-ups and Continue never reuse anything: their answer depends on the thread.
   */
  modelStreamFor(jobId: string, question: QuestionJob): ModelStreamFn | undefined {
    if (!this.config.usage.answerCache) return undefined;
    if (question.threadTs !== question.messageTs || question.continueFromTs) return undefined;
    return sharedModelStream(streamAnswer, { cache: this.cache, inflight: this.inflight, logger: this.logger }, { jobId, userId: question.userId });
  }

  /** Adds an answer to today's aggregates. Never fails the answer: a lost record is logged. */
  async recordAnswer(question: Pick<QuestionJob, 'teamId' | 'channel' | 'userId' | 'receivedAt'>, outcome: AnswerOutcome, logger: Logger): Promise<void> {
    // Stopped and failed calls end without the API's usage numbers; only answers carry them.
    if (!outcome.usage) return;
    const servedFrom = outcome.servedFrom ?? 'model';
    const price = outcome.model ? priceFor(this.prices, outcome.model) : undefined;
    const record: AnswerUsage = {
      teamId: question.teamId,
      channel: question.channel,
      userId: question.userId,
      model: outcome.model,
      usage: outcome.usage,
      servedFrom,
      costNano: servedFrom !== 'model' ? 0 : price ? costNanoUsd(outcome.usage, price) : undefined,
      firstTokenMs: outcome.firstTokenAt !== undefined ? outcome.firstTokenAt - question.receivedAt : undefined,
      durationMs: outcome.finishedAt - question.receivedAt,
    };
    try {
      await this.store.record(record);
      usageEvents.emit('answer', record);
    } catch (error) {
      logger.error({ err: error, usage: outcome.usage }, 'could not record usage');
    }
  }

  /** `/aws usage`, computed in the worker and sent privately through the command's response_url. */
  async sendReport(job: UsageReportJob): Promise<void> {
    const isAdmin = this.config.usage.adminUserIds.includes(job.userId);
    const [today, period, feedback] = await Promise.all([
      this.store.tally(job.teamId, 1),
      this.store.tally(job.teamId, REPORT_DAYS),
      isAdmin ? this.feedback.counts(job.teamId, REPORT_DAYS) : Promise.resolve(undefined),
    ]);
    const text = formatUsageReport({
      userId: job.userId,
      isAdmin,
      days: REPORT_DAYS,
      today,
      period,
      ...(feedback ? { feedback } : {}),
      limits: this.config.usage,
    });
    await postToResponseUrl(job.responseUrl, { text });
  }
}
