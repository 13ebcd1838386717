import { DelayedError, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { answerQuestion, type AnswerDeps, type AnswerOutcome } from '../answer/answer-question.js';
import { handleAssistantGreeting } from '../answer/assistant-greeting.js';
import { answerInAssistantThread } from '../answer/assistant-thread.js';
import { handleCommandQuestion } from '../answer/command-question.js';
import { endAbandonedStream } from '../answer/native-stream.js';
import { handleNotice } from '../answer/notice.js';
import { answerWithinLimits } from '../usage/answer-within-limits.js';
import { sendUsageReport } from '../usage/usage-report.js';
import type { Logger } from '../ops/logger.js';
import { recordAnswer, recordQueueWait } from '../ops/metrics.js';
import { QUEUE_NAME, type AnswerQueueJob, type QuestionJob } from './jobs.js';
import type { AnswerQueue } from './producer.js';
import { RunningJobs } from './running-jobs.js';
import { ThreadOrder } from './thread-order.js';

/**
 * The BullMQ edge of the worker role. The lock is renewed while a job runs, so a long answer
 * keeps it; if the process dies, the lock lapses and the stalled-job check hands the job to
 * another worker, which continues in the placeholder recorded on the job.
 */
export interface AnswerWorkerOptions {
  connection: Redis;
  prefix: string;
  concurrency: number;
  lockMs: number;
  stalledIntervalMs: number;
}

/**
 * Something outside the model failed on the job's last attempt (Slack down, Redis lost): the
 * person still gets a message saying so, with Retry, instead of a placeholder left "thinking".
 */
async function reportUnexpectedFailure(job: Job<QuestionJob>, deps: AnswerDeps, error: unknown): Promise<void> {
  deps.logger.error({ err: error }, 'answer failed outside the model call');
  const text = ':warning: Something went wrong while answering (the bot could not reach Slack or its queue). Please try again.';
  const place = { teamId: job.data.teamId, channel: job.data.channel, threadTs: job.data.threadTs, jobId: job.id! };
  try {
    if (job.data.answerTs) {
      // A natively streamed answer may still be streaming: Slack refuses chat.update until it is stopped.
      await endAbandonedStream(place, job.data.answerTs, deps);
      await deps.publisher.stream(place, job.data.answerTs).finish(text, { state: 'failed' });
    } else await deps.publisher.post(place, text, 'notice');
  } catch (reportError) {
    deps.logger.error({ err: reportError }, 'could not tell the user about the failure');
  }
}

/** BullMQ's failure reason for a job that stalled more than maxStalledCount times. */
const STALLED_TOO_OFTEN = /stalled more than allowable limit/i;

/** How long a question waits before looking again when an earlier one of its thread is being answered. */
const THREAD_TURN_POLL_MS = 1000;

export class AnswerWorker {
  readonly worker: Worker<AnswerQueueJob>;
  private readonly threadOrder: ThreadOrder;
  private readonly lookup: Queue;
  private readonly running = new RunningJobs();

  constructor(
    private readonly deps: AnswerDeps,
    private readonly producer: AnswerQueue,
    options: AnswerWorkerOptions,
    private readonly logger: Logger,
  ) {
    this.lookup = new Queue(QUEUE_NAME, { connection: options.connection, prefix: options.prefix });
    // Its connection logs Redis errors already (ops/redis.ts); unheard, BullMQ prints them raw.
    this.lookup.on('error', () => undefined);
    this.threadOrder = new ThreadOrder(options.connection, deps.keys, this.lookup);
    this.worker = new Worker<AnswerQueueJob>(QUEUE_NAME, (job, token, signal) => this.running.track(job, token, () => this.process(job, token, signal)), {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency,
      lockDuration: options.lockMs,
      stalledInterval: options.stalledIntervalMs,
      // A job whose worker died twice in a row is more likely to kill the next one than to succeed.
      maxStalledCount: 2,
      autorun: false,
    });
    this.worker.on('failed', (job, error) => {
      this.logger.warn({ jobId: job?.id, teamId: job?.data.teamId, channel: job?.data.channel, err: error, attemptsMade: job?.attemptsMade }, 'job failed');
      // A job whose workers kept dying is failed by the stalled-job check, where no processor runs
      // to tell the person: do it here, so the placeholder is not left "thinking".
      if (job?.data.kind === 'question' && STALLED_TOO_OFTEN.test(error.message)) {
        const log = this.logger.child({ jobId: job.id, teamId: job.data.teamId, channel: job.data.channel });
        void reportUnexpectedFailure(job as Job<QuestionJob>, { ...this.deps, logger: log }, error);
      }
    });
    this.worker.on('error', (error) => this.logger.error({ err: error }, 'worker error'));
  }

  start(): void {
    void this.worker.run();
  }

  private async process(job: Job<AnswerQueueJob>, token: string | undefined, signal: AbortSignal | undefined): Promise<unknown> {
    const threadTs = 'threadTs' in job.data ? job.data.threadTs : undefined;
    const log = this.logger.child({ jobId: job.id, kind: job.data.kind, teamId: job.data.teamId, channel: job.data.channel, ...(threadTs ? { threadTs } : {}) });
    const deps = { ...this.deps, logger: log };
    // A question's wait is measured when its turn in the thread comes (processQuestion).
    if (job.data.kind !== 'question') recordQueueWait(job.data.kind, job.data.receivedAt);
    switch (job.data.kind) {
      case 'question':
        return this.processQuestion(job as Job<QuestionJob>, token, signal, deps);
      case 'command-question':
        return handleCommandQuestion(job as Job<typeof job.data>, deps, this.producer, signal);
      case 'notice':
        return handleNotice(job.data, deps);
      case 'assistant-greeting':
        return handleAssistantGreeting(job as Job<typeof job.data>, deps);
      case 'usage-report':
        return sendUsageReport(job.data, deps);
    }
  }

  private async processQuestion(job: Job<QuestionJob>, token: string | undefined, signal: AbortSignal | undefined, deps: AnswerDeps): Promise<Pick<AnswerOutcome, 'status' | 'usage'>> {
    const jobId = job.id!;
    if (!(await this.threadOrder.isTurnOf(job.data, jobId))) {
      deps.logger.debug({ threadTs: job.data.threadTs }, 'waiting for an earlier question of the thread');
      await job.moveToDelayed(Date.now() + THREAD_TURN_POLL_MS, token);
      throw new DelayedError();
    }
    let finished = false;
    try {
      const log = deps.logger;
      log.info({ source: job.data.source, queueWaitMs: Date.now() - job.data.receivedAt }, 'answering');
      recordQueueWait(job.data.kind, job.data.receivedAt);
      const answer = () => answerQuestion(
          {
            id: jobId,
            // BullMQ's updateData replaces job.data, so reading it through the job stays current.
            get data() {
              return job.data;
            },
            update: (data) => job.updateData(data),
          },
          { ...deps, logger: log },
          signal,
        );
      // In the assistant panel the thread also shows a status line and gets a title.
      // Usage limits are checked before anything is posted, and the answer's usage recorded after it.
      const outcome = await answerWithinLimits(job.data, jobId, deps, () =>
        job.data.source === 'assistant' ? answerInAssistantThread(job.data, { ...deps, logger: log }, answer) : answer(),
      );
      finished = true;
      log.info({ status: outcome.status, usage: outcome.usage, totalMs: outcome.finishedAt - job.data.receivedAt }, 'answered');
      recordAnswer(job.data, outcome);
      // A failure the user was told about is final for the queue: Retry re-runs it on request.
      if (outcome.status === 'failed') throw new UnrecoverableError(outcome.error?.message ?? 'answer failed');
      return { status: outcome.status, usage: outcome.usage };
    } catch (error) {
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (!finished && lastAttempt && !(error instanceof DelayedError)) await reportUnexpectedFailure(job, deps, error);
      throw error;
    } finally {
      const lastAttempt = finished || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (lastAttempt) await this.threadOrder.leave(job.data, jobId);
    }
  }

  /** Stops taking jobs and lets the ones in flight finish, for at most graceMs. */
  async close(graceMs: number): Promise<'drained' | 'timed-out'> {
    const closing = this.worker.close();
    const timedOut = new Promise<'timed-out'>((resolve) => setTimeout(() => resolve('timed-out'), graceMs).unref());
    const result = await Promise.race([closing.then(() => 'drained' as const), timedOut]);
    if (result === 'timed-out') {
      // Whatever is still running is handed back to the queue now (BullMQ's close cannot be
      // forced once it has started waiting), and another worker resumes it from the placeholder
      // recorded on the job, instead of after its lock lapses.
      await this.running.handBack(this.logger);
    }
    await this.lookup.close();
    return result;
  }
}
