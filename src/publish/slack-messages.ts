import type { WebClient } from '@slack/web-api';
import { answerBlocks } from '../core/answer-blocks.js';
import type { BotMessageKind } from '../core/conversation.js';
import { THINKING_STATUS_TEXT } from '../model/answer.js';
import type { Logger } from '../ops/logger.js';
import type { SlackBudget, SlackWriteMethod } from './slack-budget.js';
import { rateLimitedForMs, sleep, withRateLimitRetry } from './slack-web.js';
import type { PushResult } from './update-pump.js';

/**
 * The one place that writes the bot's messages to Slack. Every write goes through one of two
 * policies over the shared budget (publish/slack-budget.ts): an intermediate write is skipped
 * when the budget is spent or Slack answers 429 (the next one carries newer content anyway), a
 * final write waits its turn and out any 429, so it is never lost.
 */
export const METADATA_EVENT = 'aws_orchestrator_message';

export interface MessageMetadataPayload {
  kind: BotMessageKind;
  job?: string;
  asked_by?: string;
  /** On the note that replaced a declined answer: it and the question it answers are left out of later history. */
  refused?: boolean;
}

export interface AnswerPlace {
  teamId: string;
  channel: string;
  threadTs: string;
  jobId: string;
}

export type PostPlace = Omit<AnswerPlace, 'jobId'> & { jobId?: string };


/** Told about every message the bot posts or finally updates in a thread (answer/thread-cache.ts). */
export interface WrittenMessages {
  written(place: WrittenPlace, ts: string, text: string, metadata: MessageMetadataPayload): Promise<void>;
}

export type WrittenPlace = Omit<AnswerPlace, 'jobId' | 'threadTs'> & { threadTs?: string };

export class SlackMessages {
  constructor(
    readonly slack: WebClient,
    readonly budget: SlackBudget,
    private readonly logger: Logger,
    private readonly writtenMessages?: WrittenMessages,
  ) {}

  /** An intermediate write: sent now if the budget allows, else skipped. `answer` is the answer it belongs to. */
  async attempt(method: SlackWriteMethod, scope: string, answer: string, call: () => Promise<unknown>): Promise<PushResult> {
    if ((await this.budget.take(method, scope, 'intermediate', answer)) === undefined) return 'skipped';
    try {
      await call();
      return 'sent';
    } catch (error) {
      const waitMs = rateLimitedForMs(error);
      if (waitMs === undefined) throw error;
      await this.budget.rateLimited(method, scope, waitMs);
      return 'skipped';
    }
  }

  /** A write that must happen: it waits for its slot in the budget and out any 429. */
  async ensure<T>(method: SlackWriteMethod, scope: string, answer: string | undefined, call: () => Promise<T>): Promise<T> {
    const waitMs = (await this.budget.take(method, scope, 'final', answer)) ?? 0;
    if (waitMs > 0) await sleep(waitMs);
    return withRateLimitRetry(call, (retryAfterMs) => this.budget.rateLimited(method, scope, retryAfterMs));
  }

  /** Posts a bot message (placeholder, notice, question), in a thread when threadTs is set. */
  async post(place: PostPlace, text: string, kind: BotMessageKind, extra: { blocks?: unknown[]; askedBy?: string } = {}): Promise<string> {
    const payload: MessageMetadataPayload = { kind, ...(place.jobId ? { job: place.jobId } : {}), ...(extra.askedBy ? { asked_by: extra.askedBy } : {}) };
    const result = await this.ensure('chat.postMessage', place.channel, undefined, () =>
      this.slack.chat.postMessage({
        channel: place.channel,
        ...(place.threadTs ? { thread_ts: place.threadTs } : {}),
        text,
        ...(extra.blocks ? { blocks: extra.blocks as never } : {}),
        metadata: { event_type: METADATA_EVENT, event_payload: payload as never },
        unfurl_links: false,
        unfurl_media: false,
      }),
    );
    await this.tellWritten(place, result.ts as string, text, payload);
    return result.ts as string;
  }

  async postPlaceholder(place: AnswerPlace): Promise<string> {
    return this.post(place, THINKING_STATUS_TEXT, 'answer', { blocks: answerBlocks({ mrkdwn: THINKING_STATUS_TEXT, state: 'thinking', jobId: place.jobId }) });
  }

  async postEphemeral(channel: string, user: string, text: string, threadTs?: string): Promise<void> {
    await withRateLimitRetry(() => this.slack.chat.postEphemeral({ channel, user, text, ...(threadTs ? { thread_ts: threadTs } : {}) }));
  }

  /** A final update of a message: never dropped; the thread's cached copy learns about it. */
  async finalUpdate(place: AnswerPlace, ts: string, text: string, blocks: unknown[], metadata: MessageMetadataPayload): Promise<void> {
    await this.ensure('chat.update', place.teamId, place.jobId, () =>
      this.slack.chat.update({ channel: place.channel, ts, text, blocks: blocks as never, metadata: { event_type: METADATA_EVENT, event_payload: metadata as never } }),
    );
    await this.tellWritten(place, ts, text, metadata);
  }

  /** An answer starts being written in a workspace: a token is kept for its final update from now on. */
  answerStarted(place: AnswerPlace, log: Logger): void {
    this.budget.answerStarted(place.teamId, place.jobId).catch((error: unknown) => log.warn({ err: error }, 'could not register the answer with the update budget'));
  }

  /** What was written stays written: keeping a cached copy of the thread in step is best effort. */
  private async tellWritten(place: WrittenPlace, ts: string, text: string, metadata: MessageMetadataPayload): Promise<void> {
    await this.writtenMessages?.written(place, ts, text, metadata).catch((error: unknown) => this.logger.warn({ err: error }, 'could not add a written message to the cached thread'));
  }
}
