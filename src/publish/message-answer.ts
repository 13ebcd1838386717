import { answerBlocks, stepsText, type SlackBlock } from '../core/answer-blocks.js';
import type { CadencePolicy } from '../core/cadence.js';
import { toSlackMrkdwn, toSlackMrkdwnPartial } from '../core/slack-format.js';
import { splitForSlack } from '../core/split-message.js';
import { THINKING_STATUS_TEXT, type AnswerSurface, type AnswerView, type FinalAnswer } from '../model/answer.js';
import type { Logger } from '../ops/logger.js';
import type { AnswerPlace, MessageMetadataPayload, SlackMessages } from './slack-messages.js';
import { slackErrorCode } from './slack-web.js';
import { changeOf, UpdatePump, type PushOutcome } from './update-pump.js';

/**
 * An answer shown in an ordinary Slack message, updated with chat.update as it is written: the
 * steps (tool calls) in a context line above, the text so far, and the Stop button. At the end
 * the message gets the complete, formatted answer with its sources, footnote and controls; long
 * answers continue in follow-up messages in the thread.
 *
 * A new answer's message is posted with its first words (chat.postMessage, limited per channel),
 * not as a placeholder that a chat.update (limited per workspace, the scarcest budget) then
 * fills: "Thinking…" is posted only when no words came within `placeholderAfterMs` of the
 * question, as the sign that it was received; an answer complete before that is posted whole and
 * costs no chat.update at all.
 */
export interface MessageAnswerOptions {
  cadence: CadencePolicy;
  maxMessageChars: number;
  /** Follow-up messages of a long answer already posted by an earlier attempt of this job. */
  followUpTs?: readonly string[];
  /** Called when follow-up messages were posted, so a job run again reuses them. */
  onFollowUps?: (ts: string[]) => Promise<void>;
  /** How long after the question a new answer with no words yet shows "Thinking…" (ms; SLACK_PLACEHOLDER_AFTER_MS). */
  placeholderAfterMs?: number;
}

/** An answer whose message is not posted yet. */
export interface NewAnswerMessage {
  /** When the question was asked (ms epoch): the sign of receipt is due `placeholderAfterMs` later. */
  askedAt: number;
  /** Records the message once posted, so that a run after a crash continues in it. */
  onPosted: (ts: string) => Promise<void>;
}

/**
 * People read a reply within two seconds as prompt (and Slack's own acknowledgement rule is three);
 * Claude Haiku's first words usually come within a second, thinking included, so most answers
 * appear with their words directly and the rest show "Thinking…" within two seconds.
 */
const PLACEHOLDER_AFTER_MS = 2000;

/**
 * A new answer's first words wait this long for more before its message is posted: an answer
 * written all at once (a reused one, a short reply) is then posted whole, one call instead of a
 * post and an update, for a delay nobody notices.
 */
const FIRST_WORDS_WAIT_MS = 50;

type ShownView = { text: string; status: string | undefined; steps: string };

export class MessageAnswer implements AnswerSurface {
  firstVisibleAt: number | undefined;
  private readonly pump: UpdatePump<AnswerView>;
  private previous: ShownView | undefined;
  /** The answer's message, once posted. */
  private ts: string | undefined;
  /** The message's first post, while it is on its way. */
  private posting: Promise<void> | undefined;
  private receiptTimer: NodeJS.Timeout | undefined;
  private firstWordsTimer: NodeJS.Timeout | undefined;
  private latest: AnswerView | undefined;
  /** Whether the message shows model text. */
  private textShown = false;
  /** Whether anything replaced the message's first "Thinking…" (its text, a step, a status): a later "Thinking…" status is then worth showing again. */
  private shownOnce = false;
  /**
   * From when "Thinking…" may show, if no words came by then: `placeholderAfterMs` after the
   * question for a new message (as its sign of receipt), after the start for a message that exists
   * (it says "in line", or shows an earlier attempt).
   */
  private readonly thinkingAllowedAt: number;
  private extraTs: readonly string[];
  private readonly onPosted: ((ts: string) => Promise<void>) | undefined;

  constructor(
    private readonly messages: SlackMessages,
    readonly place: AnswerPlace,
    message: string | NewAnswerMessage,
    private readonly options: MessageAnswerOptions,
    private readonly logger: Logger,
  ) {
    this.extraTs = options.followUpTs ?? [];
    this.pump = new UpdatePump(options.cadence, (view) => this.push(view), (error) => this.logger.warn({ err: error, slackError: slackErrorCode(error) }, 'intermediate update failed'));
    const placeholderAfterMs = options.placeholderAfterMs ?? PLACEHOLDER_AFTER_MS;
    if (typeof message === 'string') {
      this.ts = message;
      this.shownOnce = true;
      this.thinkingAllowedAt = Date.now() + placeholderAfterMs;
      // The message exists: room is kept for its final update from now on.
      messages.answerStarted(place, logger);
    } else {
      this.onPosted = message.onPosted;
      this.thinkingAllowedAt = message.askedAt + placeholderAfterMs;
      const receiptIn = this.thinkingAllowedAt - Date.now();
      if (receiptIn <= 0) this.postFirst(undefined);
      else this.receiptTimer = setTimeout(() => this.postFirst(this.latest), receiptIn);
    }
  }

  /** The answer's message (undefined until it is posted). */
  get answerTs(): string | undefined {
    return this.ts;
  }

  show(view: AnswerView): void {
    this.latest = view;
    if (this.ts === undefined) {
      // The first words (or a look-up or a retry, which people should see happen) wait a moment
      // for the rest: an answer written at once is posted whole.
      if (!this.posting && !this.firstWordsTimer && worthShowing(view)) this.firstWordsTimer = setTimeout(() => this.postFirst(this.latest), FIRST_WORDS_WAIT_MS);
      return;
    }
    if (!worthShowing(view) && Date.now() < this.thinkingAllowedAt) {
      this.receiptTimer ??= setTimeout(() => {
        this.receiptTimer = undefined;
        if (this.latest && !this.textShown) this.want(this.latest);
      }, this.thinkingAllowedAt - Date.now());
      return;
    }
    if (!this.textShown && hasText(view)) {
      // In a message that exists already ("in line", "Thinking…") as well: an answer written at
      // once fills it with its final update alone.
      this.firstWordsTimer ??= setTimeout(() => {
        this.firstWordsTimer = undefined;
        if (this.latest) this.want(this.latest);
      }, FIRST_WORDS_WAIT_MS);
      return;
    }
    this.want(view);
  }

  private want(view: AnswerView): void {
    const shown = { text: view.text, status: view.status, steps: stepsText(view.steps) };
    const change = changeOf(this.previous, shown, this.options.cadence.minNewChars);
    this.previous = shown;
    this.pump.want(view, change, !this.textShown && hasText(view));
  }

  /** Posts the message: with the first words when there are some, else as the sign of receipt. */
  private postFirst(view: AnswerView | undefined): void {
    this.clearTimers();
    if (this.posting || this.ts !== undefined) return;
    const withText = view !== undefined && hasText(view);
    this.posting = (async () => {
      const { text, blocks } = withText ? this.renderIntermediate(view) : this.renderReceipt(this.latest);
      const ts = await this.messages.postAnswer(this.place, text, blocks, { kind: 'answer', job: this.place.jobId }, withText ? 'posted' : 'posted-receipt');
      await this.onPosted?.(ts);
      this.ts = ts;
      if (withText) {
        this.textShown = true;
        this.shownOnce = true;
        this.firstVisibleAt ??= Date.now();
      }
      if (view) this.previous = { text: view.text, status: view.status, steps: stepsText(view.steps) };
      // What arrived while the post was on its way goes with the next update, an interval later.
      this.pump.shown();
      if (this.latest && this.latest !== view) this.want(this.latest);
    })();
    // A failed post is reported by finish(), which the answer always reaches.
    this.posting.catch(() => undefined);
  }

  /**
   * Rendered only once the budget allows the write: under load most attempts are skipped, and
   * formatting the whole answer so far for each of them took a third of a busy worker's CPU.
   */
  private async push(view: AnswerView): Promise<PushOutcome> {
    const ts = this.ts;
    if (ts === undefined) return { result: 'idle' };
    // The placeholder already says the model is thinking.
    if (view.text.length === 0 && view.steps.length === 0 && (view.status === undefined || (view.status === THINKING_STATUS_TEXT && this.shownOnce === false))) return { result: 'idle' };
    const first = !this.textShown && hasText(view);
    const outcome = await this.messages.attempt(
      { method: 'chat.update', scope: this.place.teamId, teamId: this.place.teamId, priority: first ? 'first' : 'intermediate', answer: this.place.jobId, ...(first ? { effect: 'shown' as const } : {}) },
      () => {
        const { text, blocks } = this.renderIntermediate(view);
        return this.messages.slack.chat.update({ channel: this.place.channel, ts, text, blocks: blocks });
      },
    );
    if (outcome.result === 'sent') {
      this.shownOnce = true;
      if (hasText(view)) {
        this.textShown = true;
        this.firstVisibleAt ??= Date.now();
      }
    }
    return outcome;
  }

  private renderIntermediate(view: AnswerView): { text: string; blocks: SlackBlock[] } {
    const body = hasText(view) ? limitForStreaming(toSlackMrkdwnPartial(view.text), this.options.maxMessageChars) : (view.status ?? ' ');
    return { text: body, blocks: answerBlocks({ mrkdwn: body, state: 'streaming', jobId: this.place.jobId, steps: view.steps }) };
  }

  /** The sign of receipt: "Thinking…", or the step the answer is at (a look-up) when there is one. */
  private renderReceipt(view: AnswerView | undefined): { text: string; blocks: SlackBlock[] } {
    if (view && (view.steps.length > 0 || (view.status !== undefined && view.status !== THINKING_STATUS_TEXT))) return this.renderIntermediate(view);
    return { text: THINKING_STATUS_TEXT, blocks: answerBlocks({ mrkdwn: THINKING_STATUS_TEXT, state: 'thinking', jobId: this.place.jobId }) };
  }

  /**
   * Shows the complete answer: the message gets the first part, long answers continue in
   * follow-up messages in the thread (reusing those an earlier attempt posted). An answer whose
   * message was never posted is posted whole.
   */
  async finish(answer: FinalAnswer): Promise<string[]> {
    this.clearTimers();
    await this.posting;
    await this.pump.stop();
    const isModelText = answer.state !== 'failed' && answer.state !== 'notice' && answer.state !== 'refused';
    const mrkdwn = isModelText ? toSlackMrkdwn(answer.markdown) : answer.markdown;
    const parts = splitForSlack(mrkdwn.length > 0 ? mrkdwn : ' ', this.options.maxMessageChars);
    const followUps: string[] = [];
    const metadata = metadataFor(answer.state, this.place);
    // The write that completes the answer says so; a failure's stays open to its Retry.
    const completing: MessageMetadataPayload = answer.state === 'failed' ? metadata : { ...metadata, complete: true };
    for (const [index, part] of parts.entries()) {
      const isLast = index === parts.length - 1;
      const blocks = answerBlocks({
        mrkdwn: part,
        state: answer.state,
        jobId: this.place.jobId,
        withControls: isLast,
        // The calls the answer made stay on record above it: every look-up, every account read.
        ...(index === 0 ? { steps: answer.steps } : {}),
        ...(isLast && answer.footnote ? { footnote: answer.footnote } : {}),
        ...(isLast && isModelText ? { sources: answer.sources } : {}),
      });
      const partMetadata = isLast ? completing : metadata;
      if (index === 0) {
        await this.showFinal(part, blocks, partMetadata);
        continue;
      }
      const existing = this.extraTs[index - 1];
      if (existing) await this.messages.finalUpdate(this.place, existing, part, blocks, partMetadata);
      else followUps.push(await this.messages.post(this.place, part, metadata.kind, { blocks, complete: partMetadata.complete }));
    }
    // An earlier run's answer (before a crash, or a failure's Retry) may have had more parts: its
    // last ones would read as part of this answer.
    const stale = this.extraTs.slice(parts.length - 1);
    for (const ts of stale) await this.messages.delete(this.place, ts).catch((error: unknown) => this.logger.warn({ err: error, ts, slackError: slackErrorCode(error) }, 'could not delete a follow-up this answer no longer needs'));
    if (followUps.length > 0 || stale.length > 0) {
      this.extraTs = [...this.extraTs.slice(0, parts.length - 1), ...followUps];
      await this.options.onFollowUps?.([...this.extraTs]);
    }
    this.firstVisibleAt ??= Date.now();
    return [...this.extraTs];
  }

  private async showFinal(text: string, blocks: unknown[], metadata: MessageMetadataPayload): Promise<void> {
    if (this.ts !== undefined) {
      await this.messages.finalUpdate(this.place, this.ts, text, blocks, metadata);
      return;
    }
    const ts = await this.messages.postAnswer(this.place, text, blocks, metadata, undefined, { complete: true });
    this.firstVisibleAt ??= Date.now();
    await this.onPosted?.(ts);
    this.ts = ts;
  }

  private clearTimers(): void {
    clearTimeout(this.receiptTimer);
    clearTimeout(this.firstWordsTimer);
    this.receiptTimer = undefined;
    this.firstWordsTimer = undefined;
  }
}

const hasText = (view: AnswerView): boolean => view.text.length > 0 && view.status === undefined;

/** A declined answer's note carries the question it declined: both are left out of later history. */
function metadataFor(state: FinalAnswer['state'], place: AnswerPlace): MessageMetadataPayload {
  if (state === 'refused') return { kind: 'notice', job: place.jobId, refused: true };
  return { kind: state === 'failed' || state === 'notice' ? 'notice' : 'answer', job: place.jobId };
}

/** Mid-stream, an answer longer than one message shows its beginning; the rest follows at the end. */
function limitForStreaming(mrkdwn: string, maxChars: number): string {
  if (mrkdwn.length <= maxChars) return mrkdwn;
  const [first = ''] = splitForSlack(mrkdwn, maxChars - 40);
  return `${first}\n_…continued below when complete_`;
}

/** What a person should see at once: words, a look-up under way, or a status other than thinking. */
function worthShowing(view: AnswerView): boolean {
  return hasText(view) || view.steps.length > 0 || (view.status !== undefined && view.status !== THINKING_STATUS_TEXT);
}
