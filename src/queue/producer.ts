import { Queue, type Job, type JobsOptions, type JobState } from 'bullmq';
import type { RedisClient } from '../ops/redis.js';
import type { RedisKeys } from '../ops/redis-keys.js';
import { IdPartError, isJobId } from '../core/job-ids.js';
import type { AnswerQueueJob, QuestionJob } from '../core/jobs.js';
import { QUEUE_NAME } from './queue-name.js';
import { luaScript, type ScriptCommand } from '../ops/redis-scripts.js';
import { STILL_PENDING, ThreadOrder } from './thread-order.js';

/**
 * Finished jobs are kept for a day so that their ids keep deduplicating Slack's redeliveries
 * (which come within minutes) and the dashboard shows recent history; failed ones for a week
 * so that a Retry button pressed later still finds the question.
 */
const KEEP_COMPLETED = { age: 24 * 3600, count: 50_000 };
const KEEP_FAILED = { age: 7 * 24 * 3600, count: 50_000 };
/** Slack redelivers for minutes, not days; a day covers every retry and a restarted web role. */
const DEDUP_SECONDS = 24 * 3600;

/** States of a job no worker has started (a question waiting for its thread's turn is delayed). */
const WAITING: ReadonlySet<JobState | 'unknown'> = new Set([...STILL_PENDING].filter((state) => state !== 'active'));

export type EnqueueResult = 'queued' | 'duplicate';

/** A job as a button handler sees it: what it carries and where it is in its life. */
export interface JobLookup {
  job: Job<AnswerQueueJob>;
  state: JobState | 'unknown';
}

/** Every job's options, unless a caller says otherwise. */
export const ANSWER_JOB_OPTIONS: JobsOptions = {
  // Model and Slack retries happen inside the job, where the Slack message can say what is
  // going on; the queue only retries what failed outside them (model: the model loop in
  // model/model-loop.ts; Slack: publish/slack-messages.ts; the last attempt: queue/worker.ts).
  attempts: 3,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: KEEP_COMPLETED,
  removeOnFail: KEEP_FAILED,
};

export class AnswerQueue {
  readonly queue: Queue<AnswerQueueJob>;
  private readonly threadOrder: ThreadOrder;
  private readonly claimScript: ScriptCommand<number>;
  private readonly unclaimScript: ScriptCommand<number>;

  /** `receiptAfterMs`: when a question still waiting for a worker gets its sign of receipt (answer/receipts.ts). */
  constructor(
    redis: RedisClient,
    private readonly keys: RedisKeys,
    prefix: string,
    private readonly receiptAfterMs: number,
  ) {
    this.queue = new Queue<AnswerQueueJob>(QUEUE_NAME, {
      connection: redis,
      prefix,
      defaultJobOptions: ANSWER_JOB_OPTIONS,
    });
    // Redis errors are logged once by the connection itself (ops/redis.ts); without a listener
    // BullMQ prints every one of them raw on stderr while Redis is down.
    this.queue.on('error', () => undefined);
    this.threadOrder = new ThreadOrder(redis, keys, this.queue);
    this.claimScript = luaScript(redis, 'claimJob', new URL('./claim-job.lua', import.meta.url), 3);
    this.unclaimScript = luaScript(redis, 'unclaimJob', new URL('./unclaim-job.lua', import.meta.url), 3);
  }

  /**
   * Adds a job unless one with the same id exists. Questions also join their thread's ordering
   * set (by message ts) before they become visible to workers, so that a worker can tell whether
   * an earlier message of the same thread is still being answered.
   */
  async enqueue(jobId: string, data: AnswerQueueJob, options: JobsOptions = {}): Promise<EnqueueResult> {
    // Only ids of the one encoder (core/job-ids.ts) become job and key names.
    if (!isJobId(jobId)) throw new IdPartError(`not a job id: ${JSON.stringify(jobId.slice(0, 80))}`);
    // BullMQ's add() with an existing id returns a job built from *our* arguments, so it cannot
    // tell us whether the job was new: a marker claimed with SET NX can.
    const claimKey = this.keys.enqueued(jobId);
    const thread = data.kind === 'question' ? this.threadOrder.entry(data, jobId) : undefined;
    // A question from a message gets its sign of receipt if no worker has started it by then; `/aws` has had its acknowledgement already.
    const receiptDueAt = data.kind === 'question' && data.source !== 'command' ? data.receivedAt + this.receiptAfterMs : undefined;
    const claimKeys = [claimKey, thread?.key ?? claimKey, this.keys.receiptsDue()];
    const claimed = await this.claimScript(claimKeys, [DEDUP_SECONDS, thread?.joinedAt ?? 0, thread?.member ?? '', thread?.seconds ?? 0, receiptDueAt ?? '', jobId]);
    if (claimed === 0) return 'duplicate';
    try {
      await this.queue.add(data.kind, data, { ...options, jobId });
      return 'queued';
    } catch (error) {
      await this.unclaimScript(claimKeys, [thread?.member ?? '', jobId]).catch(() => undefined);
      throw error;
    }
  }

  /**
   * The job with this id and its state, or undefined when there is none. Only a well-formed job
   * id is looked up: anything else is no job, and reaches Redis not even as a key to read.
   */
  async lookup(jobId: string): Promise<JobLookup | undefined> {
    if (!isJobId(jobId)) return undefined;
    const job = (await this.queue.getJob(jobId)) as Job<AnswerQueueJob> | undefined;
    if (!job) return undefined;
    return { job, state: await job.getState() };
  }

  /** The question of this job while it waits for a worker; undefined once started, finished or gone. */
  async waitingQuestion(jobId: string): Promise<QuestionJob | undefined> {
    const found = await this.lookup(jobId);
    return found && found.job.data.kind === 'question' && WAITING.has(found.state) ? found.job.data : undefined;
  }

  /** Where the job is in its life; `unknown` when the queue holds no such job (a Redis that lost its data holds none). */
  async stateOf(jobId: string): Promise<JobState | 'unknown'> {
    if (!isJobId(jobId)) return 'unknown';
    return this.queue.getJobState(jobId);
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
