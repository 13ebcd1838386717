import { parseStopMessage } from '../core/stop-message.js';
import type { RedisClient } from '../ops/redis.js';
import type { Logger } from '../ops/logger.js';
import type { RedisKeys } from '../ops/redis-keys.js';

/**
 * The worker side of Stop (answer/stop-requests.ts): one subscriber connection per worker process,
 * which cancels a job this process is running when someone asks for it to stop.
 */
export class StopSubscriber {
  constructor(
    private readonly subscriber: RedisClient,
    private readonly keys: RedisKeys,
    private readonly logger: Logger,
  ) {}

  /** `cancel` answers whether this process was running the job. */
  async start(cancel: (jobId: string) => boolean): Promise<void> {
    const channel = this.keys.jobSignals();
    this.subscriber.on('message', (from: string, raw: string) => {
      if (from !== channel) return;
      const message = parseStopMessage(raw);
      if (!message) {
        this.logger.warn({ raw: raw.slice(0, 200) }, 'ignoring a malformed job signal');
        return;
      }
      if (cancel(message.jobId)) this.logger.info({ jobId: message.jobId }, 'stopping the answer on request');
    });
    await this.subscriber.subscribe(channel);
  }

  close(): void {
    this.subscriber.disconnect();
  }
}
