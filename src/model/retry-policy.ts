/**
 * Exponential backoff with jitter for model calls. This is the only retry loop around the model:
 * the SDK's own retries are turned off (maxRetries: 0 in model/claude.ts) and the queue does not
 * retry model failures, so one failing call can never turn into attempts × maxRetries requests.
 */
export interface RetryPolicy {
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
}

/**
 * Delay before attempt `attempt + 1` (attempt counts from 1). "Full jitter" keeps many workers
 * that failed together from retrying together; a server's retry-after is a floor, never cut.
 */
export function backoffDelayMs(attempt: number, policy: RetryPolicy, retryAfterMs?: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
  const jittered = ceiling / 2 + (random() * ceiling) / 2;
  return Math.round(Math.max(jittered, retryAfterMs ?? 0));
}
