import type { ChatAppendStreamArguments } from '@slack/web-api';
import type { RedisClient } from '../ops/redis.js';
import { answerBlocks } from '../core/answer-blocks.js';
import { nextStreamStep, wantsNativeStream, type StreamingSetting } from '../core/native-streaming.js';
import type { AnswerSurface, AnswerView, FinalAnswer } from '../model/answer.js';
import type { Step } from '../model/model-loop.js';
import type { Logger } from '../ops/logger.js';
import type { RedisKeys } from '../ops/redis-keys.js';
import { MessageAnswer, type MessageAnswerOptions } from './message-answer.js';
import type { AnswerPlace, SlackMessages } from './slack-messages.js';
import { rateLimitedForMs, slackErrorCode } from './slack-web.js';
import { changeOf, UpdatePump, type PushOutcome } from './update-pump.js';

/**
 * An answer shown with Slack's text-streaming methods: `chat.startStream` opens the message (with
 * the Stop button), `chat.appendStream` adds each tool step as a `task_update` chunk and the
 * model's Markdown as it arrives (Tier 4, far roomier than chat.update's Tier 3), and
 * `chat.stopStream` closes it. The final text then goes out through a final chat.update, exactly
 * as on the chat.update path (publish/message-answer.ts): same converted text, sources, controls
 * and message metadata (which the thread reader relies on), same splitting of long answers.
 *
 * A stream only grows. When the shown text must change instead (a model call retried from the
 * start, an append Slack refuses), the stream is closed and the answer continues in the same
 * message through chat.update.
 */
export interface NativeStreamSettings {
  streaming: StreamingSetting;
  messageOptions: Omit<MessageAnswerOptions, 'followUpTs' | 'onFollowUps'>;
}

export interface NativeStreamDeps {
  messages: SlackMessages;
  redis: RedisClient;
  keys: RedisKeys;
  logger: Logger;
}

type AnyChunk = NonNullable<ChatAppendStreamArguments['chunks']>[number];
type TaskUpdateChunk = Extract<AnyChunk, { type: 'task_update' }>;

/** How long a conversation where Slack refused to stream uses chat.update without asking again. */
const REFUSAL_MEMORY_SECONDS = 3600;

/**
 * Opens a native stream for a new answer when the setting and the conversation call for one,
 * Slack accepts it and the workspace's streaming budget has room. Otherwise undefined: the caller
 * posts a placeholder and uses chat.update.
 */
export async function startNativeAnswer(
  place: AnswerPlace,
  question: { source: string; userId: string },
  settings: NativeStreamSettings,
  deps: NativeStreamDeps,
  onFollowUps: MessageAnswerOptions['onFollowUps'],
): Promise<NativeStreamAnswer | undefined> {
  const setting = settings.streaming;
  if (!wantsNativeStream(setting, { source: question.source, channel: place.channel })) return undefined;
  const refusedKey = deps.keys.streamingRefused(place.teamId, place.channel);
  if (setting === 'auto' && (await deps.redis.exists(refusedKey))) return undefined;
  const start = () =>
    deps.messages.slack.chat.startStream({
      channel: place.channel,
      thread_ts: place.threadTs,
      // Required outside DMs: the person the text streams to.
      recipient_user_id: question.userId,
      recipient_team_id: place.teamId,
      task_display_mode: 'timeline',
      chunks: [{ type: 'blocks', blocks: stopControls(place.jobId) as never }],
    });
  try {
    // chat.startStream is Tier 2: when its budget is spent, this answer simply uses chat.update.
    let ts: string | undefined;
    if (setting === 'native') ts = (await deps.messages.ensure({ method: 'chat.startStream', scope: place.teamId, teamId: place.teamId }, start)).ts;
    else {
      const started = await attemptStart(deps.messages, place, start);
      if (started.skipped) return undefined;
      ts = started.ts;
    }
    if (!ts) return undefined;
    return new NativeStreamAnswer(place, ts, settings, deps, onFollowUps);
  } catch (error) {
    const code = slackErrorCode(error);
    if (code === undefined && rateLimitedForMs(error) === undefined) deps.logger.warn({ err: error }, 'chat.startStream failed; using chat.update');
    else deps.logger.info({ slackError: code }, 'Slack refused to stream this answer; using chat.update');
    // A refusal (feature off, conversation type, scope) holds for a while; a network error does not.
    if (code !== undefined && setting === 'auto') await deps.redis.set(refusedKey, code, 'EX', REFUSAL_MEMORY_SECONDS);
    return undefined;
  }
}

/** The stream's ts, or skipped when the budget (or Slack) had no room for it. */
async function attemptStart(messages: SlackMessages, place: AnswerPlace, start: () => Promise<{ ts?: string }>): Promise<{ skipped: true } | { skipped: false; ts: string | undefined }> {
  let ts: string | undefined;
  const { result } = await messages.attempt({ method: 'chat.startStream', scope: place.teamId, teamId: place.teamId, priority: 'first', answer: place.jobId }, async () => {
    ts = (await start()).ts;
  });
  return result === 'skipped' ? { skipped: true } : { skipped: false, ts };
}

/**
 * A job picked up again (after a crash, or Retry) may find its message still streaming: Slack
 * refuses chat.update on it until the stream is stopped, so it is stopped first. Anything else
 * Slack answers (not streaming, gone) means there is nothing to stop.
 */
export async function endAbandonedStream(place: AnswerPlace, ts: string, streaming: StreamingSetting, deps: Pick<NativeStreamDeps, 'messages' | 'logger'>): Promise<void> {
  if (streaming === 'update') return;
  try {
    await deps.messages.ensure({ method: 'chat.stopStream', scope: place.teamId, teamId: place.teamId }, () => deps.messages.slack.chat.stopStream({ channel: place.channel, ts }));
    deps.logger.info({ ts }, 'stopped the text stream an earlier attempt left open');
  } catch (error) {
    if (slackErrorCode(error) === undefined) throw error;
  }
}

/** The Stop button, alone: streamed text is appended below it. */
function stopControls(jobId: string): unknown[] {
  return answerBlocks({ mrkdwn: ' ', state: 'streaming', jobId }).filter((block) => block.type === 'actions');
}

function taskChunk(step: Step): TaskUpdateChunk {
  return {
    type: 'task_update',
    id: step.id,
    title: step.title,
    status: step.status,
    ...(step.sources.length > 0 ? { sources: step.sources.map((source) => ({ type: 'url' as const, url: source.url, text: source.title })) } : {}),
  };
}

const stepKey = (step: Step) => `${step.status}|${step.title}|${step.sources.length}`;

class NativeStreamAnswer implements AnswerSurface {
  /** The model text the stream holds. */
  private streamed = '';
  /** Each step as the stream last showed it. */
  private readonly streamedSteps = new Map<string, string>();
  /** The stream reached Slack's size for one streamed message; the rest waits for the final update. */
  private full = false;
  private readonly pump: UpdatePump<AnswerView>;
  private previous: { text: string; status: string | undefined; steps: string } | undefined;
  private latest: AnswerView = { text: '', status: undefined, steps: [] };
  /** Set once the answer continues through chat.update. */
  private updates: MessageAnswer | undefined;
  private switching: Promise<void> | undefined;
  private streamFirstVisibleAt: number | undefined;

  constructor(
    readonly place: AnswerPlace,
    /** The streamed message: the answer's message from now on. */
    readonly ts: string,
    private readonly settings: NativeStreamSettings,
    private readonly deps: NativeStreamDeps,
    private readonly onFollowUps: MessageAnswerOptions['onFollowUps'],
  ) {
    this.pump = new UpdatePump(settings.messageOptions.cadence, (view) => this.push(view), (error) => {
      this.deps.logger.warn({ err: error, slackError: slackErrorCode(error) }, 'chat.appendStream failed; continuing with chat.update');
      this.switchToUpdates('chat.appendStream failed');
    });
    // Its final chat.update will need a token: keep one for it from now on, as chat.update answers do.
    deps.messages.answerStarted(place, deps.logger);
  }

  get firstVisibleAt(): number | undefined {
    return this.streamFirstVisibleAt ?? this.updates?.firstVisibleAt;
  }

  show(view: AnswerView): void {
    this.latest = view;
    if (this.updates) {
      this.updates.show(view);
      return;
    }
    if (this.switching) return;
    const shown = { text: view.text, status: view.status, steps: view.steps.map(stepKey).join(',') };
    const change = changeOf(this.previous, shown, this.settings.messageOptions.cadence.minNewChars);
    this.previous = shown;
    this.pump.want(view, change);
  }

  async finish(answer: FinalAnswer): Promise<string[]> {
    await this.pump.stop();
    await this.switching;
    if (!this.updates) {
      // The stream gets the rest of the text too, so that it is complete even if the final
      // update below were lost.
      const step = nextStreamStep(this.streamed, answer.markdown, this.full);
      const chunks = [...this.changedSteps(answer.steps), ...(step.kind === 'append' && answer.state !== 'refused' && answer.state !== 'failed' ? [{ type: 'markdown_text' as const, text: step.text }] : [])];
      await this.stopStream(chunks);
      this.updates = this.messageAnswer();
    }
    return this.updates.finish(answer);
  }

  private async push(view: AnswerView): Promise<PushOutcome> {
    if (this.updates || this.switching) return { result: 'sent' };
    const step = nextStreamStep(this.streamed, view.text, this.full);
    if (step.kind === 'rewrite') {
      this.switchToUpdates(view.status ? 'the model call is being retried' : 'the answer text changed');
      return { result: 'sent' };
    }
    const chunks: AnyChunk[] = this.changedSteps(view.steps);
    if (step.kind === 'append' || step.kind === 'full') chunks.push({ type: 'markdown_text', text: step.text });
    if (chunks.length === 0) return { result: 'idle' };
    const first = this.streamed.length === 0 && step.kind === 'append';
    const outcome = await this.deps.messages.attempt(
      { method: 'chat.appendStream', scope: this.place.teamId, teamId: this.place.teamId, priority: first ? 'first' : 'intermediate', answer: this.place.jobId, ...(first ? { effect: 'shown' as const } : {}) },
      () => this.deps.messages.slack.chat.appendStream({ channel: this.place.channel, ts: this.ts, chunks }),
    );
    if (outcome.result === 'skipped') return outcome;
    for (const shown of view.steps) this.streamedSteps.set(shown.id, stepKey(shown));
    if (step.kind === 'full') this.full = true;
    if (step.kind === 'append') {
      this.streamed = view.text;
      this.streamFirstVisibleAt ??= Date.now();
    }
    return outcome;
  }

  private changedSteps(steps: readonly Step[]): TaskUpdateChunk[] {
    return steps.filter((step) => this.streamedSteps.get(step.id) !== stepKey(step)).map(taskChunk);
  }

  /** Closing the stream must not be lost: it waits its turn in the budget and out any 429. */
  private async stopStream(chunks: AnyChunk[]): Promise<void> {
    try {
      await this.deps.messages.ensure({ method: 'chat.stopStream', scope: this.place.teamId, teamId: this.place.teamId }, () =>
        this.deps.messages.slack.chat.stopStream({ channel: this.place.channel, ts: this.ts, ...(chunks.length > 0 ? { chunks } : {}) }),
      );
    } catch (error) {
      // Slack ends streams on its own after a while; then there is nothing left to stop.
      if (slackErrorCode(error) === undefined) throw error;
      this.deps.logger.warn({ slackError: slackErrorCode(error) }, 'chat.stopStream failed; finishing with chat.update');
    }
  }

  private messageAnswer(): MessageAnswer {
    return new MessageAnswer(this.deps.messages, this.place, this.ts, { ...this.settings.messageOptions, onFollowUps: this.onFollowUps }, this.deps.logger);
  }

  private switchToUpdates(reason: string): void {
    if (this.updates || this.switching) return;
    this.deps.logger.info({ reason, ts: this.ts }, 'leaving the text stream for chat.update');
    this.switching = (async () => {
      await this.pump.stop();
      await this.stopStream([]).catch((error: unknown) => this.deps.logger.warn({ err: error }, 'could not stop the text stream'));
      this.updates = this.messageAnswer();
      this.updates.show(this.latest);
    })();
  }
}
