import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { questionJobId } from '../../src/core/job-ids.js';
import type { JobHandler, JobHandlers, QuestionJob } from '../../src/core/jobs.js';
import { createLogger } from '../../src/ops/logger.js';
import { RedisKeys } from '../../src/ops/redis-keys.js';
import { AnswerQueue } from '../../src/queue/producer.js';
import { QUEUE_NAME } from '../../src/queue/queue-name.js';
import { QueueWorker } from '../../src/queue/worker.js';
import { startRedis, type RedisServer } from '../support/redis.js';

/**
 * Queueing a question against a real redis-server: claimed once, and a claim BullMQ could not
 * follow with its job is undone whole, so that Slack's redelivery queues the question again and
 * no worker or receipt waits for a job that does not exist. And a worker that is stopping gives a
 * job it is handed back, as it was queued.
 */
let server: RedisServer;
let redis: Redis;
let queue: AnswerQueue;
const PREFIX = 'queue-test';
const keys = new RedisKeys(PREFIX);

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url, { maxRetriesPerRequest: null });
  queue = new AnswerQueue(redis, keys, PREFIX, 2000);
});
afterAll(async () => {
  await queue?.close();
  redis?.disconnect();
  await server?.stop();
});

function question(ts: string): QuestionJob {
  return { kind: 'question', source: 'mention', teamId: 'T1', channel: 'C1', threadTs: ts, messageTs: ts, userId: 'U1', text: 'What is S3?', receivedAt: Date.now() };
}

describe('queueing a question', () => {
  it('claims its id, its place in the thread and its receipt once; a redelivery is a duplicate', async () => {
    const job = question('1700000000.000100');
    const jobId = questionJobId('T1', 'C1', job.messageTs);
    expect(await queue.enqueue(jobId, job)).toBe('queued');
    expect(await queue.enqueue(jobId, job)).toBe('duplicate');
    expect(await redis.exists(keys.enqueued(jobId))).toBe(1);
    expect(await redis.zscore(keys.receiptsDue(), jobId)).not.toBeNull();
    expect(await redis.zcard(keys.threadQueue('T1', 'C1', job.threadTs))).toBe(1);
    expect(await queue.stateOf(jobId)).toBe('waiting');
  });

  it('undoes the claim when BullMQ refuses the job, so that the next delivery queues it', async () => {
    const job = question('1700000000.000200');
    const jobId = questionJobId('T1', 'C1', job.messageTs);
    // BullMQ checks a job's size before it writes anything: this one is over the limit it is given.
    await expect(queue.enqueue(jobId, job, { sizeLimit: 10 })).rejects.toThrow(/exceeds the limit/);
    expect(await redis.exists(keys.enqueued(jobId))).toBe(0);
    expect(await redis.zscore(keys.receiptsDue(), jobId)).toBeNull();
    expect(await redis.zcard(keys.threadQueue('T1', 'C1', job.threadTs))).toBe(0);
    expect(await queue.stateOf(jobId)).toBe('unknown');

    expect(await queue.enqueue(jobId, job)).toBe('queued');
    expect(await queue.stateOf(jobId)).toBe('waiting');
    expect(await redis.zscore(keys.receiptsDue(), jobId)).not.toBeNull();
  });
});

describe('a worker that is stopping', () => {
  it('gives a job BullMQ hands it after close() began back to the queue, untouched', async () => {
    // A queue of its own: the only job waiting is this one.
    const prefix = 'stopping-test';
    const ownKeys = new RedisKeys(prefix);
    const ownQueue = new AnswerQueue(redis, ownKeys, prefix, 2000);
    const job = question('1700000000.000300');
    const jobId = questionJobId('T1', 'C1', job.messageTs);
    expect(await ownQueue.enqueue(jobId, job)).toBe('queued');
    const ran: string[] = [];
    const handler: JobHandler<never> = { run: async (handle) => void ran.push(handle.id) };
    const handlers: JobHandlers = { question: handler, 'command-question': handler, notice: handler, 'assistant-greeting': handler, 'usage-report': handler, 'home-tab': handler };
    const stopping = new QueueWorker(handlers, ownKeys, { connection: redis, prefix, concurrency: 1, lockMs: 30_000, stalledIntervalMs: 30_000, postReceipt: async () => undefined, receiptAfterMs: 2000 }, createLogger({ logLevel: 'silent', logFormat: 'json' }));
    // What BullMQ's blocking wait does when the job arrives as the worker closes: it takes the job
    // (here through a processor-less worker) and hands it to the processor.
    const taker = new Worker(QUEUE_NAME, null, { connection: redis, prefix, autorun: false });
    const token = 'taken-while-stopping';
    try {
      const taken = await taker.getNextJob(token);
      expect(taken.id).toBe(jobId);
      const closed = stopping.close(5000);
      await stopping.worker.processJob(taken, token, () => false);
      expect(await closed).toBe('drained');
      expect(ran).toEqual([]);
      expect(await ownQueue.stateOf(jobId)).toBe('waiting');
      // Not started: its sign of receipt is still due, and no attempt was spent.
      expect(await redis.zscore(ownKeys.receiptsDue(), jobId)).not.toBeNull();
      expect((await ownQueue.queue.getJob(jobId))?.attemptsMade).toBe(0);
    } finally {
      await Promise.all([taker.close(), ownQueue.close()]);
    }
  });
});
