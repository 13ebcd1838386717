import type { WebClient } from '@slack/web-api';
import { answerBlocks } from '../core/answer-blocks.js';
import type { BotMessageKind } from '../core/conversation.js';
import { THINKING_STATUS_TEXT } from '../model/answer.js';
import type { Logger } from '../ops/logger.js';
import type { SlackBudget, SlackWriteMethod, WriteEffect, WriteRequest } from './slack-budget.js';
import { rateLimitedForMs, sleep, slackErrorCode, withRateLimitRetry } from './slack-web.js';

/**
 * The one place that writes the bot's messages to Slack, each write through the shared scheduler
 * (publish/slack-budget.ts, where the policy is written out): an intermediate write is skipped
 * when its budget is spent or Slack answers 429 (the next one carries newer content anyway); a
 * write that must happen waits its turn and out any 429, so it is never lost; an answer's final
 * update that would have to wait is handed over to the pending finals, so that no worker waits
 * for Slack's budget, and written at its slot by whichever worker process is alive.
 */
export const METADATA_EVENT = 'aws_orchestrator_message';

export interface MessageMetadataPayload {
  kind: BotMessageKind;
  job?: string;
  asked_by?: string;
  /** On the note that replaced a declined answer: it and the question it answers are left out of later history. */
  refused?: boolean;
  /**
   * On the write that completes an answer (its message's final, or a long answer's last follow-up),
   * unless it is a failure, which its Retry runs again: a run of the job after a crash finds the
   * answer shown whole and asks the model nothing.
   */
  complete?: boolean;
}

export interface AnswerPlace {
  teamId: string;
  channel: string;
  threadTs: string;
  jobId: string;
}

export type PostPlace = Omit<AnswerPlace, 'jobId'> & { jobId?: string };

/** Told about every message the bot posts, finally updates or deletes in a thread (answer/thread-cache.ts). */
export interface WrittenMessages {
  written(place: WrittenPlace, ts: string, text: string, metadata: MessageMetadataPayload): Promise<void>;
  deleted(place: WrittenPlace, ts: string): Promise<void>;
}

export type WrittenPlace = Omit<AnswerPlace, 'jobId' | 'threadTs'> & { threadTs?: string };

/** sent: the write went out; skipped: the budget or Slack refused it, worth trying again after retryInMs (with newer content). */
export interface AttemptResult {
  result: 'sent' | 'skipped';
  retryInMs: number;
}

export type AttemptRequest = Omit<WriteRequest, 'priority'> & { priority: 'first' | 'intermediate' };

/** A final update waiting for its slot, as kept in Redis until it is written. */
interface DeferredFinal {
  place: AnswerPlace;
  ts: string;
  text: string;
  blocks: unknown[];
  metadata: MessageMetadataPayload;
  /** The slot reserved for it (ms epoch). */
  slotAt: number;
  attempts: number;
}

/** A claimed final not written within this long is taken over by another worker. */
const DEFERRED_LEASE_MS = 30_000;
/** How often a worker looks for finals whose worker died before writing them. */
const ORPHAN_POLL_MS = 10_000;
const CLAIM_AT_ONCE = 50;
/** A write that must happen waits out this many 429s before it gives up (minutes of throttling). */
const MAX_RATE_LIMITED_WAITS = 20;
/**
 * A claimed final this late past its slot (its worker died, another took it over) asks for a new
 * slot; a busy worker's own finals, a little late, keep theirs: a call that reaches Slack later
 * than its slot never makes a window fuller than the schedule it was counted in.
 */
const LATE_AFTER_MS = DEFERRED_LEASE_MS;
/** Network failures of a deferred final are tried again this often, this long apart at first. */
const DEFERRED_ATTEMPTS = 5;
const DEFERRED_RETRY_MS = 1000;

export class SlackMessages {
  private drainTimer: NodeJS.Timeout | undefined;
  private drainAt = Number.POSITIVE_INFINITY;
  private closed = false;

  constructor(
    readonly slack: WebClient,
    readonly budget: SlackBudget,
    private readonly logger: Logger,
    private readonly writtenMessages?: WrittenMessages,
  ) {
    this.armDrain(Date.now() + ORPHAN_POLL_MS);
  }

  /** An intermediate write (or an answer's first text): sent now if the budget allows, else skipped. */
  async attempt(request: AttemptRequest, call: () => Promise<unknown>): Promise<AttemptResult> {
    const grant = await this.budget.take(request);
    if (!grant.granted) return { result: 'skipped', retryInMs: grant.retryInMs };
    try {
      await call();
      return { result: 'sent', retryInMs: grant.paceMs };
    } catch (error) {
      const waitMs = rateLimitedForMs(error);
      if (waitMs === undefined) throw error;
      await this.budget.rateLimited(request.method, request.scope, waitMs);
      return { result: 'skipped', retryInMs: Math.max(waitMs, grant.paceMs) };
    }
  }

  /**
   * A write that must happen: it waits for its slot and out any 429 (after which it asks for the
   * earliest slot that fits, ahead of writes that asked after it). `hadSlot`: its first slot was
   * taken already.
   */
  async ensure<T>(request: Omit<WriteRequest, 'priority'>, call: () => Promise<T>, hadSlot = false): Promise<T> {
    for (let waits = 0; ; waits += 1) {
      const grant = await this.budget.take({ ...request, priority: waits === 0 && !hadSlot ? 'final' : 'final-front' });
      if (grant.granted && grant.waitMs > 0) await sleep(grant.waitMs);
      try {
        return await call();
      } catch (error) {
        const waitMs = rateLimitedForMs(error);
        if (waitMs === undefined || waits >= MAX_RATE_LIMITED_WAITS) throw error;
        await this.budget.rateLimited(request.method, request.scope, waitMs);
      }
    }
  }

  /** Posts a bot message (notice, question, a long answer's continuation), in a thread when threadTs is set. */
  async post(place: PostPlace, text: string, kind: BotMessageKind, extra: { blocks?: unknown[]; askedBy?: string; complete?: boolean | undefined } = {}): Promise<string> {
    const metadata: MessageMetadataPayload = { kind, ...(place.jobId ? { job: place.jobId } : {}), ...(extra.askedBy ? { asked_by: extra.askedBy } : {}), ...(extra.complete ? { complete: true } : {}) };
    const ts = await this.postMessage(place, text, metadata, extra.blocks, undefined);
    await this.tellWritten(place, ts, text, metadata);
    return ts;
  }

  /** Deletes a message the bot wrote in a thread; the thread's cached copy forgets it too. */
  async delete(place: WrittenPlace, ts: string): Promise<void> {
    await this.slack.chat.delete({ channel: place.channel, ts });
    await this.writtenMessages?.deleted(place, ts).catch((error: unknown) => this.logger.warn({ err: error }, 'could not remove a deleted message from the cached thread'));
  }

  /**
   * Posts an answer's own message: its first words or "Thinking…" (`effect` registers it with the
   * scheduler), or the whole answer (`complete`). Only a complete answer is told to the thread's
   * cached read: the rest is about to change.
   */
  async postAnswer(place: AnswerPlace, text: string, blocks: unknown[], metadata: MessageMetadataPayload, effect: WriteEffect | undefined, options: { complete?: boolean } = {}): Promise<string> {
    const ts = await this.postMessage(place, text, metadata, blocks, effect);
    if (options.complete) await this.tellWritten(place, ts, text, metadata);
    return ts;
  }

  async postPlaceholder(place: AnswerPlace): Promise<string> {
    return this.postAnswer(place, THINKING_STATUS_TEXT, answerBlocks({ mrkdwn: THINKING_STATUS_TEXT, state: 'thinking', jobId: place.jobId }), { kind: 'answer', job: place.jobId }, 'posted-receipt');
  }

  async postEphemeral(channel: string, user: string, text: string, threadTs?: string): Promise<void> {
    // Tier 4 and per person: not scheduled, but a 429 is waited out.
    await withRateLimitRetry(() => this.slack.chat.postEphemeral({ channel, user, text, ...(threadTs ? { thread_ts: threadTs } : {}) }));
  }

  /**
   * The final update of an answer's message: never dropped, and the thread's cached copy learns
   * about it. When its slot is now it is written at once ('sent'); otherwise it is handed to the
   * pending finals and written at its slot by a worker process ('deferred'), while the caller's
   * worker goes on to the next job.
   */
  async finalUpdate(place: AnswerPlace, ts: string, text: string, blocks: unknown[], metadata: MessageMetadataPayload): Promise<'sent' | 'deferred'> {
    const grant = await this.budget.take({ method: 'chat.update', scope: place.teamId, teamId: place.teamId, priority: 'final', answer: place.jobId, effect: 'done' });
    const waitMs = grant.granted ? grant.waitMs : 0;
    if (waitMs > 0) {
      const slotAt = Date.now() + waitMs;
      const deferred: DeferredFinal = { place, ts, text, blocks, metadata, slotAt, attempts: 0 };
      await this.budget.deferFinal({ member: JSON.stringify(deferred), dueAt: slotAt });
      await this.tellWritten(place, ts, text, metadata);
      this.armDrain(slotAt);
      return 'deferred';
    }
    await this.updateOrRepost(place, ts, text, blocks, metadata);
    await this.tellWritten(place, ts, text, metadata);
    return 'sent';
  }

  /** An answer starts being written in a workspace: room is kept for its final (and its first text) from now on. */
  answerStarted(place: AnswerPlace, log: Logger, showsText = false): void {
    this.budget.answerStarted(place.teamId, place.jobId, showsText).catch((error: unknown) => log.warn({ err: error }, 'could not register the answer with the Slack scheduler'));
  }

  /** Stops looking for pending finals (the process is shutting down; another worker writes them). */
  close(): void {
    this.closed = true;
    clearTimeout(this.drainTimer);
    this.drainTimer = undefined;
  }

  private async postMessage(place: PostPlace, text: string, metadata: MessageMetadataPayload, blocks: unknown[] | undefined, effect: WriteEffect | undefined): Promise<string> {
    const request = { method: 'chat.postMessage' as const, scope: place.channel, teamId: place.teamId, ...(place.jobId && effect ? { answer: place.jobId, effect } : {}) };
    const result = await this.ensure(request, () =>
      this.slack.chat.postMessage({
        channel: place.channel,
        ...(place.threadTs ? { thread_ts: place.threadTs } : {}),
        text,
        ...(blocks ? { blocks: blocks as never } : {}),
        metadata: { event_type: METADATA_EVENT, event_payload: metadata as never },
        unfurl_links: false,
        unfurl_media: false,
      }),
    );
    return result.ts as string;
  }

  private update(place: AnswerPlace, ts: string, text: string, blocks: unknown[], metadata: MessageMetadataPayload): Promise<unknown> {
    return this.slack.chat.update({ channel: place.channel, ts, text, blocks: blocks as never, metadata: { event_type: METADATA_EVENT, event_payload: metadata as never } });
  }

  /** The message may have been deleted by someone meanwhile: then the answer is posted anew. */
  private async updateOrRepost(place: AnswerPlace, ts: string, text: string, blocks: unknown[], metadata: MessageMetadataPayload): Promise<void> {
    try {
      await this.retryingRateLimits('chat.update', place.teamId, () => this.update(place, ts, text, blocks, metadata));
    } catch (error) {
      if (slackErrorCode(error) !== 'message_not_found') throw error;
      this.logger.warn({ ts, jobId: place.jobId }, 'answer message disappeared; posting the answer as a new message');
      await this.postMessage(place, text, metadata, blocks, undefined);
    }
  }

  /** A call whose slot was reserved already: only a 429 makes it ask for a new one. */
  private async retryingRateLimits<T>(method: SlackWriteMethod, scope: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      const waitMs = rateLimitedForMs(error);
      if (waitMs === undefined) throw error;
      await this.budget.rateLimited(method, scope, waitMs);
      return this.ensure({ method, scope, teamId: scope }, call, true);
    }
  }

  private armDrain(at: number): void {
    if (this.closed || (this.drainTimer && at >= this.drainAt)) return;
    clearTimeout(this.drainTimer);
    this.drainAt = at;
    this.drainTimer = setTimeout(() => void this.drain(), Math.max(0, at - Date.now()));
    this.drainTimer.unref();
  }

  /**
   * Writes the pending finals whose slot has come (this process's, or those of a worker that
   * died). Each write goes on by itself: one that has to wait again (a 429) is handed back to
   * the pending finals with a new slot rather than held here.
   */
  private async drain(): Promise<void> {
    this.drainTimer = undefined;
    this.drainAt = Number.POSITIVE_INFINITY;
    let nextAt = Date.now() + ORPHAN_POLL_MS;
    try {
      const { members, nextDueAt } = await this.budget.claimDue(DEFERRED_LEASE_MS, CLAIM_AT_ONCE);
      for (const member of members) void this.writeDeferred(member).catch((error: unknown) => this.logger.warn({ err: error }, 'could not settle a pending final update'));
      if (nextDueAt !== undefined) nextAt = Math.min(nextAt, nextDueAt);
    } catch (error) {
      this.logger.warn({ err: error }, 'could not look for pending final updates');
    }
    this.armDrain(nextAt);
  }

  private async writeDeferred(member: string): Promise<void> {
    let pending: DeferredFinal;
    try {
      pending = JSON.parse(member) as DeferredFinal;
    } catch {
      await this.budget.settleDeferred(member);
      return;
    }
    const { place, ts, text, blocks, metadata } = pending;
    // Taken over from a worker that died: its slot has gone by, so it asks for a new one.
    if (Date.now() - pending.slotAt > LATE_AFTER_MS) return this.deferAgain(member, pending, pending.attempts);
    try {
      await this.update(place, ts, text, blocks, metadata);
      await this.budget.settleDeferred(member);
    } catch (error) {
      const code = slackErrorCode(error);
      const retryAfterMs = rateLimitedForMs(error);
      if (retryAfterMs !== undefined) {
        await this.budget.rateLimited('chat.update', place.teamId, retryAfterMs);
        return this.deferAgain(member, pending, pending.attempts);
      }
      if (code === 'message_not_found') {
        this.logger.warn({ ts, jobId: place.jobId }, 'answer message disappeared; posting the answer as a new message');
        await this.postMessage(place, text, metadata, blocks, undefined);
        await this.budget.settleDeferred(member);
        return;
      }
      const attempts = pending.attempts + 1;
      if (code !== undefined || attempts >= DEFERRED_ATTEMPTS) {
        this.logger.error({ err: error, slackError: code, jobId: place.jobId, ts }, 'could not write a final answer');
        await this.budget.settleDeferred(member);
        return;
      }
      this.logger.warn({ err: error, jobId: place.jobId, attempts }, 'final answer update failed; trying again');
      await sleep(DEFERRED_RETRY_MS * 2 ** (attempts - 1));
      await this.deferAgain(member, pending, attempts);
    }
  }

  /** A pending final gets a new slot (after a 429, or taken over late), ahead of later finals, and goes back to wait for it. */
  private async deferAgain(member: string, pending: DeferredFinal, attempts: number): Promise<void> {
    const grant = await this.budget.take({ method: 'chat.update', scope: pending.place.teamId, teamId: pending.place.teamId, priority: 'final-front' });
    const slotAt = Date.now() + (grant.granted ? grant.waitMs : 0);
    await this.budget.retryDeferred(member, { member: JSON.stringify({ ...pending, slotAt, attempts }), dueAt: slotAt });
    this.armDrain(slotAt);
  }

  /** What was written stays written: keeping a cached copy of the thread in step is best effort. */
  private async tellWritten(place: WrittenPlace, ts: string, text: string, metadata: MessageMetadataPayload): Promise<void> {
    await this.writtenMessages?.written(place, ts, text, metadata).catch((error: unknown) => this.logger.warn({ err: error }, 'could not add a written message to the cached thread'));
  }
}
