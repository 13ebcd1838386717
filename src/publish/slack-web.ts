import { setTimeout as delay } from 'node:timers/promises';
import { LogLevel, WebAPIPlatformError, WebAPIRateLimitedError, WebClient } from '@slack/web-api';
import { countedFetch, slackApiFetch, type SlackCallObserver } from './counted-fetch.js';

/**
 * Workers' Slack Web API client. 429s are rejected instead of retried inside the client: what to
 * do about a rate limit depends on the call (an intermediate update is skipped, a final one
 * waits), so the caller decides, with the shared budget (publish/slack-budget.ts). Network
 * errors and 5xx are still retried briefly by the client.
 */
export interface SlackClientSettings {
  botToken: string;
  apiUrl: string | undefined;
}

export function createSlackClient(settings: SlackClientSettings, observer?: SlackCallObserver): WebClient {
  return new WebClient(settings.botToken, {
    ...(settings.apiUrl ? { slackApiUrl: settings.apiUrl } : {}),
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 3, factor: 2, minTimeout: 250, maxTimeout: 2000, randomize: true },
    logLevel: LogLevel.ERROR,
    timeout: 15_000,
    fetch: observer ? countedFetch(observer) : slackApiFetch,
  });
}

export function slackErrorCode(error: unknown): string | undefined {
  if (error instanceof WebAPIPlatformError) return error.data.error;
  return undefined;
}

export function rateLimitedForMs(error: unknown): number | undefined {
  return error instanceof WebAPIRateLimitedError ? Math.max(1, error.retryAfter) * 1000 : undefined;
}

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  await delay(ms, undefined, signal ? { signal } : undefined).catch(() => undefined);
}

/** A page of a cursor-paginated Web API read (conversations.replies, conversations.history). */
export interface CursorPage {
  has_more?: boolean;
  response_metadata?: { next_cursor?: string };
}

/** Every page of a cursor-paginated read, in Slack's order, each one's 429s waited out. */
export async function* cursorPages<Page extends CursorPage>(read: (cursor: string | undefined) => Promise<Page>): AsyncGenerator<Page> {
  let cursor: string | undefined;
  do {
    const page = await withRateLimitRetry(() => read(cursor));
    yield page;
    cursor = page.has_more ? page.response_metadata?.next_cursor || undefined : undefined;
  } while (cursor);
}

/**
 * Runs a Slack call that must not be lost (a final answer, a thread read): on 429 it waits for
 * Slack's Retry-After and tries again, up to a bound that covers minutes of throttling.
 */
export async function withRateLimitRetry<T>(call: () => Promise<T>, onRateLimited?: (waitMs: number) => Promise<void> | void, maxWaits = 20): Promise<T> {
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
