import { WebClient, WebAPIPlatformError, WebAPIRateLimitedError, LogLevel } from '@slack/web-api';
import type { Config } from '../config.js';
import { countedFetch } from './counted-fetch.js';

/**
 * Workers' Slack client. 429s are rejected instead of retried inside the client: what to do
 * about a rate limit depends on the call (an intermediate update is skipped, a final one waits),
 * so the caller decides, with the shared budget in answer/slack-budget.ts. Network errors and
 * 5xx are still retried briefly by the client.
 */
export function createSlackClient(slack: Config['slack']): WebClient {
  return new WebClient(slack.botToken, {
    ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}),
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 3, factor: 2, minTimeout: 250, maxTimeout: 2000, randomize: true },
    logLevel: LogLevel.ERROR,
    timeout: 15_000,
    fetch: countedFetch(),
  });
}

export function slackErrorCode(error: unknown): string | undefined {
  if (error instanceof WebAPIPlatformError) return error.data.error;
  return undefined;
}

export function rateLimitedForMs(error: unknown): number | undefined {
  return error instanceof WebAPIRateLimitedError ? Math.max(1, error.retryAfter) * 1000 : undefined;
}

export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    // The job's signal lives as long as the job: each sleep must take its listener away again.
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Runs a Slack call that must not be lost (a final answer, a thread read): on 429 it waits for
 * Slack's Retry-After and tries again, up to a bound that covers minutes of throttling.
 */
export async function withRateLimitRetry<T>(
  call: () => Promise<T>,
  onRateLimited?: (waitMs: number) => Promise<void> | void,
  maxWaits = 20,
): Promise<T> {
  for (let waits = 0; ; waits += 1) {
    try {
      return await call();
    } catch (error) {
      const waitMs = rateLimitedForMs(error);
      if (waitMs === undefined || waits >= maxWaits) throw error;
      await onRateLimited?.(waitMs);
      await sleep(waitMs);
    }
  }
}
