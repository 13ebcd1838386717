import type { WebClient } from '@slack/web-api';
import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import { answerBlocks } from '../core/answer-blocks.js';
import { afterPush, decideUpdate, DEFAULT_CADENCE, type CadencePolicy, type CadenceState } from '../core/cadence.js';
import { nextStreamStep, wantsNativeStream } from '../core/native-streaming.js';
import type { Logger } from '../ops/logger.js';
import type { RedisKeys } from '../ops/redis-keys.js';
import type { QuestionJob } from '../queue/jobs.js';
import { rateLimitedForMs, sleep, slackErrorCode, withRateLimitRetry } from '../slack/client.js';
import type { AnswerSurface } from './answer-question.js';
import type { SlackBudget } from './slack-budget.js';
import type { AnswerPlace, FinishOptions, SlackPublisher, StreamingAnswer } from './slack-publisher.js';

/**
 * An answer shown with Slack's text-streaming methods: `chat.startStream` opens the message (with
 * the Stop button), `chat.appendStream` adds the model's text as it arrives (Tier 4, far roomier
 * than chat.update's Tier 3) and `chat.stopStream` closes it. The final text then goes out through
 * the publisher's final chat.update, exactly as on the chat.update path: same converted text,
 * controls and message metadata (which the thread reader relies on), same splitting of long
 * answers. So both paths end with the same message.
 *
 * A stream only grows. When the shown text must change instead (a model call retried from the
 * start, an append Slack refuses), the stream is closed and the answer continues in the same
 * message through chat.update.
 */
export interface NativeStreamDeps {
  config: Config;
  slack: WebClient;
  publisher: SlackPublisher;
  redis: Redis;
  keys: RedisKeys;
  logger: Logger;
}

/** How long a conversation where Slack refused to stream uses chat.update without asking again. */
const REFUSAL_MEMORY_SECONDS = 3600;

/**
 * Opens a native stream for a new answer when the setting and the conversation call for one,
 * Slack accepts it and the workspace's streaming budget has room. Otherwise undefined: the caller
 * posts a placeholder and uses chat.update.
 */
export async function startNativeAnswer(
  place: AnswerPlace,
  question: Pick<QuestionJob, 'source' | 'userId'>,
  deps: NativeStreamDeps,
): Promise<NativeStreamAnswer | undefined> {
  const setting = deps.config.slack.streaming;
  if (!wantsNativeStream(setting, { source: question.source, channel: place.channel })) return undefined;
  const refusedKey = deps.keys.streamingRefused(place.teamId, place.channel);
  if (setting === 'auto' && (await deps.redis.exists(refusedKey))) return undefined;
  const budget = deps.publisher.budget;
  // chat.startStream is Tier 2: when its budget is spent, this answer simply uses chat.update.
  const waitMs = await budget.take('chat.startStream', place.teamId, setting === 'native' ? 'final' : 'intermediate');
  if (waitMs === undefined) return undefined;
  if (waitMs > 0) await sleep(waitMs);
  try {
    const started = await deps.slack.chat.startStream({
      channel: place.channel,
      thread_ts: place.threadTs,
      // Required outside DMs: the person the text streams to.
      recipient_user_id: question.userId,
      recipient_team_id: place.teamId,
      chunks: [{ type: 'blocks', blocks: stopControls(place.jobId) as never }],
    });
    if (!started.ts) return undefined;
    // Its final chat.update will need a token: keep one for it from now on, as the publisher does.
    budget.answerStarted(place.teamId, place.jobId).catch((error: unknown) => deps.logger.warn({ err: error }, 'could not register the answer with the update budget'));
    return new NativeStreamAnswer(place, started.ts, deps, budget);
  } catch (error) {
    const retryAfterMs = rateLimitedForMs(error);
    if (retryAfterMs !== undefined) {
      await budget.rateLimited('chat.startStream', place.teamId, retryAfterMs);
      return undefined;
    }
    const code = slackErrorCode(error);
    deps.logger.info({ slackError: code, err: code ? undefined : error }, 'Slack did not start a text stream; answering with chat.update');
    // A refusal (feature off, conversation type, scope) holds for a while; a network error does not.
    if (code !== undefined && setting === 'auto') await deps.redis.set(refusedKey, code, 'EX', REFUSAL_MEMORY_SECONDS);
    return undefined;
  }
}

/**
 * A job picked up again (after a crash, or Retry) may find its message still streaming: Slack
 * refuses chat.update on it until the stream is stopped, so it is stopped first. Anything else
 * Slack answers (not streaming, gone) means there is nothing to stop.
 */
export async function endAbandonedStream(place: AnswerPlace, ts: string, deps: Pick<NativeStreamDeps, 'config' | 'slack' | 'logger'>): Promise<void> {
  if (deps.config.slack.streaming === 'update') return;
  try {
    await withRateLimitRetry(() => deps.slack.chat.stopStream({ channel: place.channel, ts }));
    deps.logger.info({ ts }, 'stopped the text stream an earlier attempt left open');
  } catch (error) {
    if (slackErrorCode(error) === undefined) throw error;
  }
}

/** The Stop button, alone: streamed text is appended below it. */
function stopControls(jobId: string): unknown[] {
  return answerBlocks({ mrkdwn: ' ', state: 'streaming', jobId }).filter((block) => block.type === 'actions');
}

type Wanted = { kind: 'text' | 'status'; value: string };

export class NativeStreamAnswer implements AnswerSurface {
  /** The model text the stream holds. */
  private streamed = '';
  /** The stream reached Slack's size for one streamed message; the rest waits for the final update. */
  private full = false;
  private wanted: Wanted = { kind: 'text', value: '' };
  private cadence: CadenceState = { lastPushAt: undefined, lastPushedLength: 0 };
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private finished = false;
  /** Set once the answer continues through chat.update. */
  private updates: StreamingAnswer | undefined;
  private switching: Promise<void> | undefined;
  private streamFirstVisibleAt: number | undefined;
  private readonly cadencePolicy: CadencePolicy;

  constructor(
    readonly place: AnswerPlace,
    /** The streamed message: the answer's message from now on. */
    readonly ts: string,
    private readonly deps: NativeStreamDeps,
    private readonly budget: SlackBudget,
  ) {
    this.cadencePolicy = { ...DEFAULT_CADENCE, intervalMs: deps.config.slack.updateIntervalMs };
  }

  get firstVisibleAt(): number | undefined {
    return this.streamFirstVisibleAt ?? this.updates?.firstVisibleAt;
  }

  show(markdownSoFar: string): void {
    if (this.finished) return;
    this.wanted = { kind: 'text', value: markdownSoFar };
    if (this.updates) {
      this.updates.show(markdownSoFar);
      return;
    }
    if (this.switching) return;
    this.schedule();
  }

  restart(status: string): void {
    if (this.finished) return;
    this.wanted = { kind: 'status', value: status };
    if (this.updates) {
      this.updates.restart(status);
      return;
    }
    // What was streamed cannot be taken back; the retried answer replaces it through chat.update.
    this.switchToUpdates('the model call is being retried');
  }

  async finish(markdown: string, options: FinishOptions, onFollowUps?: (ts: string[]) => Promise<void>): Promise<string[]> {
    this.finished = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight;
    await this.switching;
    if (!this.updates) {
      // The stream gets the rest of the text too, so that it is complete even if the final
      // update below were lost.
      const step = nextStreamStep(this.streamed, markdown, this.full);
      await this.stopStream(step.kind === 'append' ? step.text : undefined);
      this.updates = this.deps.publisher.stream(this.place, this.ts);
    }
    return this.updates.finish(markdown, options, onFollowUps);
  }

  private schedule(): void {
    if (this.timer || this.inFlight || this.updates || this.switching || this.finished) return;
    const step = nextStreamStep(this.streamed, this.wanted.value, this.full);
    if (step.kind === 'rewrite') {
      this.switchToUpdates('the answer text changed');
      return;
    }
    if (step.kind === 'wait') return;
    const decision = decideUpdate(this.cadence, this.wanted.value.length, Date.now(), this.cadencePolicy);
    if (!decision.push) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.schedule();
      }, decision.retryInMs);
      return;
    }
    const attemptAt = Date.now();
    const target = this.wanted.value;
    this.inFlight = this.append(step.text)
      .then((sent) => {
        if (!sent) {
          this.cadence = { ...this.cadence, lastPushAt: attemptAt };
          return;
        }
        if (step.kind === 'full') {
          this.full = true;
          return;
        }
        this.streamed = target;
        this.streamFirstVisibleAt ??= Date.now();
        this.cadence = afterPush(target.length, attemptAt);
      })
      .catch((error: unknown) => {
        this.deps.logger.warn({ err: error, slackError: slackErrorCode(error) }, 'chat.appendStream failed; continuing with chat.update');
        this.switchToUpdates('chat.appendStream failed');
      })
      .finally(() => {
        this.inFlight = undefined;
        this.schedule();
      });
  }

  /** An intermediate append is skipped (the next one carries the text) when the budget is spent. */
  private async append(text: string): Promise<boolean> {
    if ((await this.budget.take('chat.appendStream', this.place.teamId, 'intermediate')) === undefined) return false;
    try {
      await this.deps.slack.chat.appendStream({ channel: this.place.channel, ts: this.ts, markdown_text: text });
      return true;
    } catch (error) {
      const waitMs = rateLimitedForMs(error);
      if (waitMs === undefined) throw error;
      await this.budget.rateLimited('chat.appendStream', this.place.teamId, waitMs);
      return false;
    }
  }

  /** Closing the stream must not be lost: it waits its turn in the budget and out any 429. */
  private async stopStream(lastText: string | undefined): Promise<void> {
    const waitMs = (await this.budget.take('chat.stopStream', this.place.teamId, 'final')) ?? 0;
    if (waitMs > 0) await sleep(waitMs);
    try {
      await withRateLimitRetry(
        () => this.deps.slack.chat.stopStream({ channel: this.place.channel, ts: this.ts, ...(lastText ? { markdown_text: lastText } : {}) }),
        (retryAfterMs) => this.budget.rateLimited('chat.stopStream', this.place.teamId, retryAfterMs),
      );
    } catch (error) {
      // Slack ends streams on its own after a while; then there is nothing left to stop.
      if (slackErrorCode(error) === undefined) throw error;
      this.deps.logger.warn({ slackError: slackErrorCode(error) }, 'chat.stopStream failed; finishing with chat.update');
    }
  }

  private switchToUpdates(reason: string): void {
    if (this.updates || this.switching) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.deps.logger.info({ reason, ts: this.ts }, 'leaving the text stream for chat.update');
    const inFlight = this.inFlight;
    this.switching = (async () => {
      await inFlight;
      await this.stopStream(undefined).catch((error: unknown) => this.deps.logger.warn({ err: error }, 'could not stop the text stream'));
      const updates = this.deps.publisher.stream(this.place, this.ts);
      this.updates = updates;
      if (this.finished) return;
      if (this.wanted.kind === 'status') updates.restart(this.wanted.value);
      else if (this.wanted.value.length > 0) updates.show(this.wanted.value);
    })();
  }
}
