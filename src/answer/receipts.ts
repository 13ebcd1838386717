import { answerBlocks } from '../core/answer-blocks.js';
import type { QuestionJob } from '../core/jobs.js';
import type { Logger } from '../ops/logger.js';
import type { RedisClient } from '../ops/redis.js';
import type { RedisKeys } from '../ops/redis-keys.js';
import type { AnswerPlace, SlackMessages } from '../publish/slack-messages.js';
import { slackErrorCode, sleep } from '../publish/slack-web.js';

/**
 * Signs of receipt. Under a burst larger than the worker pool, questions wait in the queue while
 * the workers answer earlier ones. Each question's receipt falls due SLACK_PLACEHOLDER_AFTER_MS
 * after it was asked (queue/receipts-due.ts); if the question is still waiting then, a worker
 * process posts the answer's message ("in line"), apart from its answers' slots, and the answer
 * is later written in it. A question started sooner needs none: its answer's first words (or
 * "Thinking…") are the sign.
 *
 * Who posts the answer's message is settled by one key per question, claimed with SET NX: the
 * receipt holds it while posting and then leaves the message's ts in it; the answer claims it
 * before it is admitted, and takes over the receipt's message when there is one.
 */
export const RECEIPT_TEXT = ':inbox_tray: _Got your question: it is in line, and the answer will appear here._';

const RECEIPT_POSTING = 'receipt';
const ANSWER_CLAIM = 'answer';
/** As long as a finished job is kept: a rerun of the job finds who posted its message. */
const CLAIM_SECONDS = 24 * 3600;
/** How long an answer waits for a receipt being posted (one Slack post) before it posts its own message. */
const RECEIPT_WAIT_MS = 10_000;
const RECEIPT_POLL_MS = 100;

export interface ReceiptDeps {
  messages: SlackMessages;
  redis: RedisClient;
  keys: RedisKeys;
  logger: Logger;
  /** The question of this job while it waits for a worker; undefined once started, finished or gone. */
  waitingQuestion(jobId: string): Promise<QuestionJob | undefined>;
  /** Told of each receipt posted (`postingSince`: when posting it began): its question is still queued, and its message must not outlive a lost job. */
  receiptPosted?: ((jobId: string, question: QuestionJob, postingSince: number) => void) | undefined;
}

export type ReceiptOutcome = 'posted' | 'not-needed' | 'cannot-post';

export async function postReceipt(questionJobId: string, deps: ReceiptDeps): Promise<ReceiptOutcome> {
  const question = await deps.waitingQuestion(questionJobId);
  if (!question || question.answerTs) return 'not-needed';
  const { teamId, channel, threadTs } = question;
  const key = deps.keys.answerMessage(questionJobId);
  const postingSince = Date.now();
  if ((await deps.redis.set(key, RECEIPT_POSTING, 'EX', CLAIM_SECONDS, 'NX')) === null) return 'not-needed';
  const place: AnswerPlace = { teamId, channel, threadTs, jobId: questionJobId };
  let ts: string;
  try {
    ts = await deps.messages.postAnswer(place, RECEIPT_TEXT, answerBlocks({ mrkdwn: RECEIPT_TEXT, state: 'thinking', jobId: questionJobId }), { kind: 'answer', job: questionJobId }, undefined);
  } catch (error) {
    await deps.redis.del(key);
    // Where the bot cannot post (a shortcut outside its channels), the answer finds out and says so.
    if (slackErrorCode(error) === undefined) throw error;
    deps.logger.info({ slackError: slackErrorCode(error) }, 'could not post a sign of receipt');
    return 'cannot-post';
  }
  const before = await deps.redis.set(key, ts, 'EX', CLAIM_SECONDS, 'GET');
  if (before === ANSWER_CLAIM) {
    // The answer gave up waiting for this post and wrote its own message: this one goes.
    await deps.redis.set(key, ANSWER_CLAIM, 'EX', CLAIM_SECONDS);
    await deps.messages.slack.chat.delete({ channel, ts }).catch((error: unknown) => deps.logger.warn({ err: error }, 'could not delete a late sign of receipt'));
    return 'not-needed';
  }
  deps.receiptPosted?.(questionJobId, { ...question, answerTs: ts }, postingSince);
  return 'posted';
}

/**
 * Who writes the answer's message, as the answer claims it before anything else: the message its
 * receipt posted, a message of its own (`new`), or one that may exist without having been
 * recorded (`unrecorded`): an earlier run of this job posted its message unless it ended first,
 * and it may have ended before recording it; a receipt still being posted after RECEIPT_WAIT_MS
 * was most likely posted by a worker that died before recording it (were it only slow, it finds
 * the answer's claim and deletes its message, and the answer's final reposts: slack-messages.ts).
 */
export type AnswerMessageClaim = { kind: 'receipt'; ts: string } | { kind: 'new' } | { kind: 'unrecorded' };

export async function claimAnswerMessage(jobId: string, deps: Pick<ReceiptDeps, 'redis' | 'keys'>): Promise<AnswerMessageClaim> {
  const key = deps.keys.answerMessage(jobId);
  const deadline = Date.now() + RECEIPT_WAIT_MS;
  for (;;) {
    if ((await deps.redis.set(key, ANSWER_CLAIM, 'EX', CLAIM_SECONDS, 'NX')) !== null) return { kind: 'new' };
    const value = await deps.redis.get(key);
    if (value === ANSWER_CLAIM) return { kind: 'unrecorded' };
    if (value !== null && value !== RECEIPT_POSTING) return { kind: 'receipt', ts: value };
    if (value === RECEIPT_POSTING) {
      if (Date.now() >= deadline) {
        // Taken with GET: a receipt posted at this very moment is seen here, or sees this claim.
        const before = await deps.redis.set(key, ANSWER_CLAIM, 'EX', CLAIM_SECONDS, 'GET');
        if (before === null) return { kind: 'new' };
        if (before === ANSWER_CLAIM || before === RECEIPT_POSTING) return { kind: 'unrecorded' };
        await deps.redis.set(key, before, 'EX', CLAIM_SECONDS);
        return { kind: 'receipt', ts: before };
      }
      await sleep(RECEIPT_POLL_MS);
    }
  }
}
