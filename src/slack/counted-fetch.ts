import type { FetchFunction } from '@slack/web-api';
import { recordSlackApiCall } from '../ops/metrics.js';

/**
 * @slack/web-api 8 sends every request through a `fetch` it can be given (its only hook: the
 * `instrument` module only builds the User-Agent, and it publishes no diagnostics channel). This
 * one counts each HTTP request by Web API method and status, retries and 429s included, for
 * every client the bot makes: the workers' and Bolt's.
 */
export function countedFetch(base: FetchFunction = globalThis.fetch as unknown as FetchFunction): FetchFunction {
  return async (url, init) => {
    const method = slackMethodOf(url);
    try {
      const response = await base(url, init);
      recordSlackApiCall(method, response.status);
      return response;
    } catch (error) {
      recordSlackApiCall(method, undefined);
      throw error;
    }
  };
}

/** `https://slack.com/api/chat.update?x` → `chat.update`; anything else is one label, not many. */
export function slackMethodOf(url: string | URL): string {
  const path = new URL(url).pathname;
  const method = path.slice(path.lastIndexOf('/') + 1);
  return /^[a-z][A-Za-z0-9.]{0,80}$/.test(method) ? method : 'other';
}
