import type { AnyMiddlewareArgs, App, Middleware } from '@slack/bolt';
import { decideAccess, REFUSAL_TEXT, requesterOf, restrictsAnything, type AccessPolicy, type Requester } from '../core/access.js';
import type { Logger } from '../ops/logger.js';
import { refusalJobId } from '../core/job-ids.js';
import type { NoticeJob } from '../core/jobs.js';
import type { AnswerQueue } from '../queue/producer.js';

/**
 * The allowlists as a Bolt global middleware: it runs before every listener, so a refused
 * request never reaches intake, the queue or the model. A person who spoke to the bot is told
 * so in a short ephemeral message (a slash command in its own ephemeral response); other
 * messages the app merely sees are dropped without a word.
 */
export interface AccessControlDeps {
  policy: AccessPolicy;
  queue: AnswerQueue;
  logger: Logger;
}

export function registerAccessControl(app: App, deps: AccessControlDeps): void {
  if (!restrictsAnything(deps.policy)) return;
  app.use(accessControl(deps));
}

function accessControl(deps: AccessControlDeps): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const requester = requesterOf(args.body);
    const decision = requester ? decideAccess(deps.policy, requester) : { allowed: true as const };
    if (decision.allowed || !requester) {
      await args.next();
      return;
    }
    deps.logger.info(
      { reason: decision.reason, kind: requester.kind, userId: requester.userId, teamId: requester.teamId, channel: requester.channelId, told: requester.addressedToBot },
      'request refused by the allowlists',
    );
    if ('ack' in args && typeof args.ack === 'function') {
      if (requester.kind === 'command') {
        await (args.ack as (response: unknown) => Promise<void>)({ response_type: 'ephemeral', text: REFUSAL_TEXT });
        return;
      }
      await args.ack();
    }
    if (requester.addressedToBot) await tellRefused(requester, deps);
  };
}

/** The refusal goes out through the queue like any notice: listeners do not write to Slack. */
async function tellRefused(requester: Requester, deps: AccessControlDeps): Promise<void> {
  if (!requester.channelId) return;
  const notice: NoticeJob = {
    kind: 'notice',
    teamId: requester.teamId ?? '',
    channel: requester.channelId,
    userId: requester.userId,
    ...(requester.threadTs ? { threadTs: requester.threadTs } : {}),
    text: REFUSAL_TEXT,
    ephemeral: true,
    ...(requester.responseUrl ? { responseUrl: requester.responseUrl } : {}),
    receivedAt: Date.now(),
  };
  try {
    // One refusal per message and person: Slack redelivers events, and people press buttons twice.
    await deps.queue.enqueue(refusalJobId(requester.channelId, requester.messageTs ?? String(Date.now()), requester.kind, requester.userId), notice);
  } catch (error) {
    deps.logger.error({ err: error }, 'could not queue the refusal notice');
  }
}
