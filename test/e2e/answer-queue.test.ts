import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { questionJobId } from '../../src/core/job-ids.js';
import type { QuestionJob } from '../../src/core/jobs.js';
import { RedisKeys } from '../../src/ops/redis-keys.js';
import { AnswerQueue } from '../../src/queue/producer.js';
import { startRedis, type RedisServer } from '../support/redis.js';

/**
 * Queueing a question against a real redis-server: claimed once, and a claim BullMQ could not
 * follow with its job is undone whole, so that Slack's redelivery queues the question again and
 * no worker or receipt waits for a job that does not exist.
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
