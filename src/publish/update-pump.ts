import { afterPush, afterSkip, decideUpdate, type CadencePolicy, type CadenceState } from '../core/cadence.js';

/**
 * The one scheduler of an answer's intermediate writes to Slack, for both ways of showing an
 * answer (chat.update and the text-streaming methods). show() never blocks the model: the newest
 * view is kept, at most one write is in flight, and whatever arrived meanwhile goes with the next
 * one, paced by the cadence (core/cadence.ts) and by the Slack scheduler's advice
 * (publish/slack-budget.ts: how soon this answer's next write may go). A write that the budget
 * or Slack refused is simply tried again later with newer content. stop() ends it before the
 * final write.
 */
/** sent: the write went out; skipped: the budget or Slack refused it (try again later); idle: there was nothing to write. */
export type PushResult = 'sent' | 'skipped' | 'idle';

export interface PushOutcome {
  result: PushResult;
  /** The scheduler's advice: no write of this answer before this many ms from now. */
  retryInMs?: number;
}

export class UpdatePump<View> {
  private latest: View | undefined;
  /** Grows with every change worth showing (text characters, a step, a status). */
  private progress = 0;
  private cadence: CadenceState = { lastPushAt: undefined, lastPushedLength: 0 };
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private stopped = false;
  /** `progress` when the answer's first words arrived, once they have. */
  private firstTextProgress: number | undefined;

  constructor(
    private readonly policy: CadencePolicy,
    private readonly push: (view: View) => Promise<PushOutcome>,
    private readonly onError: (error: unknown) => void,
  ) {}

  /**
   * The newest view, and how much it changed since the last one (characters; a step counts as
   * minNewChars). `firstText`: the view holds the answer's first words, which the Slack scheduler
   * keeps room for ahead of other updates: the pace it set after an earlier write of steps alone
   * (tens of seconds when many answers stream) does not hold them back.
   */
  want(view: View, change: number, firstText = false): void {
    if (this.stopped || change <= 0) return;
    this.latest = view;
    this.progress += change;
    if (firstText && this.firstTextProgress === undefined) {
      this.firstTextProgress = this.progress;
      this.cadence = { ...this.cadence, notBefore: undefined };
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.schedule();
  }

  /** What was shown by other means (the message's first post): the next write waits an interval from now. */
  shown(): void {
    this.cadence = afterPush(this.progress, Date.now());
  }

  /** No more intermediate writes; resolves once the one in flight (if any) is done. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.latest = undefined;
    await this.inFlight;
  }

  private schedule(): void {
    if (this.stopped || this.timer || this.inFlight || this.latest === undefined) return;
    const decision = decideUpdate(this.cadence, this.progress, Date.now(), this.policy);
    if (decision.push) this.fire();
    else if (this.progress > this.cadence.lastPushedLength) this.timer = setTimeout(() => this.tick(), decision.retryInMs);
  }

  private tick(): void {
    this.timer = undefined;
    this.schedule();
  }

  private fire(): void {
    const view = this.latest!;
    const target = this.progress;
    const attemptAt = Date.now();
    this.inFlight = this.push(view)
      .then(({ result, retryInMs = 0 }) => {
        // A write of steps alone that was under way when the first words came: its pace must not hold them back.
        const carriedFirstText = this.firstTextProgress === undefined || target >= this.firstTextProgress;
        if (result === 'sent') this.cadence = afterPush(target, attemptAt, carriedFirstText ? retryInMs : 0);
        else if (result === 'skipped') this.cadence = afterSkip(this.cadence, attemptAt, retryInMs);
        // Nothing to show yet (a status the message already shows): the next change may go at once.
        else this.cadence = { ...this.cadence, lastPushedLength: target };
      })
      .catch((error: unknown) => {
        this.cadence = afterSkip(this.cadence, attemptAt, this.policy.intervalMs);
        this.onError(error);
      })
      .finally(() => {
        this.inFlight = undefined;
        this.schedule();
      });
  }
}

/** How much a view changed, for the pump's pacing: text growth or shrinkage in characters, a step or status change as `stepWeight`. */
export function changeOf(previous: { text: string; status: string | undefined; steps: string } | undefined, next: { text: string; status: string | undefined; steps: string }, stepWeight: number): number {
  if (!previous) return Math.max(next.text.length, next.status || next.steps ? stepWeight : 0);
  let change = Math.abs(next.text.length - previous.text.length);
  if (change === 0 && next.text !== previous.text) change = 1;
  if (next.status !== previous.status || next.steps !== previous.steps) change += stepWeight;
  return change;
}
