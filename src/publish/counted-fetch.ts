import type { FetchFunction } from '@slack/web-api';

/**
 * @slack/web-api 8 sends every request through a `fetch` it can be given (its only hook: the
 * `instrument` module only builds the User-Agent, and it publishes no diagnostics channel). This
 * one reports each HTTP request by Web API method and status (undefined: a network error),
 * retries and 429s included, for every client the bot makes: the workers' and Bolt's.
 */
export type SlackCallObserver = (method: string, status: number | undefined) => void;

export function countedFetch(observe: SlackCallObserver, base: FetchFunction = globalThis.fetch as unknown as FetchFunction): FetchFunction {
  return async (url, init) => {
    const method = slackMethodOf(url);
    try {
      const response = await base(url, init);
      observe(method, response.status);
      return response;
    } catch (error) {
      observe(method, undefined);
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
