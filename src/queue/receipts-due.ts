import type { RedisClient } from '../ops/redis.js';
import type { RedisKeys } from '../ops/redis-keys.js';
import { luaScript, type ScriptCommand } from '../ops/redis-scripts.js';
import type { Logger } from '../ops/logger.js';

/**
 * When each queued question is due a sign of receipt (answer/receipts.ts): one sorted set in
 * Redis, question job ids by due time. The producer enters a question as it queues it
 * (queue/claim-job.lua), and a worker that starts it takes it out with one ZREM; only a question
 * still waiting when it falls due is looked up and acknowledged, by whichever worker process
 * takes it first.
 */
export class ReceiptsDue {
  private readonly takeScript: ScriptCommand<string[]>;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {
    this.takeScript = luaScript(redis, 'takeDueReceipts', new URL('./take-due-receipts.lua', import.meta.url), 1);
  }

  async cancel(jobId: string): Promise<void> {
    await this.redis.zrem(this.keys.receiptsDue(), jobId);
  }

  take(now: number, limit: number): Promise<string[]> {
    return this.takeScript([this.keys.receiptsDue()], [now, limit]);
  }
}

/** Each worker process acknowledges at most this many questions at once: one short Slack post each. */
const RECEIPTS_AT_ONCE = 32;
const LOOK_EVERY_MS = 250;

/**
 * A worker process's share of the receipts: every quarter of a second it takes the due ones it
 * has room for and posts them, apart from the answers' worker slots, so a burst larger than the
 * worker pool is acknowledged within seconds. While more are due than it had room for, a post
 * that ends takes the next one at once: a burst is acknowledged as fast as Slack takes the posts,
 * not a batch per quarter of a second.
 */
export class ReceiptSweeper {
  /** Set while the sweeper runs. */
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private looking = false;
  /** The last look found as many due as it had room for: there may be more. */
  private moreDue = false;

  constructor(
    private readonly due: ReceiptsDue,
    private readonly post: (questionJobId: string) => Promise<unknown>,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.look(), LOOK_EVERY_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all(this.inFlight);
  }

  private async look(): Promise<void> {
    const room = RECEIPTS_AT_ONCE - this.inFlight.size;
    if (this.looking || room <= 0) return;
    this.looking = true;
    try {
      const taken = await this.due.take(Date.now(), room);
      this.moreDue = taken.length === room;
      for (const jobId of taken) {
        const posting: Promise<void> = this.post(jobId).then(
          () => undefined,
          (error: unknown) => this.logger.warn({ err: error, jobId }, 'could not post a sign of receipt'),
        );
        this.inFlight.add(posting);
        void posting.finally(() => {
          this.inFlight.delete(posting);
          if (this.moreDue && this.timer) void this.look();
        });
      }
    } catch (error) {
      this.moreDue = false;
      // Redis is away: the questions stay due, and the next look takes them.
      this.logger.debug({ err: error }, 'could not look for due receipts');
    } finally {
      this.looking = false;
    }
  }
}
