import type { WebClient } from '@slack/web-api';
import type { Logger } from '../ops/logger.js';
import type { AnswerQueue, EnqueueResult } from '../queue/producer.js';
import { IdPartError, noticeJobId, questionJobId } from '../core/job-ids.js';
import type { AnswerQueueJob, QuestionJob, QuestionSource } from '../core/jobs.js';
import { stripMention } from '../core/conversation.js';
import { maskQuestion, warnAboutSecrets } from './secret-warning.js';

/**
 * Where every Slack listener hands over: it turns a question into a job and nothing more. When
 * the queue is unreachable the person is told at once (through Slack, which needs no Redis):
 * a question is never dropped silently.
 */
export interface IntakeDeps {
  queue: AnswerQueue;
  logger: Logger;
  /**
   * MAX_QUESTION_CHARS: a job keeps only what is read of a question (see maskQuestion). Absent,
   * questions are kept whole.
   */
  maxQuestionChars?: number | undefined;
}

export interface IncomingQuestion {
  source: QuestionSource;
  teamId: string;
  channel: string;
  userId: string;
  text: string;
  ts: string;
  threadTs: string | undefined;
  hasFiles: boolean;
}

/** The fields every Slack message event shares (app_mention, message, assistant replies). */
export interface SlackMessageFields {
  user: string;
  channel: string;
  ts: string;
  text?: string;
  thread_ts?: string;
  files?: unknown[];
}

export function questionFrom(message: SlackMessageFields, source: QuestionSource, teamId: string): IncomingQuestion {
  return {
    source,
    teamId,
    channel: message.channel,
    userId: message.user,
    text: message.text ?? '',
    ts: message.ts,
    threadTs: message.thread_ts,
    hasFiles: (message.files?.length ?? 0) > 0,
  };
}

export const HELP_TEXT = [
  "*I'm aws-orchestrator, an AWS expert powered by Claude.* Ask me anything about AWS: architecture, services, IAM, costs, CLI commands, CloudFormation or Terraform.",
  '• Mention me in a channel: `@aws-orchestrator How do I set up ECS with Fargate?` — I answer in the thread, and replies in that thread continue the conversation.',
  '• Send me a direct message, or open me in the assistant panel.',
  '• Use `/aws <question>` anywhere; `/aws help` shows this guide, and `/aws usage` what your questions have cost.',
  '• On any message (an alarm, a stack trace), choose *Ask aws-orchestrator* from its ⋮ menu: I answer about it in its thread.',
  "I read the thread I'm answering in as context. Please never paste credentials.",
].join('\n');

/** Said whenever a question cannot be queued, so that nobody waits for an answer that will not come. */
export const QUEUE_DOWN_TEXT = ":warning: I can't take your question right now: my job queue is unavailable. Please try again in a minute.";

export const FILES_ONLY_TEXT = 'I can only read text, not files or images. Please describe your question in words.';

export async function takeQuestion(question: IncomingQuestion, botUserId: string, client: WebClient, deps: IntakeDeps): Promise<EnqueueResult | 'rejected'> {
  const threadTs = question.threadTs ?? question.ts;
  const asked = stripMention(question.text, botUserId);
  let ids: { question: string; notice: string };
  try {
    ids = { question: questionJobId(question.teamId, question.channel, question.ts), notice: noticeJobId(question.teamId, question.channel, question.ts) };
  } catch (error) {
    // The edge checks Slack's shapes (payloads.ts); only a request without its workspace gets here.
    if (!(error instanceof IdPartError)) throw error;
    deps.logger.warn({ source: question.source, reason: error.message }, 'question without a usable workspace, channel or ts ignored');
    return 'rejected';
  }
  if (asked.length === 0) {
    const text = question.hasFiles ? FILES_ONLY_TEXT : HELP_TEXT;
    return enqueueOrApologise(
      ids.notice,
      { kind: 'notice', teamId: question.teamId, channel: question.channel, userId: question.userId, threadTs, text, ephemeral: false, receivedAt: Date.now() },
      question,
      client,
      deps,
    );
  }
  // The job (stored in Redis, logged, sent to the model) only ever holds the masked text, and only
  // as much of it as is read.
  const masked = maskQuestion(asked, deps.maxQuestionChars);
  const job: QuestionJob = {
    kind: 'question',
    source: question.source,
    teamId: question.teamId,
    channel: question.channel,
    threadTs,
    messageTs: question.ts,
    userId: question.userId,
    text: masked.text,
    receivedAt: Date.now(),
  };
  const result = await enqueueOrApologise(ids.question, job, question, client, deps);
  if (result === 'queued' && masked.found.length > 0) await warnAboutSecrets({ ...question, threadTs, messageTs: question.ts }, masked.found, deps);
  return result;
}

async function enqueueOrApologise(
  jobId: string,
  job: AnswerQueueJob,
  question: IncomingQuestion,
  client: WebClient,
  deps: IntakeDeps,
): Promise<EnqueueResult | 'rejected'> {
  try {
    const result = await deps.queue.enqueue(jobId, job);
    deps.logger.info({ jobId, kind: job.kind, source: question.source, result }, result === 'queued' ? 'question queued' : 'duplicate delivery ignored');
    return result;
  } catch (error) {
    deps.logger.error({ err: error, jobId }, 'could not queue the question');
    await client.chat
      .postEphemeral({
        channel: question.channel,
        user: question.userId,
        ...(question.threadTs ? { thread_ts: question.threadTs } : {}),
        text: QUEUE_DOWN_TEXT,
      })
      .catch((notifyError: unknown) => deps.logger.error({ err: notifyError }, 'could not tell the user the queue is down'));
    return 'rejected';
  }
}
