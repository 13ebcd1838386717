import type { BlockAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { compareTs } from '../../../core/conversation.js';
import { answerOfJobId } from '../../../core/job-ids.js';
import type { QuestionJob } from '../../../core/jobs.js';
import type { Logger } from '../../../ops/logger.js';
import type { RedisClient } from '../../../ops/redis.js';
import type { RedisKeys } from '../../../ops/redis-keys.js';
import type { AnswerQueue, JobLookup } from '../../../queue/producer.js';

/**
 * Who may press what on an answer, checked on every click whatever the button's value says
 * (Slack signs the request, but the value is only what the message carried):
 *
 * - Every button's value must be the job id of an answer (a question's, or a Continue's) in the
 *   workspace and the conversation the click came from, and the job, when it is looked up, must
 *   be a question of that workspace, conversation and thread. A made-up value, a click from
 *   another workspace or channel, or a value in any other form does nothing: it is logged, and it
 *   never becomes (part of) a Redis key name.
 * - Stop and Retry: the person who asked, or an admin (ADMIN_USER_IDS). They cancel or re-run
 *   someone else's question, which counts against that person's limits. Anyone else is told so
 *   privately.
 * - Continue: anyone in the conversation. Anyone there may ask the bot, and the continuation is
 *   their own question (it counts against the presser's limits).
 * - 👍/👎: anyone in the conversation, one vote each per answer (usage/feedback-store.ts).
 *
 * Finished jobs are kept for a day: on an older answer, Continue and the votes check the thread
 * instead (inAnsweredThread). Stop has nothing to stop then, and Retry needs the job.
 *
 * A click by a member of another organisation in a Slack Connect channel comes with their own
 * workspace's id and is refused like any click from elsewhere.
 */
export interface AnswerButtonDeps {
  queue: AnswerQueue;
  logger: Logger;
  /** ADMIN_USER_IDS: may stop and retry anyone's answer. */
  adminUserIds?: readonly string[] | undefined;
}

export interface AnswerClick {
  action: string;
  /** The answer's job id, as the button carried it (checked well-formed and of this place). */
  jobId: string;
  teamId: string;
  channel: string;
  userId: string;
  /** The message carrying the button, and its thread, when Slack sent them. */
  messageTs: string | undefined;
  threadTs: string | undefined;
}

export type ClickRefusal = 'not an answer id' | 'from another workspace or conversation' | 'no such answer here';

/** The click on an answer's button, or why it is refused (logged here). */
export function readAnswerClick(action: string, body: BlockAction, value: string | undefined, logger: Logger): AnswerClick | undefined {
  const container = body.container as { channel_id?: unknown; message_ts?: unknown; thread_ts?: unknown } | undefined;
  const teamId = body.team?.id ?? body.user.team_id;
  const channel = body.channel?.id ?? stringOr(container?.channel_id);
  const message = body.message as { ts?: string; thread_ts?: string } | undefined;
  const where = { action, user: body.user.id, teamId, channel };
  const question = value === undefined ? undefined : answerOfJobId(value);
  if (!question || value === undefined) {
    logRefusal(logger, where, 'not an answer id', value);
    return undefined;
  }
  if (!teamId || !channel || question.teamId !== teamId || question.channel !== channel) {
    logRefusal(logger, where, 'from another workspace or conversation', value);
    return undefined;
  }
  return {
    action,
    jobId: value,
    teamId,
    channel,
    userId: body.user.id,
    messageTs: message?.ts ?? stringOr(container?.message_ts),
    threadTs: message?.thread_ts ?? message?.ts ?? stringOr(container?.thread_ts),
  };
}

export type AnswerJob = JobLookup & { data: QuestionJob };

/**
 * The answer's job: found, `missing` (no such job, or not a question's), or `elsewhere` (a question
 * of another thread than the click's: refused and logged here).
 */
export async function answerJobOf(click: AnswerClick, deps: AnswerButtonDeps): Promise<AnswerJob | 'missing' | 'elsewhere'> {
  const found = await deps.queue.lookup(click.jobId);
  const data = found?.job.data;
  if (!found || data?.kind !== 'question') return 'missing';
  if (!belongsTo(data, click)) {
    logRefusal(deps.logger, click, 'no such answer here', click.jobId);
    return 'elsewhere';
  }
  return { ...found, data };
}

/**
 * Continue and the votes, which work on an older answer too: its job, `expired` when the job is
 * gone but the click is on an answer of a thread the bot answered in, or undefined (refused and
 * logged here).
 */
export async function answerOrExpired(click: AnswerClick, deps: AnswerButtonDeps & { redis: RedisClient; keys: RedisKeys }): Promise<AnswerJob | 'expired' | undefined> {
  const answer = await answerJobOf(click, deps);
  if (answer === 'elsewhere') return undefined;
  if (answer !== 'missing') return answer;
  if (await inAnsweredThread(click, deps)) return 'expired';
  logRefusal(deps.logger, click, 'no such answer here', click.jobId);
  return undefined;
}

/**
 * For an answer whose job has expired: the click's thread is one the bot answered in (marked for
 * 30 days, answer/answer-question.ts), and the question of the button's id lies in it, before the
 * clicked message.
 */
export async function inAnsweredThread(click: AnswerClick, deps: { redis: RedisClient; keys: RedisKeys }): Promise<boolean> {
  const question = answerOfJobId(click.jobId);
  if (!question || !click.threadTs || !click.messageTs) return false;
  if (compareTs(question.messageTs, click.threadTs) < 0 || compareTs(question.messageTs, click.messageTs) > 0) return false;
  return (await deps.redis.exists(deps.keys.joinedThread(click.teamId, click.channel, click.threadTs))) === 1;
}

/** Whether a question (a job's data, or a lost job's record) is the one the click is about. */
export function belongsTo(question: Pick<QuestionJob, 'teamId' | 'channel' | 'threadTs'>, click: AnswerClick): boolean {
  return question.teamId === click.teamId && question.channel === click.channel && (click.threadTs === undefined || question.threadTs === click.threadTs);
}

/**
 * Stop and Retry by anyone but the asker or an admin: refused, logged, and the presser told who
 * may. True when refused.
 */
export async function refuseUnlessController(click: AnswerClick, asker: string, verb: string, client: WebClient, deps: AnswerButtonDeps): Promise<boolean> {
  if (click.userId === asker || (deps.adminUserIds ?? []).includes(click.userId)) return false;
  logRefusal(deps.logger, click, 'not allowed', click.jobId);
  await tellClicker(client, click, `Only <@${asker}>, who asked, or an admin can ${verb} this answer.`, deps);
  return true;
}

/**
 * Tells the presser privately, in the click's thread. The click has been acknowledged already, so
 * a reply Slack refuses is only logged.
 */
export async function tellClicker(client: WebClient, click: Pick<AnswerClick, 'action' | 'channel' | 'userId' | 'threadTs'>, text: string, deps: Pick<AnswerButtonDeps, 'logger'>): Promise<void> {
  await client.chat
    .postEphemeral({ channel: click.channel, user: click.userId, text, ...(click.threadTs ? { thread_ts: click.threadTs } : {}) })
    .catch((error: unknown) => deps.logger.warn({ err: error, action: click.action }, 'could not answer a button click privately'));
}

export function logRefusal(logger: Logger, where: { action: string; user?: string; userId?: string; teamId?: string | undefined; channel?: string | undefined }, reason: ClickRefusal | 'not allowed', value?: string): void {
  logger.info(
    { action: where.action, user: where.user ?? where.userId, teamId: where.teamId, channel: where.channel, reason, value: value?.slice(0, 120) },
    'button press refused',
  );
}

const stringOr = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
