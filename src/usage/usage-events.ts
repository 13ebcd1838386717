import { EventEmitter } from 'node:events';
import type { AnswerUsage } from './usage-fields.js';
import type { Vote, VoteChange } from './feedback-store.js';

/**
 * In-process notices of what usage accounting recorded, for code that keeps its own counters
 * (the Prometheus metrics): subscribe with `usageEvents.on('answer' | 'feedback', …)`. The
 * durable numbers are the Redis aggregates (UsageStore.tally, FeedbackStore.counts).
 */
export interface UsageEventMap {
  answer: [AnswerUsage];
  feedback: [{ teamId: string; jobId: string; userId: string; vote: Vote; change: VoteChange }];
}

export const usageEvents = new EventEmitter<UsageEventMap>();
