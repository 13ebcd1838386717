import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../ops/redis-keys.js';
import type { QuestionJob } from './jobs.js';

/**
 * Answers in one thread go out in the order the messages were written, whichever worker takes
 * them: BullMQ's open-source edition has no per-group ordering, so each thread keeps a sorted
 * set of the messages still to answer. All members share score 0 and sort by their text, which
 * starts with the Slack ts (fixed width for centuries), so the head is the oldest question.
 * A job that is not at the head waits (delayed); the head, when it finishes, promotes the next.
 */
const STILL_PENDING = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

type ThreadJob = Pick<QuestionJob, 'teamId' | 'channel' | 'threadTs' | 'messageTs'>;

export class ThreadOrder {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly queue: Queue,
  ) {}

  async join(job: ThreadJob, jobId: string): Promise<void> {
    const key = this.key(job);
    await this.redis.multi().zadd(key, 0, member(job, jobId)).expire(key, 24 * 3600).exec();
  }

  /**
   * True when no earlier message of the thread is still waiting or being answered. Members whose
   * job no longer exists or already finished (a crash between answering and leaving, a removed
   * job) are dropped here, so a lost job can never block its thread for good.
   */
  async isTurnOf(job: ThreadJob, jobId: string): Promise<boolean> {
    const key = this.key(job);
    const mine = member(job, jobId);
    for (;;) {
      const [head] = await this.redis.zrange(key, 0, '0');
      if (head === undefined || head === mine) return true;
      const state = await this.queue.getJobState(jobIdOf(head));
      if (STILL_PENDING.has(state)) return false;
      await this.redis.zrem(key, head);
    }
  }

  /** Leaves the thread's order and wakes the next question of the thread, if it is waiting. */
  async leave(job: ThreadJob, jobId: string): Promise<void> {
    const key = this.key(job);
    await this.redis.zrem(key, member(job, jobId));
    const [next] = await this.redis.zrange(key, 0, '0');
    if (next === undefined) return;
    const nextJob = await this.queue.getJob(jobIdOf(next));
    if (nextJob && (await nextJob.isDelayed())) await nextJob.promote().catch(() => undefined);
  }

  private key(job: ThreadJob): string {
    return this.keys.threadQueue(job.teamId, job.channel, job.threadTs);
  }
}

function member(job: ThreadJob, jobId: string): string {
  return `${job.messageTs}|${jobId}`;
}

function jobIdOf(member: string): string {
  return member.slice(member.indexOf('|') + 1);
}
