import { afterEach, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/ops/logger.js';
import { RedisKeys } from '../../src/ops/redis-keys.js';
import { ReceiptSweeper, ReceiptsDue, type DueReceipts } from '../../src/queue/receipts-due.js';
import { redisForThisFile } from '../support/redis-for-file.js';

const redis = redisForThisFile();
const silent = createLogger({ logLevel: 'silent', logFormat: 'json' });

/** The real table in Redis, with each look counted (and the last one's promise kept). */
class CountedReceiptsDue extends ReceiptsDue {
  looks = 0;
  lastLook: Promise<DueReceipts> | undefined;
  override take(now: number, limit: number): Promise<DueReceipts> {
    this.looks += 1;
    this.lastLook = super.take(now, limit);
    return this.lastLook;
  }
}

/**
 * Waits for real work (Redis replies) while the sweeper's timers are frozen: it polls on
 * setImmediate and reads performance.now(), which these tests' fake timers leave alone.
 */
async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

afterEach(() => {
  vi.useRealTimers();
});

it('a burst of due receipts is posted as fast as the posts end, not one batch per look', async () => {
  const keys = new RedisKeys('sweeper-burst');
  const due = new ReceiptsDue(redis.client, keys);
  // Due a second ago, as the producer enters them (queue/claim-job.lua).
  for (let question = 0; question < 100; question += 1) await redis.client.zadd(keys.receiptsDue(), Date.now() - 1000, `q-${question}`);
  const posted: string[] = [];
  // Only the sweeper's own timer is frozen: after its first look, no timed look comes.
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  const sweeper = new ReceiptSweeper(
    due,
    async (jobId) => {
      await new Promise((resolve) => setImmediate(resolve));
      posted.push(jobId);
    },
    silent,
    2000,
  );
  try {
    sweeper.start();
    vi.advanceTimersByTime(250);
    await until(() => posted.length === 100, 'every due receipt posted');
    expect(new Set(posted).size).toBe(100);
    expect((await due.take(Date.now(), 10)).taken).toEqual([]);
  } finally {
    await sweeper.stop();
  }
});

it('looks again when the next receipt falls due (a look period on at the soonest), and with none left only after the time a new question takes to fall due', async () => {
  const keys = new RedisKeys('sweeper-idle');
  const due = new CountedReceiptsDue(redis.client, keys);
  const posted: string[] = [];
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  const start = Date.now();
  await redis.client.zadd(keys.receiptsDue(), start + 700, 'q-later');
  await redis.client.zadd(keys.receiptsDue(), start + 710, 'q-right-after');
  const sweeper = new ReceiptSweeper(due, async (jobId) => void posted.push(jobId), silent, 2000);
  const lookSettled = async (looks: number) => {
    await until(() => due.looks === looks, `look ${looks}`);
    await due.lastLook;
    // The look's end schedules the next one: a timer is waiting.
    await until(() => vi.getTimerCount() === 1, 'the next look scheduled');
  };
  try {
    sweeper.start();
    // The first look comes a look period after the start.
    vi.advanceTimersByTime(249);
    expect(due.looks).toBe(0);
    vi.advanceTimersByTime(1);
    await lookSettled(1);
    // Nothing due yet: the next look is when q-later falls due (at 700 ms), not a look period later.
    vi.advanceTimersByTime(449);
    expect(due.looks).toBe(1);
    vi.advanceTimersByTime(1);
    await lookSettled(2);
    await until(() => posted.length === 1, 'q-later posted');
    expect(posted).toEqual(['q-later']);
    // One due 10 ms later is taken a look period later, not by a look of its own at once.
    vi.advanceTimersByTime(249);
    expect(due.looks).toBe(2);
    vi.advanceTimersByTime(1);
    await lookSettled(3);
    await until(() => posted.length === 2, 'q-right-after posted');
    // None left: a question queued from now on falls due 2 s after it was asked at the soonest.
    vi.advanceTimersByTime(1999);
    expect(due.looks).toBe(3);
    vi.advanceTimersByTime(1);
    await lookSettled(4);
  } finally {
    await sweeper.stop();
  }
});
