import { answerBlocks, stepsText, type AnswerState, type SlackBlock } from '../core/answer-blocks.js';
import type { CadencePolicy } from '../core/cadence.js';
import { toSlackMrkdwn, toSlackMrkdwnPartial } from '../core/slack-format.js';
import { splitForSlack } from '../core/split-message.js';
import { THINKING_STATUS_TEXT, type AnswerSurface, type AnswerView, type FinalAnswer } from '../model/answer.js';
import type { Logger } from '../ops/logger.js';
import type { AnswerPlace, MessageMetadataPayload, SlackMessages } from './slack-messages.js';
import { slackErrorCode } from './slack-web.js';
import { changeOf, UpdatePump, type PushResult } from './update-pump.js';

/**
 * An answer shown in an ordinary Slack message, updated with chat.update as it is written: the
 * steps (tool calls) in a context line above, the text so far, and the Stop button. At the end
 * the message gets the complete, formatted answer with its sources, footnote and controls; long
 * answers continue in follow-up messages in the thread.
 */
export interface MessageAnswerOptions {
  cadence: CadencePolicy;
  maxMessageChars: number;
  /** Follow-up messages of a long answer already posted by an earlier attempt of this job. */
  followUpTs?: readonly string[];
  /** Called when follow-up messages were posted, so a job run again reuses them. */
  onFollowUps?: (ts: string[]) => Promise<void>;
}

type ShownView = { text: string; status: string | undefined; steps: string };

export class MessageAnswer implements AnswerSurface {
  firstVisibleAt: number | undefined;
  private readonly pump: UpdatePump<AnswerView>;
  private previous: ShownView | undefined;
  /** Whether an update replaced the placeholder's own text yet. */
  private shownOnce = false;
  private extraTs: readonly string[];

  constructor(
    private readonly messages: SlackMessages,
    readonly place: AnswerPlace,
    readonly answerTs: string,
    private readonly options: MessageAnswerOptions,
    private readonly logger: Logger,
  ) {
    this.extraTs = options.followUpTs ?? [];
    this.pump = new UpdatePump(options.cadence, (view) => this.push(view), (error) => this.logger.warn({ err: error, slackError: slackErrorCode(error) }, 'intermediate update failed'));
    messages.answerStarted(place, logger);
  }

  show(view: AnswerView): void {
    const shown = { text: view.text, status: view.status, steps: stepsText(view.steps) };
    const change = changeOf(this.previous, shown, this.options.cadence.minNewChars);
    this.previous = shown;
    this.pump.want(view, change);
  }

  /**
   * Rendered only once the budget allows the write: under load most attempts are skipped, and
   * formatting the whole answer so far for each of them took a third of a busy worker's CPU.
   */
  private async push(view: AnswerView): Promise<PushResult> {
    // The placeholder already says the model is thinking.
    if (view.text.length === 0 && view.steps.length === 0 && (view.status === undefined || (view.status === THINKING_STATUS_TEXT && this.shownOnce === false))) return 'idle';
    const result = await this.messages.attempt('chat.update', this.place.teamId, this.place.jobId, () => {
      const { text, blocks } = this.renderIntermediate(view);
      return this.messages.slack.chat.update({ channel: this.place.channel, ts: this.answerTs, text, blocks: blocks as never });
    });
    if (result === 'sent') this.shownOnce = true;
    if (result === 'sent' && view.text.length > 0 && view.status === undefined) this.firstVisibleAt ??= Date.now();
    return result;
  }

  private renderIntermediate(view: AnswerView): { text: string; blocks: SlackBlock[] } {
    const body = view.text.length > 0 && view.status === undefined ? limitForStreaming(toSlackMrkdwnPartial(view.text), this.options.maxMessageChars) : (view.status ?? ' ');
    return { text: body, blocks: answerBlocks({ mrkdwn: body, state: 'streaming', jobId: this.place.jobId, steps: view.steps }) };
  }

  /**
   * Shows the complete answer: the message gets the first part, long answers continue in
   * follow-up messages in the thread (reusing those an earlier attempt posted).
   */
  async finish(answer: FinalAnswer): Promise<string[]> {
    await this.pump.stop();
    const isModelText = answer.state !== 'failed' && answer.state !== 'notice' && answer.state !== 'refused';
    const mrkdwn = isModelText ? toSlackMrkdwn(answer.markdown) : answer.markdown;
    const parts = splitForSlack(mrkdwn.length > 0 ? mrkdwn : ' ', this.options.maxMessageChars);
    const followUps: string[] = [];
    const metadata = metadataFor(answer.state, this.place);
    for (const [index, part] of parts.entries()) {
      const isLast = index === parts.length - 1;
      const blocks = answerBlocks({
        mrkdwn: part,
        state: answer.state as AnswerState,
        jobId: this.place.jobId,
        withControls: isLast,
        ...(isLast && answer.footnote ? { footnote: answer.footnote } : {}),
        ...(isLast && isModelText ? { sources: answer.sources } : {}),
      });
      if (index === 0) {
        await this.updateOrRepost(part, blocks, metadata);
        continue;
      }
      const existing = this.extraTs[index - 1];
      if (existing) await this.messages.finalUpdate(this.place, existing, part, blocks, metadata);
      else followUps.push(await this.messages.post(this.place, part, metadata.kind, { blocks }));
    }
    if (followUps.length > 0) {
      this.extraTs = [...this.extraTs, ...followUps];
      await this.options.onFollowUps?.([...this.extraTs]);
    }
    this.firstVisibleAt ??= Date.now();
    return [...this.extraTs];
  }

  /** The message may have been deleted by someone meanwhile: then the answer is posted anew. */
  private async updateOrRepost(text: string, blocks: unknown[], metadata: MessageMetadataPayload): Promise<void> {
    try {
      await this.messages.finalUpdate(this.place, this.answerTs, text, blocks, metadata);
    } catch (error) {
      if (slackErrorCode(error) !== 'message_not_found') throw error;
      this.logger.warn({ ts: this.answerTs }, 'answer message disappeared; posting the answer as a new message');
      await this.messages.post(this.place, text, metadata.kind, { blocks });
    }
  }
}

/** A declined answer's note carries the question it declined: both are left out of later history. */
export function metadataFor(state: FinalAnswer['state'], place: AnswerPlace): MessageMetadataPayload {
  if (state === 'refused') return { kind: 'notice', job: place.jobId, refused: true };
  return { kind: state === 'failed' || state === 'notice' ? 'notice' : 'answer', job: place.jobId };
}

/** Mid-stream, an answer longer than one message shows its beginning; the rest follows at the end. */
function limitForStreaming(mrkdwn: string, maxChars: number): string {
  if (mrkdwn.length <= maxChars) return mrkdwn;
  const [first = ''] = splitForSlack(mrkdwn, maxChars - 40);
  return `${first}\n_…continued below when complete_`;
}
