import { stopMessage } from '../core/stop-message.js';
import type { RedisClient } from '../ops/redis.js';
import type { RedisKeys } from '../ops/redis-keys.js';

/**
 * Stop, across processes. The web process that receives the button press cannot know which
 * worker writes the answer, so it leaves a flag on the job and publishes the job id; every worker
 * process listens on one subscriber connection (queue/stop-signals.ts) and cancels the job if it
 * runs it (BullMQ aborts the job's AbortSignal, which the model loop and tool calls carry). The
 * flag covers the job that no worker runs at that moment (waiting for its turn in the thread, or
 * for another worker after a crash): it is checked when the job starts.
 */

/** Long enough for a job waiting behind its thread or for a stalled job's lock to lapse. */
const STOP_FLAG_SECONDS = 3600;

/** Flag first, then publish: a worker that starts the job between the two still sees the flag. */
export async function requestStop(redis: RedisClient, keys: RedisKeys, jobId: string): Promise<void> {
  await redis.set(keys.stopRequested(jobId), String(Date.now()), 'EX', STOP_FLAG_SECONDS);
  await redis.publish(keys.jobSignals(), stopMessage(jobId));
}

/** The job's signal, already aborted when Stop was pressed before the job started. */
export async function withStopRequested(redis: RedisClient, keys: RedisKeys, jobId: string, signal: AbortSignal | undefined): Promise<AbortSignal | undefined> {
  if ((await redis.exists(keys.stopRequested(jobId))) === 0) return signal;
  const stopped = AbortSignal.abort('stopped before it started');
  return signal ? AbortSignal.any([signal, stopped]) : stopped;
}
