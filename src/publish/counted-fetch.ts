import type { FetchFunction } from '@slack/web-api';
import { NO_REDIRECTS } from '../ops/api-fetch.js';

/**
 * @slack/web-api 8 sends every request through a `fetch` it can be given (its only hook: the
 * `instrument` module only builds the User-Agent, and it publishes no diagnostics channel). This
 * one reports each HTTP request by Web API method and status (undefined: a network error),
 * retries and 429s included, for every client the bot makes: the workers' and Bolt's. It adds no
 * work of its own to a call beyond the report: the method is read from the URL once per URL (the
 * client calls `${slackApiUrl}${method}`, a few dozen of them), and the response passes through.
 */
export type SlackCallObserver = (method: string, status: number | undefined) => void;

/** More distinct URLs than Slack has methods would be uploads' one-off URLs: those are not remembered. */
const MAX_REMEMBERED_URLS = 256;

/** Node's fetch as Slack's API needs it: it never redirects (ops/api-fetch.ts says why that matters). */
export const slackApiFetch: FetchFunction = (url, init) => globalThis.fetch(url, { ...init, ...NO_REDIRECTS });

export function countedFetch(observe: SlackCallObserver, base: FetchFunction = slackApiFetch): FetchFunction {
  const methods = new Map<string, string>();
  const methodOf = (url: string | URL): string => {
    const key = typeof url === 'string' ? url : url.href;
    let method = methods.get(key);
    if (method === undefined) {
      method = slackMethodOf(url);
      if (methods.size < MAX_REMEMBERED_URLS) methods.set(key, method);
    }
    return method;
  };
  return (url, init) => {
    const method = methodOf(url);
    return base(url, init).then(
      (response) => {
        observe(method, response.status);
        return response;
      },
      (error: unknown) => {
        observe(method, undefined);
        throw error;
      },
    );
  };
}

/** `https://slack.com/api/chat.update?x` → `chat.update`; anything else is one label, not many. */
export function slackMethodOf(url: string | URL): string {
  const path = new URL(url).pathname;
  const method = path.slice(path.lastIndexOf('/') + 1);
  return /^[a-z][A-Za-z0-9.]{0,80}$/.test(method) ? method : 'other';
}
