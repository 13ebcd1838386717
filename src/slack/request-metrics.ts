import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import { classifySlackRequest } from '../core/slack-request-kind.js';
import { recordSlackRequest } from '../ops/metrics.js';

/**
 * Bolt global middleware: counts every request Slack delivers (HTTP or Socket Mode) before the
 * listeners see it, so no listener has to remember to.
 */
export const countSlackRequests: Middleware<AnyMiddlewareArgs> = async ({ body, next }) => {
  const { kind, name } = classifySlackRequest(body);
  recordSlackRequest(kind, name);
  await next();
};
