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
  private readonly takeScript: ScriptCommand<[string[], string | null]>;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {
    this.takeScript = luaScript(redis, 'takeDueReceipts', new URL('./take-due-receipts.lua', import.meta.url), 1);
  }

  async cancel(jobId: string): Promise<void> {
    await this.redis.zrem(this.keys.receiptsDue(), jobId);
  }

  /** The due ones taken (at most `limit`), and when the earliest one left falls due. */
  async take(now: number, limit: number): Promise<DueReceipts> {
    const [taken, nextDueAt] = await this.takeScript([this.keys.receiptsDue()], [now, limit]);
    return { taken, nextDueAt: nextDueAt === null ? undefined : Number(nextDueAt) };
  }
}

export interface DueReceipts {
  taken: string[];
  nextDueAt: number | undefined;
}

/** Each worker process acknowledges at most this many questions at once: one short Slack post each. */
const RECEIPTS_AT_ONCE = 32;
/** The longest a due receipt may wait for a look, and the period of looks when Redis is away. */
const LOOK_EVERY_MS = 250;

/**
 * A worker process's share of the receipts: it takes the due ones it has room for and posts
 * them, apart from the answers' worker slots, so a burst larger than the worker pool is
 * acknowledged within seconds. It first looks a quarter of a second after it starts (a worker
 * starting on a backlog takes its first jobs before their receipts), then when the earliest
 * receipt left falls due (a quarter of a second after the last look at the soonest); with none
 * left, after the shortest time between a question and its receipt (`receiptAfterMs`): a
 * question queued after a look falls due no sooner than that, so an idle worker costs Redis one
 * look per `receiptAfterMs` instead of four a second. While more are due than it had room for, a
 * post that ends takes the next one at once: a burst is acknowledged as fast as Slack takes the
 * posts.
 */
export class ReceiptSweeper {
  /** True from start() to stop(). */
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private looking = false;
  /** The last look found as many due as it had room for: there may be more. */
  private moreDue = false;
  private readonly idleLookMs: number;

  constructor(
    private readonly due: ReceiptsDue,
    private readonly post: (questionJobId: string) => Promise<unknown>,
    private readonly logger: Logger,
    receiptAfterMs: number,
  ) {
    this.idleLookMs = Math.max(LOOK_EVERY_MS, receiptAfterMs);
  }

  start(): void {
    this.running = true;
    this.lookIn(LOOK_EVERY_MS);
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    await Promise.all(this.inFlight);
  }

  private lookIn(ms: number): void {
    clearTimeout(this.timer);
    if (!this.running) return;
    this.timer = setTimeout(() => void this.look(), ms);
    this.timer.unref();
  }

  private async look(): Promise<void> {
    const room = RECEIPTS_AT_ONCE - this.inFlight.size;
    if (this.looking || !this.running) return;
    if (room <= 0) {
      this.lookIn(LOOK_EVERY_MS);
      return;
    }
    this.looking = true;
    let nextLookMs = LOOK_EVERY_MS;
    try {
      const now = Date.now();
      const { taken, nextDueAt } = await this.due.take(now, room);
      this.moreDue = taken.length === room;
      // Never sooner than a look period: a burst's receipts fall due a millisecond apart, and are taken together.
      nextLookMs = nextDueAt === undefined ? this.idleLookMs : Math.min(this.idleLookMs, Math.max(LOOK_EVERY_MS, nextDueAt - now));
      for (const jobId of taken) {
        const posting: Promise<void> = this.post(jobId).then(
          () => undefined,
          (error: unknown) => this.logger.warn({ err: error, jobId }, 'could not post a sign of receipt'),
        );
        this.inFlight.add(posting);
        void posting.finally(() => {
          this.inFlight.delete(posting);
          if (this.moreDue) void this.look();
        });
      }
    } catch (error) {
      this.moreDue = false;
      // Redis is away: the questions stay due, and the next look takes them.
      this.logger.debug({ err: error }, 'could not look for due receipts');
    } finally {
      this.looking = false;
      this.lookIn(nextLookMs);
    }
  }
}
