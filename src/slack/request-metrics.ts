import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import { classifySlackRequest } from '../core/slack-request-kind.js';

/**
 * Bolt global middleware: reports every request Slack delivers (HTTP or Socket Mode) before the
 * listeners see it, so no listener has to remember to.
 */
export type SlackRequestObserver = (kind: string, name: string) => void;

export function countSlackRequests(observe: SlackRequestObserver): Middleware<AnyMiddlewareArgs> {
  return async ({ body, next }) => {
    const { kind, name } = classifySlackRequest(body);
    observe(kind, name);
    await next();
  };
}
