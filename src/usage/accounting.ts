import type { RedisClient } from '../ops/redis.js';
import type { Admission } from '../core/limit-rules.js';
import { totalUsage, type ModelCall } from '../core/model-usage.js';
import { callsCostNanoUsd, type PriceTable } from '../core/prices.js';
import type { AnswerUsage } from '../core/usage-tally.js';
import type { Logger } from '../ops/logger.js';
import type { RedisKeys } from '../ops/redis-keys.js';
import { Limits, type AdmissionRequest, type LimitSettings } from './limits.js';
import { UsageStore } from './usage-store.js';

/**
 * Token and cost accounting as the worker sees it: who may ask now (rate and budgets) and what
 * each answer is recorded as. Enforced where a job becomes a model call, which every way of
 * asking goes through; the rate is counted by when a question was asked, so a backlog is judged
 * as it was asked. One object per worker process (main.ts).
 */
export interface AnsweredQuestion {
  teamId: string;
  channel: string;
  userId: string;
  receivedAt: number;
}

/** What an answer reports about itself (model/answer.ts AnswerOutcome, as far as usage goes). */
export interface AnswerRecord {
  status: string;
  calls: readonly ModelCall[];
  model?: string | undefined;
  firstTokenAt?: number | undefined;
  finishedAt: number;
  servedFrom?: 'cache' | 'shared' | undefined;
  toolCalls: number;
}

export class Accounting {
  readonly store: UsageStore;
  private readonly limits: Limits;

  constructor(redis: RedisClient, keys: RedisKeys, settings: LimitSettings & { retentionDays: number }, private readonly prices: PriceTable) {
    this.store = new UsageStore(redis, keys, settings.retentionDays);
    this.limits = new Limits(redis, keys, settings);
  }

  admit(question: AdmissionRequest, jobId: string): Promise<Admission> {
    return this.limits.admit(question, jobId);
  }

  /** Adds an answer to today's aggregates. Never fails the answer: a lost record is logged. */
  async record(question: AnsweredQuestion, outcome: AnswerRecord, logger: Logger): Promise<void> {
    // Refused by a limit: nothing was asked of the model.
    if (outcome.status === 'over-limit') return;
    const servedFrom = outcome.servedFrom ?? 'model';
    const record: AnswerUsage = {
      teamId: question.teamId,
      channel: question.channel,
      userId: question.userId,
      model: outcome.model,
      usage: totalUsage(outcome.calls),
      servedFrom,
      costNano: servedFrom !== 'model' ? 0 : callsCostNanoUsd(this.prices, outcome.calls),
      firstTokenMs: outcome.firstTokenAt !== undefined ? outcome.firstTokenAt - question.receivedAt : undefined,
      durationMs: outcome.finishedAt - question.receivedAt,
      toolCalls: outcome.toolCalls,
      declined: outcome.status === 'refused',
    };
    try {
      await this.store.record(record);
    } catch (error) {
      logger.error({ err: error, usage: record.usage }, 'could not record usage');
    }
  }
}
