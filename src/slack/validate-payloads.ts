import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import { classifySlackRequest } from '../core/slack-request-kind.js';
import type { Logger } from '../ops/logger.js';
import { checkSlackPayload } from './payloads.js';

/**
 * A Bolt global middleware, registered before every other one that reads a request (the
 * allowlists, the assistant, the listeners): a request that does not have Slack's shape
 * (payloads.ts) goes no further. It is logged with where it departs from the shape, and answered
 * where the person can see an answer: a slash command gets an ephemeral explanation in its own
 * response, never an HTTP 500; a click or a shortcut is acknowledged and dropped; an event
 * (Bolt has acknowledged it already) is dropped.
 */
export const MALFORMED_COMMAND_TEXT =
  ":warning: I couldn't read that command: it did not arrive in the form Slack sends commands in, so I did nothing with it. Please try again; if it keeps happening, tell the admin who runs this bot.";

export function refuseMalformedPayloads(logger: Logger): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const check = checkSlackPayload(args.body);
    if (check.ok) {
      await args.next();
      return;
    }
    const { name } = classifySlackRequest(args.body);
    logger.warn({ kind: check.kind, name, problems: check.problems }, 'malformed Slack request refused');
    if (!('ack' in args) || typeof args.ack !== 'function') return;
    if (check.kind === 'command') await (args.ack as (response: unknown) => Promise<void>)({ response_type: 'ephemeral', text: MALFORMED_COMMAND_TEXT });
    else await args.ack();
  };
}
