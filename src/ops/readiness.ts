import type { Queue } from 'bullmq';
import type { RedisClient } from './redis.js';
import { redisIsReachable } from './redis.js';

/**
 * What `/readyz` answers: can this process do its work now? Redis must answer, the queue must be
 * readable through BullMQ, and the model settings must not be known to be wrong. The model is
 * checked once at start-up (GET /v1/models/{id}) and the result kept: a readiness probe every
 * few seconds must not turn into model API traffic.
 */
export type ModelConfigState = 'checking' | 'ok' | 'invalid' | 'unverified';

/** What the start-up check of the model found: nothing wrong, a wrong setting, or no answer from the API. */
export type ModelCheckResult = 'ok' | { problem: string; settingIsWrong: boolean };

export class ModelConfigCheck {
  state: ModelConfigState = 'checking';
  problem: string | undefined;

  settle(result: ModelCheckResult): void {
    if (result === 'ok') {
      this.state = 'ok';
      this.problem = undefined;
      return;
    }
    // An unreachable API at start-up says nothing about the settings: reported, not fatal.
    this.state = result.settingIsWrong ? 'invalid' : 'unverified';
    this.problem = result.problem;
  }
}

export interface ReadinessReport {
  status: 'ready' | 'not_ready';
  checks: {
    redis: 'up' | 'down';
    queue: 'usable' | 'unusable';
    model: ModelConfigState;
  };
  problems: string[];
}

const QUEUE_CHECK_TIMEOUT_MS = 1000;

export class Readiness {
  constructor(
    private readonly redis: RedisClient,
    private readonly queue: Queue,
    private readonly model: ModelConfigCheck,
  ) {}

  async check(): Promise<ReadinessReport> {
    const [redisUp, queueUsable] = await Promise.all([redisIsReachable(this.redis), queueIsUsable(this.queue)]);
    const model = this.model.state;
    const problems = [
      ...(redisUp ? [] : ['Redis does not answer']),
      ...(queueUsable ? [] : ['the job queue cannot be read']),
      ...(model === 'invalid' ? [`the model configuration is invalid (${this.model.problem ?? 'see the start-up log'})`] : []),
    ];
    return {
      status: problems.length === 0 ? 'ready' : 'not_ready',
      checks: { redis: redisUp ? 'up' : 'down', queue: queueUsable ? 'usable' : 'unusable', model },
      problems,
    };
  }
}

/** BullMQ reads its own keys (and loads its scripts) for job counts: the cheapest real use of the queue. */
async function queueIsUsable(queue: Queue): Promise<boolean> {
  const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), QUEUE_CHECK_TIMEOUT_MS).unref());
  const counts = queue.getJobCounts('waiting').then(
    (result) => typeof result.waiting === 'number',
    () => false,
  );
  return Promise.race([counts, timeout]);
}
