import type { WebClient } from '@slack/web-api';
import { afterPush, decideUpdate, type CadencePolicy, type CadenceState } from '../core/cadence.js';
import { answerBlocks, type AnswerState } from '../core/answer-blocks.js';
import type { BotMessageKind } from '../core/conversation.js';
import { toSlackMrkdwn, toSlackMrkdwnPartial } from '../core/slack-format.js';
import { splitForSlack } from '../core/split-message.js';
import type { Logger } from '../ops/logger.js';
import { rateLimitedForMs, sleep, slackErrorCode, withRateLimitRetry } from '../slack/client.js';
import type { SlackBudget } from './slack-budget.js';

/**
 * The one place that writes answers to Slack. It knows the shared rate budget, the update
 * cadence and Slack's message size, so no other code calls chat.update or chat.postMessage for
 * an answer.
 */
export const METADATA_EVENT = 'aws_orchestrator_message';

export interface MessageMetadataPayload {
  kind: BotMessageKind;
  job?: string;
  asked_by?: string;
}

export interface AnswerPlace {
  teamId: string;
  channel: string;
  threadTs: string;
  jobId: string;
}

export interface PublisherOptions {
  cadence: CadencePolicy;
  maxMessageChars: number;
}

export const THINKING_TEXT = ':hourglass_flowing_sand: _Thinking…_';

/** Told about every message the bot posts or finally updates in a thread (answer/thread-cache.ts). */
export interface WrittenAnswers {
  written(place: WrittenPlace, ts: string, text: string, metadata: MessageMetadataPayload): Promise<void>;
}

export type WrittenPlace = Omit<AnswerPlace, 'jobId' | 'threadTs'> & { threadTs?: string };

export class SlackPublisher {
  constructor(
    private readonly slack: WebClient,
    /** Shared with the native text stream (answer/native-stream.ts), whose methods it budgets too. */
    readonly budget: SlackBudget,
    private readonly options: PublisherOptions,
    private readonly logger: Logger,
    private readonly writtenAnswers?: WrittenAnswers,
  ) {}

  /** Posts a bot message in a thread (placeholder, notice, question), waiting out rate limits. */
  async post(place: Omit<AnswerPlace, 'jobId'> & { jobId?: string }, text: string, kind: BotMessageKind, extra: { blocks?: unknown[]; askedBy?: string } = {}): Promise<string> {
    const payload: MessageMetadataPayload = { kind, ...(place.jobId ? { job: place.jobId } : {}), ...(extra.askedBy ? { asked_by: extra.askedBy } : {}) };
    await this.waitForSlot('chat.postMessage', place.channel);
    const result = await withRateLimitRetry(
      () =>
        this.slack.chat.postMessage({
          channel: place.channel,
          ...(place.threadTs ? { thread_ts: place.threadTs } : {}),
          text,
          ...(extra.blocks ? { blocks: extra.blocks as never } : {}),
          metadata: { event_type: METADATA_EVENT, event_payload: payload as never },
          unfurl_links: false,
          unfurl_media: false,
        }),
      (waitMs) => this.budget.rateLimited('chat.postMessage', place.channel, waitMs),
    );
    await this.tellWritten(place, result.ts as string, text, payload);
    return result.ts as string;
  }

  async postPlaceholder(place: AnswerPlace): Promise<string> {
    return this.post(place, THINKING_TEXT, 'answer', { blocks: answerBlocks({ mrkdwn: THINKING_TEXT, state: 'thinking', jobId: place.jobId }) });
  }

  async postEphemeral(channel: string, user: string, text: string, threadTs?: string): Promise<void> {
    await withRateLimitRetry(() => this.slack.chat.postEphemeral({ channel, user, text, ...(threadTs ? { thread_ts: threadTs } : {}) }));
  }

  /**
   * Starts showing an answer in its placeholder message. The workspace's update budget keeps a
   * token for this answer's final update from now on (registered before any model call, so a
   * burst of questions is counted before their intermediate updates spend the budget).
   */
  stream(place: AnswerPlace, answerTs: string, extraTs: readonly string[] = []): StreamingAnswer {
    // The publisher is shared by every job: an answer's lines must still name their job.
    const log = this.logger.child({ jobId: place.jobId, teamId: place.teamId, channel: place.channel, threadTs: place.threadTs });
    this.budget.answerStarted(place.teamId, place.jobId).catch((error: unknown) => log.warn({ err: error }, 'could not register the answer with the update budget'));
    return new StreamingAnswer(this, place, answerTs, extraTs, this.options, log);
  }

  async waitForSlot(method: 'chat.update' | 'chat.postMessage', scope: string, answer?: string): Promise<void> {
    const waitMs = (await this.budget.take(method, scope, 'final', answer)) ?? 0;
    if (waitMs > 0) await sleep(waitMs);
  }

  /**
   * An intermediate update that is skipped rather than waited for when the budget is spent. The
   * message is rendered only once the budget allows it: under load most attempts are skipped, and
   * formatting the whole answer so far for each of them took a third of a busy worker's CPU.
   */
  async tryIntermediateUpdate(place: AnswerPlace, ts: string, render: () => { text: string; blocks: unknown[] }): Promise<boolean> {
    if ((await this.budget.take('chat.update', place.teamId, 'intermediate', place.jobId)) === undefined) return false;
    const { text, blocks } = render();
    try {
      await this.slack.chat.update({ channel: place.channel, ts, text, blocks: blocks as never });
      return true;
    } catch (error) {
      const waitMs = rateLimitedForMs(error);
      if (waitMs === undefined) throw error;
      await this.budget.rateLimited('chat.update', place.teamId, waitMs);
      return false;
    }
  }

  /** A final update: waits its turn in the budget and out any 429, so it is never dropped. */
  async finalUpdate(place: AnswerPlace, ts: string, text: string, blocks: unknown[], state: MessageMetadataPayload): Promise<void> {
    await this.waitForSlot('chat.update', place.teamId, place.jobId);
    await withRateLimitRetry(
      () =>
        this.slack.chat.update({
          channel: place.channel,
          ts,
          text,
          blocks: blocks as never,
          metadata: { event_type: METADATA_EVENT, event_payload: state as never },
        }),
      (waitMs) => this.budget.rateLimited('chat.update', place.teamId, waitMs),
    );
    await this.tellWritten(place, ts, text, state);
  }

  /** What was written stays written: keeping a cached copy of the thread in step is best effort. */
  private async tellWritten(place: WrittenPlace, ts: string, text: string, metadata: MessageMetadataPayload): Promise<void> {
    await this.writtenAnswers?.written(place, ts, text, metadata).catch((error: unknown) => this.logger.warn({ err: error }, 'could not add a written message to the cached thread'));
  }
}

export interface FinishOptions {
  state: Extract<AnswerState, 'done' | 'truncated' | 'stopped' | 'failed' | 'notice'>;
  footnote?: string;
}

/**
 * One answer being written. show() never blocks the model stream: it records the newest text
 * and at most one update is in flight; whatever arrived meanwhile goes out with the next one.
 */
export class StreamingAnswer {
  private latest = '';
  private cadence: CadenceState = { lastPushAt: undefined, lastPushedLength: 0 };
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private finished = false;
  private showingStatus = false;
  private lastShown = '';
  /** When the first model text became visible in Slack (ms epoch). */
  firstVisibleAt: number | undefined;

  constructor(
    private readonly publisher: SlackPublisher,
    readonly place: AnswerPlace,
    readonly answerTs: string,
    /** Follow-up messages of a long answer already posted by an earlier attempt of this job. */
    private extraTs: readonly string[],
    private readonly options: PublisherOptions,
    private readonly logger: Logger,
  ) {}

  /** The whole answer text so far (model Markdown); replaces what was shown. */
  show(markdownSoFar: string): void {
    if (this.finished) return;
    if (this.showingStatus) {
      this.showingStatus = false;
      this.cadence = { lastPushAt: this.cadence.lastPushAt, lastPushedLength: 0 };
    }
    this.latest = markdownSoFar;
    this.schedule();
  }

  /**
   * A retried model call starts over: a short status replaces what the failed attempt showed,
   * and the next attempt's text replaces the status as soon as it arrives.
   */
  restart(status: string): void {
    if (this.finished) return;
    this.latest = status;
    this.showingStatus = true;
    this.cadence = { lastPushAt: this.cadence.lastPushAt, lastPushedLength: 0 };
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.inFlight || this.latest === this.lastShown) return;
    const decision = decideUpdate(this.cadence, this.latest.length, Date.now(), this.options.cadence);
    if (!decision.push) {
      if (this.latest.length > this.cadence.lastPushedLength) this.timer = setTimeout(() => this.fire(), decision.retryInMs);
      return;
    }
    this.fire();
  }

  private fire(): void {
    this.timer = undefined;
    if (this.finished || this.latest.length === 0) return;
    const text = this.latest;
    const isStatus = this.showingStatus;
    const attemptAt = Date.now();
    this.inFlight = this.pushIntermediate(text)
      .then((sent) => {
        if (sent) {
          this.lastShown = text;
          if (!isStatus) this.firstVisibleAt ??= Date.now();
          // A status line does not count as answer text: the next answer text must replace it.
          this.cadence = afterPush(isStatus ? 0 : text.length, attemptAt);
        } else {
          this.cadence = { ...this.cadence, lastPushAt: attemptAt };
        }
      })
      .catch((error: unknown) => this.logger.warn({ err: error, slackError: slackErrorCode(error) }, 'intermediate update failed'))
      .finally(() => {
        this.inFlight = undefined;
        if (!this.finished) this.schedule();
      });
  }

  private async pushIntermediate(markdown: string): Promise<boolean> {
    return this.publisher.tryIntermediateUpdate(this.place, this.answerTs, () => {
      const mrkdwn = limitForStreaming(toSlackMrkdwnPartial(markdown), this.options.maxMessageChars);
      return { text: mrkdwn, blocks: answerBlocks({ mrkdwn, state: 'streaming', jobId: this.place.jobId }) };
    });
  }

  /**
   * Shows the complete answer: the placeholder gets the first part, long answers continue in
   * follow-up messages in the thread (reusing those an earlier attempt posted). Returns the ts of
   * every follow-up message so the job can remember them.
   */
  async finish(markdown: string, options: FinishOptions, onFollowUps?: (ts: string[]) => Promise<void>): Promise<string[]> {
    this.finished = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight;
    const mrkdwn = options.state === 'notice' || options.state === 'failed' ? markdown : toSlackMrkdwn(markdown);
    const parts = splitForSlack(mrkdwn.length > 0 ? mrkdwn : ' ', this.options.maxMessageChars);
    const followUps: string[] = [];
    const metadata: MessageMetadataPayload = { kind: options.state === 'failed' || options.state === 'notice' ? 'notice' : 'answer', job: this.place.jobId };
    for (const [index, part] of parts.entries()) {
      const isLast = index === parts.length - 1;
      const blocks = answerBlocks({
        mrkdwn: part,
        state: options.state,
        jobId: this.place.jobId,
        withControls: isLast,
        ...(isLast && options.footnote ? { footnote: options.footnote } : {}),
      });
      if (index === 0) {
        await this.updateOrRepost(part, blocks, metadata);
        continue;
      }
      const existing = this.extraTs[index - 1];
      if (existing) await this.publisher.finalUpdate(this.place, existing, part, blocks, metadata);
      else followUps.push(await this.publisher.post(this.place, part, metadata.kind, { blocks }));
    }
    if (followUps.length > 0) {
      this.extraTs = [...this.extraTs, ...followUps];
      await onFollowUps?.([...this.extraTs]);
    }
    this.firstVisibleAt ??= Date.now();
    return [...this.extraTs];
  }

  /** The placeholder may have been deleted by someone meanwhile: then the answer is posted anew. */
  private async updateOrRepost(text: string, blocks: unknown[], metadata: MessageMetadataPayload): Promise<void> {
    try {
      await this.publisher.finalUpdate(this.place, this.answerTs, text, blocks, metadata);
    } catch (error) {
      if (slackErrorCode(error) !== 'message_not_found') throw error;
      this.logger.warn({ ts: this.answerTs }, 'answer placeholder disappeared; posting the answer as a new message');
      await this.publisher.post(this.place, text, metadata.kind, { blocks });
    }
  }
}

/** Mid-stream, an answer longer than one message shows its beginning; the rest follows at the end. */
function limitForStreaming(mrkdwn: string, maxChars: number): string {
  if (mrkdwn.length <= maxChars) return mrkdwn;
  const [first = ''] = splitForSlack(mrkdwn, maxChars - 40);
  return `${first}\n_…continued below when complete_`;
}
