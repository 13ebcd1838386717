import { expect, it, vi } from 'vitest';
import { createLogger } from '../../src/ops/logger.js';
import { RedisKeys } from '../../src/ops/redis-keys.js';
import { ReceiptSweeper, ReceiptsDue } from '../../src/queue/receipts-due.js';
import { waitFor } from '../fakes/util.js';
import { redisForThisFile } from '../support/redis-for-file.js';

const redis = redisForThisFile();

it('a burst of due receipts is posted as fast as the posts end, not one batch per look', async () => {
  const keys = new RedisKeys('sweeper-test');
  const due = new ReceiptsDue(redis.client, keys);
  // Due a second ago, as the producer enters them (queue/claim-job.lua).
  for (let question = 0; question < 100; question += 1) await redis.client.zadd(keys.receiptsDue(), Date.now() - 1000, `q-${question}`);
  const posted: string[] = [];
  // Only the sweeper's own period is frozen: after its first look, no other look comes.
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  const sweeper = new ReceiptSweeper(
    due,
    async (jobId) => {
      await new Promise((resolve) => setTimeout(resolve, 2));
      posted.push(jobId);
    },
    createLogger({ logLevel: 'silent', logFormat: 'json' }),
  );
  try {
    sweeper.start();
    vi.advanceTimersByTime(250);
    await waitFor(() => posted.length === 100, 10_000, 'every due receipt posted');
    expect(new Set(posted).size).toBe(100);
    expect(await due.take(Date.now(), 10)).toEqual([]);
  } finally {
    await sweeper.stop();
    vi.useRealTimers();
  }
});
