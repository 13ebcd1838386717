/**
 * From answer timelines to the figures the bench reports: overhead to first visible text, final
 * lag against Slack's lower bound, and whether every answer arrived exactly once and complete.
 * Pure: the timelines already hold every time that matters.
 */
import { finalLagBounds, type WindowLimit } from './slack-bound.js';
import { percentileWithMissing, summarize, type Summary } from './stats.js';
import type { AnswerTimeline } from './timelines.js';

export interface Delivery {
  asked: number;
  complete: number;
  /** No answer message at all. */
  lost: number;
  /** More than one answer message, or more than one model call, for one question. */
  duplicated: number;
  /** An answer message that never showed the complete text. */
  incomplete: number;
}

export interface StreamingFigures {
  delivery: Delivery;
  /** Request sent → the first bot message in the question's thread (ms): the sign of receipt. */
  receipt: Summary;
  /** First model text visible in Slack minus the time the model sent it (ms). */
  overheadToFirstVisible: Summary;
  /** Of that: until the bot's write reached Slack (the rest is Slack applying it). */
  firstVisibleBotSide: Summary;
  /** Complete answer visible minus the model's last token (ms), complete answers only. */
  finalLag: Summary;
  /** p99 of final lag with answers that never completed counted as infinitely late. */
  finalLagP99WithMissing: number;
  /** The same, as low as Slack's chat.update limit allows for these last-token times. */
  finalLagBound: Summary;
  /** Last token → first write to the answer after it (the bot's own waiting: budget, an update in flight). */
  finalLagBotWait: Summary;
  /** First write after the last token → the write that showed the complete answer (429s and their waits). */
  finalLagRateLimited: Summary;
  /** 429s per answer on writes after its last token. */
  rateLimitedAfterLastToken: Summary;
  /** Request sent → complete answer visible (ms). */
  endToEnd: Summary;
  /** Request sent → model called (ms): acknowledgement, queue, placeholder, thread read. */
  sentToModel: Summary;
}

export function streamingFigures(timelines: readonly AnswerTimeline[], limit: WindowLimit): StreamingFigures {
  const defined = (values: Array<number | undefined>): number[] => values.filter((value): value is number => value !== undefined && Number.isFinite(value));
  const complete = timelines.filter((t) => t.completeAt !== undefined);
  const streamed = timelines.filter((t) => t.lastTokenAt !== undefined);
  const lags = defined(complete.map((t) => diff(t.completeAt, t.lastTokenAt)));
  const bounds = finalLagBounds(
    streamed.map((t) => t.lastTokenAt!),
    limit,
  );
  return {
    delivery: {
      asked: timelines.length,
      complete: complete.length,
      lost: timelines.filter((t) => t.answerMessages === 0).length,
      duplicated: timelines.filter((t) => t.answerMessages > 1 || t.modelCalls > 1).length,
      incomplete: timelines.filter((t) => t.answerMessages > 0 && t.completeAt === undefined).length,
    },
    receipt: summarize(defined(timelines.map((t) => diff(t.receiptAt, t.sentAt)))),
    overheadToFirstVisible: summarize(defined(timelines.map((t) => diff(t.firstVisibleAt, t.firstTokenAt)))),
    firstVisibleBotSide: summarize(defined(timelines.map((t) => diff(t.firstVisibleCallAt, t.firstTokenAt)))),
    finalLag: summarize(lags),
    finalLagP99WithMissing: percentileWithMissing(lags, timelines.length - complete.length, 99),
    finalLagBound: summarize(bounds),
    finalLagBotWait: summarize(defined(complete.map((t) => diff(t.firstWriteAfterLastTokenAt, t.lastTokenAt)))),
    finalLagRateLimited: summarize(defined(complete.map((t) => diff(t.completeCallAt, t.firstWriteAfterLastTokenAt)))),
    rateLimitedAfterLastToken: summarize(streamed.map((t) => t.rateLimitedAfterLastToken)),
    endToEnd: summarize(defined(complete.map((t) => diff(t.completeAt, t.sentAt)))),
    sentToModel: summarize(defined(timelines.map((t) => diff(t.modelCalledAt, t.sentAt)))),
  };
}

function diff(later: number | undefined, earlier: number | undefined): number | undefined {
  return later !== undefined && earlier !== undefined ? later - earlier : undefined;
}
