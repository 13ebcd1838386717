import { DelayedError, Queue, UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import type { RedisClient } from '../ops/redis.js';
import { isHandledFailure, type AnswerQueueJob, type JobHandle, type JobHandler, type JobHandlers } from '../core/jobs.js';
import type { Logger } from '../ops/logger.js';
import type { RedisKeys } from '../ops/redis-keys.js';
import { QUEUE_NAME } from './queue-name.js';
import { ReceiptSweeper, ReceiptsDue } from './receipts-due.js';
import { handBack, RunningJobs } from './running-jobs.js';
import { ThreadOrder } from './thread-order.js';

/**
 * The BullMQ edge of the worker role. It knows jobs, locks and retries, not what a job does: the
 * composition root hands it one handler per job kind. The lock is renewed while a job runs, so a
 * long answer keeps it; if the process dies, the lock lapses and the stalled-job check hands the
 * job to another worker, which continues in the messages recorded on the job.
 */
export interface QueueWorkerOptions {
  connection: RedisClient;
  prefix: string;
  concurrency: number;
  lockMs: number;
  stalledIntervalMs: number;
  /** Posts the sign of receipt of a question still waiting when it falls due (by its job id). */
  postReceipt: (questionJobId: string) => Promise<unknown>;
  /** SLACK_PLACEHOLDER_AFTER_MS: the soonest a question queued now can be due its receipt. */
  receiptAfterMs: number;
}

type Kind = AnswerQueueJob['kind'];

export interface QueueObserver {
  /** A job starts (a question: when its turn in the thread comes). */
  jobStarted(kind: string, receivedAt: number): void;
}

/** BullMQ's failure reason for a job that stalled more than maxStalledCount times. */
const STALLED_TOO_OFTEN = /stalled more than allowable limit/i;

/** How long a question waits before looking again when an earlier one of its thread is being answered. */
const THREAD_TURN_POLL_MS = 1000;

export class QueueWorker {
  readonly worker: Worker<AnswerQueueJob>;
  private readonly receiptsDue: ReceiptsDue;
  private readonly receipts: ReceiptSweeper;
  private readonly threadOrder: ThreadOrder;
  private readonly lookup: Queue;
  private readonly running = new RunningJobs();

  constructor(
    private readonly handlers: JobHandlers,
    keys: RedisKeys,
    options: QueueWorkerOptions,
    private readonly logger: Logger,
    private readonly observer?: QueueObserver,
  ) {
    this.lookup = new Queue(QUEUE_NAME, { connection: options.connection, prefix: options.prefix });
    // Its connection logs Redis errors already (ops/redis.ts); unheard, BullMQ prints them raw.
    this.lookup.on('error', () => undefined);
    this.threadOrder = new ThreadOrder(options.connection, keys, this.lookup);
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
      // A job whose workers kept dying is failed by the stalled-job check, where no handler runs
      // to tell the person: its handler is told here.
      if (job && STALLED_TOO_OFTEN.test(error.message)) void this.giveUp(job, error);
    });
    this.worker.on('error', (error) => this.logger.error({ err: error }, 'worker error'));
    this.receiptsDue = new ReceiptsDue(options.connection, keys);
    this.receipts = new ReceiptSweeper(this.receiptsDue, options.postReceipt, logger, options.receiptAfterMs);
  }

  start(): void {
    void this.worker.run();
    this.receipts.start();
  }

  private async process(job: Job<AnswerQueueJob>, token: string | undefined, signal: AbortSignal | undefined): Promise<unknown> {
    if (this.worker.closing) {
      // BullMQ's blocking wait can still return a job queued just after close() began (it does
      // not look at this flag again before taking the job): that job goes back to the queue
      // untouched, for a worker that is not stopping (never failed: it made no attempt).
      await handBack(job, token, this.logger);
      throw new WaitingError();
    }
    const data = job.data;
    if (data.kind === 'question' && !(await this.threadOrder.isTurnOf(data, job.id!))) {
      this.logger.debug({ jobId: job.id, threadTs: data.threadTs }, 'waiting for an earlier question of the thread');
      await job.moveToDelayed(Date.now() + THREAD_TURN_POLL_MS, token);
      throw new DelayedError();
    }
    // Started: it needs no sign of receipt any more (one posting right now is settled by the answer's claim).
    if (data.kind === 'question') await this.receiptsDue.cancel(job.id!);
    this.observer?.jobStarted(data.kind, data.receivedAt);
    let finished = false;
    try {
      const result = await this.handlerOf(data.kind).run(handleOf(job), signal);
      finished = true;
      // A failure the person was told about is final for the queue: Retry re-runs it on request.
      if (isHandledFailure(result)) throw new UnrecoverableError(result.failed);
      return result;
    } catch (error) {
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (!finished && lastAttempt && !(error instanceof DelayedError)) await this.giveUp(job, error);
      throw error;
    } finally {
      if (data.kind === 'question' && (finished || job.attemptsMade + 1 >= (job.opts.attempts ?? 1))) await this.threadOrder.leave(data, job.id!);
    }
  }

  private handlerOf(kind: Kind): JobHandler<AnswerQueueJob> {
    return this.handlers[kind];
  }

  private async giveUp(job: Job<AnswerQueueJob>, error: unknown): Promise<void> {
    try {
      await this.handlerOf(job.data.kind).gaveUp?.(handleOf(job), error);
    } catch (reportError) {
      this.logger.error({ err: reportError, jobId: job.id }, 'could not tell the person about the failure');
    }
  }

  /** Stops taking jobs and lets the ones in flight finish, for at most graceMs. */
  async close(graceMs: number): Promise<'drained' | 'timed-out'> {
    const stopped = Promise.all([this.worker.close(), this.receipts.stop()]);
    const timedOut = new Promise<'timed-out'>((resolve) => setTimeout(() => resolve('timed-out'), graceMs).unref());
    const result = await Promise.race([stopped.then(() => 'drained' as const), timedOut]);
    if (result === 'timed-out') {
      // Whatever is still running is handed back to the queue now (BullMQ's close cannot be
      // forced once it has started waiting), and another worker resumes it from the messages
      // recorded on the job, instead of after its lock lapses.
      await this.running.handBack(this.logger);
    }
    await this.lookup.close();
    return result;
  }
}

/** BullMQ's updateData replaces job.data, so reading it through the job stays current. */
function handleOf<Data extends AnswerQueueJob>(job: Job<Data>): JobHandle<Data> {
  return {
    id: job.id!,
    get data() {
      return job.data;
    },
    // BullMQ counts every move to active, this one included.
    startedBefore: job.attemptsStarted > 1,
    update: (data) => job.updateData(data),
  };
}


