import type { Job } from 'bullmq';
import type { Logger } from '../ops/logger.js';

/**
 * The jobs a worker process is running, with the lock token each was taken with: what a
 * shutdown needs to give back the jobs it cannot finish within its grace period (SIGTERM).
 */
export class RunningJobs {
  private readonly jobs = new Map<string, { job: Job; token: string }>();

  async track<T>(job: Job, token: string | undefined, run: () => Promise<T>): Promise<T> {
    const id = job.id;
    if (id !== undefined && token !== undefined) this.jobs.set(id, { job, token });
    try {
      return await run();
    } finally {
      if (id !== undefined) this.jobs.delete(id);
    }
  }

  /**
   * Puts every running job back at the head of the wait list, releasing its lock, so another
   * worker takes it at once. The process must exit right after: its own runs are not stopped
   * (aborting them would look like a person pressing Stop), and the next worker rewrites whatever
   * they showed.
   */
  async handBack(logger: Logger): Promise<void> {
    await Promise.all([...this.jobs.values()].map(({ job, token }) => handBack(job, token, logger)));
    this.jobs.clear();
  }
}

/**
 * Puts a job this worker holds back at the head of the wait list, releasing its lock. If Redis
 * cannot take it now, the job stays active under the lock, and the stalled-job check resumes it
 * once the lock lapses.
 */
export async function handBack(job: Job, token: string | undefined, logger: Logger): Promise<void> {
  try {
    await job.moveToWait(token);
    logger.info({ jobId: job.id }, 'job handed back to the queue');
  } catch (error) {
    logger.warn({ err: error, jobId: job.id }, 'could not hand the job back; it is resumed when its lock lapses');
  }
}
