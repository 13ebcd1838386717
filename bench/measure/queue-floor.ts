/**
 * BullMQ's own Redis work per job, counted as the throughput runs count the bot's (INFO
 * commandstats, commands inside Lua scripts one by one): a redis-server of its own, the bot's
 * queue (src/queue/producer.ts: the same job options, so the same retention of finished jobs and
 * the same event stream) adding jobs, and a bare BullMQ worker completing them, doing nothing
 * else. The bot's commands per answer include this floor; the rest is the bot's own.
 */
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { ANSWER_JOB_OPTIONS } from '../../src/queue/producer.js';
import { QUEUE_NAME } from '../../src/queue/queue-name.js';
import { startRedis } from '../../test/support/redis.js';
import { redisStats } from './redis-stats.js';

export interface QueueFloor {
  jobs: number;
  /** Commands per job to add it. */
  addPerJob: number;
  /** Commands per job to take it and complete it. */
  processPerJob: number;
}

const PREFIX = 'bench-floor';

export async function measureQueueFloor(jobs = 400): Promise<QueueFloor> {
  const server = await startRedis();
  const producerConnection = new Redis(server.url, { maxRetriesPerRequest: null });
  const workerConnection = new Redis(server.url, { maxRetriesPerRequest: null });
  // The bot's job options; the jobs themselves need no question.
  const queue = new Queue(QUEUE_NAME, { connection: producerConnection, prefix: PREFIX, defaultJobOptions: ANSWER_JOB_OPTIONS });
  try {
    const before = await redisStats(server.url);
    for (let index = 0; index < jobs; index += 1) {
      await queue.add('question', { receivedAt: Date.now() }, { jobId: `floor-${index}` });
    }
    const added = await redisStats(server.url);
    await new Promise<void>((resolve, reject) => {
      let completed = 0;
      const worker = new Worker(QUEUE_NAME, () => Promise.resolve('answered'), { connection: workerConnection, prefix: PREFIX, concurrency: 100 });
      worker.on('error', reject);
      worker.on('completed', () => {
        completed += 1;
        if (completed === jobs) void worker.close().then(resolve, reject);
      });
    });
    const processed = await redisStats(server.url);
    return { jobs, addPerJob: (added.total - before.total) / jobs, processPerJob: (processed.total - added.total) / jobs };
  } finally {
    await queue.close();
    producerConnection.disconnect();
    workerConnection.disconnect();
    await server.stop();
  }
}
