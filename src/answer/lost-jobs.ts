import { answerBlocks } from '../core/answer-blocks.js';
import { isHandledFailure, type AnswerQueueJob, type HandledFailure, type JobHandle, type JobHandler, type JobHandlers, type QuestionJob } from '../core/jobs.js';
import { linkedAbort } from '../core/linked-abort.js';
import type { Logger } from '../ops/logger.js';
import type { RedisClient } from '../ops/redis.js';
import type { RedisKeys } from '../ops/redis-keys.js';
import { MessageAnswer } from '../publish/message-answer.js';
import { endAbandonedStream } from '../publish/native-stream.js';
import type { AnswerPlace, SlackMessages } from '../publish/slack-messages.js';
import type { QuestionSettings } from './answer-question.js';

/**
 * Answers whose job vanished: Redis restarted without its data (no persistence, a failover to a
 * replica that was behind, a flush) while a worker was answering. Nobody is left waiting on a
 * "Thinking…" placeholder or a live Stop button for good:
 *
 * - A worker notices when it records progress on the job: BullMQ answers "Missing key for job".
 *   If that happens as the answer's message (or stream) is recorded, the answer stops there (its
 *   model call is cancelled) and its message is finished with a short note and Retry. Later
 *   records (follow-up messages, "delivered") only matter to a rerun of the job, so a finished
 *   answer is left as it is. A failure the person is shown with Retry, or any error the handler
 *   throws, is followed by a look at the queue: a job gone from it is closed the same way.
 * - Retry on such a message finds no job, so the question is kept under its job id (a small
 *   record, written once Redis is back, kept as long as a failed job) and the Retry button
 *   (slack/listeners/actions/retry.ts) queues it again, in the same message.
 * - Each worker keeps the answers it has in flight in memory (not in Redis, which is what was
 *   lost), with the Slack message ids they recorded. After a failed attempt an answer stays in the
 *   list until its job is retried, finished or found gone, and a periodic look (and one whenever
 *   the worker's Redis connection comes back) closes those whose job no longer exists.
 *
 * - A question still queued whose receipt was posted (answer/receipts.ts) is watched by the worker
 *   that posted it, the same way: its "in line" message is closed with Retry if its job vanishes.
 *
 * Limits: only what a worker process has in memory is found. Questions that had waited in the
 * queue less than SLACK_PLACEHOLDER_AFTER_MS when Redis lost its data have no message to close
 * and are lost without a word, and the answers
 * of a worker process that died at the same time are not found either: Redis persistence (AOF,
 * see the README's production section) is what keeps them. Jobs of other kinds (a `/aws` post, a
 * greeting, a notice) carry on without recording their progress.
 */
export const LOST_ANSWER_TEXT =
  ':warning: I lost track of this question: my job queue restarted without its data while I was answering. Press *Retry* to ask it again.';

/** As long as a failed job is kept (queue/producer.ts): Retry works as long as on any failed answer. */
const LOST_RECORD_SECONDS = 7 * 24 * 3600;
/** An answer between attempts is watched this long at most (the queue's retries come within seconds). */
const WATCH_BETWEEN_ATTEMPTS_MS = 3600_000;
/** Closing a lost answer is tried this often (Slack may be down too) before it is given up. */
const CLOSE_ATTEMPTS = 5;
const DEFAULT_CHECK_INTERVAL_MS = 30_000;
const RETRY_CHECK_MS = 1000;

/** BullMQ's message when the job it should update no longer exists. */
const MISSING_JOB = /^Missing key for job /;

function isMissingJobError(error: unknown): boolean {
  return error instanceof Error && MISSING_JOB.test(error.message);
}

class JobVanishedError extends Error {
  constructor(jobId: string) {
    super(`the job ${jobId} vanished from the queue`);
    this.name = 'JobVanishedError';
  }
}

/** The questions of lost jobs, by job id, for their Retry button. */
export class LostJobRecords {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  async save(jobId: string, question: QuestionJob): Promise<void> {
    const kept: QuestionJob = { ...question };
    delete kept.deliveredAt;
    await this.redis.set(this.keys.lostJob(jobId), JSON.stringify(kept), 'EX', LOST_RECORD_SECONDS);
  }

  async load(jobId: string): Promise<QuestionJob | undefined> {
    const raw = await this.redis.get(this.keys.lostJob(jobId));
    if (raw === null) return undefined;
    try {
      const value = JSON.parse(raw) as Partial<QuestionJob>;
      return value.kind === 'question' && typeof value.teamId === 'string' && typeof value.channel === 'string' && typeof value.userId === 'string' ? (value as QuestionJob) : undefined;
    } catch {
      return undefined;
    }
  }

  async forget(jobId: string): Promise<void> {
    await this.redis.del(this.keys.lostJob(jobId));
  }
}

export interface LostJobsDeps {
  messages: SlackMessages;
  settings: Pick<QuestionSettings, 'streaming' | 'messageOptions'>;
  records: LostJobRecords;
  /**
   * The job's state as BullMQ names it, `unknown` when the queue holds no such job
   * (AnswerQueue.stateOf); rejects while Redis cannot be reached.
   */
  stateOf(jobId: string): Promise<string>;
  logger: Logger;
}

interface InFlightAnswer {
  /** The latest data the handler recorded, or tried to record: the messages it created. */
  data: QuestionJob;
  running: boolean;
  /** BullMQ said the job is gone while it ran. */
  vanished: boolean;
  /** Its message already shows a failure with Retry: only the record for Retry may be missing. */
  failureShown: boolean;
  since: number;
  closeAttempts: number;
}

/** States in which another run (this worker's or another's) or the queue's own reporting takes over. */
const TAKEN_OVER = new Set(['active', 'completed', 'failed']);

export class LostJobs {
  private readonly answers = new Map<string, InFlightAnswer>();
  private timer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;
  /** An answer came to be watched during the look in progress: another follows it. */
  private lookAgain = false;
  private redisBackAt: number | undefined;

  constructor(
    private readonly deps: LostJobsDeps,
    private readonly checkIntervalMs = DEFAULT_CHECK_INTERVAL_MS,
  ) {}

  /** The handlers, with every job's progress records watched for a vanished job. */
  watch(handlers: JobHandlers): JobHandlers {
    const watched: Record<string, JobHandler<AnswerQueueJob>> = {};
    for (const [kind, handler] of Object.entries(handlers) as Array<[string, JobHandler<AnswerQueueJob>]>) watched[kind] = this.carryOn(kind, handler);
    return { ...(watched as JobHandlers), question: this.watchQuestions(handlers.question) };
  }

  /**
   * A question still queued whose message exists (its receipt): closed like an answer if its job
   * vanishes. `postingSince`: when posting it began. If Redis came back after that, its records
   * may have reached the new, empty Redis after the look that followed: it is looked at at once.
   */
  watchQueued(jobId: string, question: QuestionJob, postingSince: number): void {
    if (this.answers.has(jobId)) return;
    this.answers.set(jobId, { data: question, running: false, vanished: false, failureShown: false, since: Date.now(), closeAttempts: 0 });
    if (this.redisBackAt !== undefined && postingSince <= this.redisBackAt) void this.check();
  }

  /** Redis is back, perhaps empty: answers whose jobs vanished are finished at once. */
  redisBack(): Promise<void> {
    this.redisBackAt = Date.now();
    return this.check();
  }

  /** Starts the periodic look; `check()` may also be called at any time (when Redis comes back). */
  start(): void {
    this.timer = setInterval(() => void this.check(), this.checkIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    clearTimeout(this.retryTimer);
  }

  /** Answers watched right now (running, or between attempts). */
  get watching(): number {
    return this.answers.size;
  }

  /** Closes the answers between attempts whose job is gone. One look at a time. */
  check(): Promise<void> {
    if (this.checking) {
      this.lookAgain = true;
      return this.checking;
    }
    this.checking = (async () => {
      do {
        this.lookAgain = false;
        await this.checkAll();
      } while (this.lookAgain);
    })().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  private async checkAll(): Promise<void> {
    if (!(await this.lookAtAll())) {
      // Redis is back for one connection and not yet for the queue's: look again soon, not at the next interval.
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => void this.check(), RETRY_CHECK_MS);
      this.retryTimer.unref();
    }
  }

  /** false when Redis could not say. */
  private async lookAtAll(): Promise<boolean> {
    for (const [jobId, answer] of [...this.answers]) {
      if (answer.running) continue;
      if (Date.now() - answer.since > WATCH_BETWEEN_ATTEMPTS_MS) {
        this.answers.delete(jobId);
        continue;
      }
      let state: string;
      try {
        state = await this.deps.stateOf(jobId);
      } catch {
        return false;
      }
      if (state === 'unknown') await this.settleGone(jobId, answer);
      else if (TAKEN_OVER.has(state)) this.answers.delete(jobId);
    }
    return true;
  }

  private watchQuestions(handler: JobHandler<QuestionJob>): JobHandler<QuestionJob> {
    return {
      ...handler,
      run: async (job, signal) => {
        const answer: InFlightAnswer = { data: job.data, running: true, vanished: false, failureShown: false, since: Date.now(), closeAttempts: 0 };
        this.answers.set(job.id, answer);
        // Cancels the model call of an answer whose job vanished: its text would be thrown away.
        const lost = linkedAbort(signal);
        let result: unknown;
        try {
          result = await handler.run(this.watchedHandle(job, answer, lost.controller), lost.signal);
        } catch (error) {
          return this.afterError(job.id, answer, error);
        } finally {
          lost.unlink();
        }
        return this.afterRun(job.id, answer, result, lost.signal.reason instanceof JobVanishedError);
      },
    };
  }

  private watchedHandle(job: JobHandle<QuestionJob>, answer: InFlightAnswer, lost: AbortController): JobHandle<QuestionJob> {
    const { logger } = this.deps;
    return {
      id: job.id,
      get data() {
        return job.data;
      },
      startedBefore: job.startedBefore,
      async update(data) {
        const placing = data.answerTs !== undefined && answer.data.answerTs === undefined;
        answer.data = data;
        try {
          await job.update(data);
        } catch (error) {
          if (!isMissingJobError(error)) throw error;
          answer.vanished = true;
          if (placing) {
            const vanished = new JobVanishedError(job.id);
            lost.abort(vanished);
            throw vanished;
          }
          logger.warn({ jobId: job.id }, 'the job of an answer being written vanished from the queue; the answer goes on without it');
        }
      },
    };
  }

  private async afterRun(jobId: string, answer: InFlightAnswer, result: unknown, cancelled: boolean): Promise<unknown> {
    answer.running = false;
    answer.since = Date.now();
    // An answer cancelled because its job vanished may still have finished its message ("stopped"): it gets the note.
    if (cancelled) return this.afterError(jobId, answer, new JobVanishedError(jobId));
    if (!isHandledFailure(result)) {
      this.answers.delete(jobId);
      return result;
    }
    // The message shows the failure with Retry, which needs the job, or its record if it is gone.
    answer.failureShown = true;
    const gone = answer.vanished || (await this.isGone(jobId));
    if (gone === true) await this.settleGone(jobId, answer);
    else if (gone === false) this.answers.delete(jobId);
    return result;
  }

  private async afterError(jobId: string, answer: InFlightAnswer, error: unknown): Promise<unknown> {
    answer.running = false;
    answer.since = Date.now();
    const gone = error instanceof JobVanishedError || answer.vanished || (await this.isGone(jobId));
    if (gone !== true) throw error; // the queue retries it, or gives up and says so; watched meanwhile
    await this.settleGone(jobId, answer);
    const failure: HandledFailure = { failed: error instanceof Error ? error.message : 'the job vanished from the queue' };
    return failure;
  }

  /** undefined while Redis cannot tell. */
  private async isGone(jobId: string): Promise<boolean | undefined> {
    try {
      return (await this.deps.stateOf(jobId)) === 'unknown';
    } catch {
      return undefined;
    }
  }

  private async settleGone(jobId: string, answer: InFlightAnswer): Promise<void> {
    const { logger, records } = this.deps;
    const question = answer.data;
    try {
      await records.save(jobId, question);
      if (!answer.failureShown) await this.close(jobId, question);
      logger.warn({ jobId, teamId: question.teamId, channel: question.channel, closed: !answer.failureShown }, 'the job of an answer vanished from the queue (Redis lost its data); Retry offered');
      this.answers.delete(jobId);
    } catch (error) {
      answer.closeAttempts += 1;
      logger.error({ err: error, jobId, attempts: answer.closeAttempts }, 'could not close an answer whose job vanished');
      if (answer.closeAttempts >= CLOSE_ATTEMPTS) this.answers.delete(jobId);
    }
  }

  /** The answer's message gets the note and Retry; without a message yet, the note is posted in the thread. */
  private async close(jobId: string, question: QuestionJob): Promise<void> {
    const { messages, settings, logger } = this.deps;
    const place: AnswerPlace = { teamId: question.teamId, channel: question.channel, threadTs: question.threadTs, jobId };
    if (!question.answerTs) {
      await messages.post(place, LOST_ANSWER_TEXT, 'notice', { blocks: answerBlocks({ mrkdwn: LOST_ANSWER_TEXT, state: 'failed', jobId }) });
      return;
    }
    // A natively streamed answer may still be streaming: Slack refuses chat.update until it is stopped.
    await endAbandonedStream(place, question.answerTs, settings.streaming, { messages, logger });
    await new MessageAnswer(messages, place, question.answerTs, settings.messageOptions, logger).finish({ markdown: LOST_ANSWER_TEXT, state: 'failed', sources: [], steps: [] });
  }

  /** Other kinds of job carry on when their job vanishes: what they record only matters to a rerun. */
  private carryOn(kind: string, handler: JobHandler<AnswerQueueJob>): JobHandler<AnswerQueueJob> {
    const { logger } = this.deps;
    return {
      ...handler,
      run: (job, signal) =>
        handler.run(
          {
            id: job.id,
            get data() {
              return job.data;
            },
            startedBefore: job.startedBefore,
            async update(data) {
              try {
                await job.update(data);
              } catch (error) {
                if (!isMissingJobError(error)) throw error;
                logger.warn({ jobId: job.id, kind }, 'a job vanished from the queue while it ran; it carries on without recording its progress');
              }
            },
          },
          signal,
        ),
    };
  }
}

