import { encodeKeyPart } from '../core/job-ids.js';

/**
 * Every Redis key the bot writes outside BullMQ, named in one place. All share the queue
 * prefix, so one deployment's data can be found (and cleaned) as a unit, and a hash-tagged
 * prefix such as `{aws-orchestrator}` keeps them in one Redis Cluster slot with the queue.
 *
 * Every part after the prefix goes through the job-id encoder (core/job-ids.ts): a value can
 * neither add a `:` level of its own nor make two keys one, and a part longer than any Slack id
 * (a 100 KB button value, say) is refused with an IdPartError before Redis sees it.
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  private key(...parts: string[]): string {
    return [this.prefix, ...parts.map(encodeKeyPart)].join(':');
  }

  /** Claimed once per job id: the first enqueue of a Slack message wins, redeliveries lose. */
  enqueued(jobId: string): string {
    return this.key('enqueued', jobId);
  }

  /** Sorted set of the messages of one thread still waiting for or getting an answer, by ts. */
  threadQueue(team: string, channel: string, threadTs: string): string {
    return this.key('thread-queue', team, channel, threadTs);
  }

  /** The question of a thread being answered now (one at a time per thread), by job id. */
  threadTurn(team: string, channel: string, threadTs: string): string {
    return this.key('thread-turn', team, channel, threadTs);
  }

  /** An AI-assistant thread (hash: the context the person is viewing, whether it has a title). */
  assistantThread(team: string, channel: string, threadTs: string): string {
    return this.key('assistant-thread', team, channel, threadTs);
  }

  /** Marks a thread the bot takes part in, so follow-ups without a mention are answered. */
  joinedThread(team: string, channel: string, threadTs: string): string {
    return this.key('joined', team, channel, threadTs);
  }

  /** A recent read of a thread's messages, reused by jobs that follow each other closely. */
  threadCache(team: string, channel: string, threadTs: string): string {
    return this.key('thread-cache', team, channel, threadTs);
  }

  /** The shared budget of Slack write calls of one workspace, per method. */
  slackBudget(team: string, method: string): string {
    return this.key('slack-budget', team, method);
  }

  /** Until when (ms epoch) Slack asked a workspace to hold calls to a method. */
  slackBackoff(team: string, method: string): string {
    return this.key('slack-backoff', team, method);
  }

  /** Sorted set of the answers being written in a workspace (each will need a final update), by expiry. */
  slackAnswersInFlight(team: string): string {
    return this.key('slack-answers-in-flight', team);
  }

  /** Sorted set of the answers in flight in a workspace that show no model text yet, by expiry. */
  slackAnswersUnshown(team: string): string {
    return this.key('slack-answers-unshown', team);
  }

  /** Sorted set of final writes waiting for their slot (members: the write, scores: when it is due). */
  slackPendingFinals(): string {
    return this.key('slack-pending-finals');
  }

  /** Set when someone presses Stop on an answer that is being written. */
  stopRequested(jobId: string): string {
    return this.key('stop', jobId);
  }

  /** Channel for cross-worker notices about a job (stop requests). */
  jobSignals(): string {
    return this.key('job-signals');
  }

  /** Set when Slack refused to start a text stream in a conversation: chat.update is used there for a while. */
  streamingRefused(team: string, channel: string): string {
    return this.key('streaming-refused', team, channel);
  }

  /** Hash of one UTC day's usage counters of a workspace (fields `scope|metric`, see usage/usage-fields.ts). */
  usageDay(team: string, day: string): string {
    return this.key('usage', team, day);
  }

  /** Sorted set of a person's recent questions (job ids by the time they were asked): the per-minute limit. */
  rateWindow(team: string, user: string): string {
    return this.key('rate', team, user);
  }

  /** A recent answer to a first question, by the hash of the question and the model settings. */
  answerCache(hash: string): string {
    return this.key('answer-cache', hash);
  }

  /** Who posts a question's answer message: its receipt (then the message's ts) or its answer (answer/receipts.ts). */
  answerMessage(jobId: string): string {
    return this.key('answer-message', jobId);
  }

  /** Sorted set of queued questions by when their sign of receipt is due (queue/receipts-due.ts). */
  receiptsDue(): string {
    return this.key('receipts-due');
  }

  /** A recent tool result, by the hash of the tool and its input (tools/reused-results.ts). */
  toolResult(hash: string): string {
    return this.key('tool-result', hash);
  }

  /** How many account reads a person caused in one hour (the hour's number since the epoch). */
  accountCalls(team: string, user: string, hour: number): string {
    return this.key('account-calls', team, user, String(hour));
  }

  /** Who is answering a first question right now (the id of the stream it publishes), by the same hash. */
  inflightAnswer(hash: string): string {
    return this.key('answer-inflight', hash);
  }

  /** The stream id of the in-flight answer someone follows, by the same hash: the leader writes its stream only then. */
  inflightFollowers(hash: string): string {
    return this.key('answer-followers', hash);
  }

  /** Redis stream of one in-flight answer's text, read by identical questions sharing its model call. */
  inflightStream(streamId: string): string {
    return this.key('answer-stream', streamId);
  }

  /** Hash of one UTC day's 👍/👎 counts of a workspace. */
  feedback(team: string, day: string): string {
    return this.key('feedback', team, day);
  }

  /** Hash of the votes on one answer: user id → "up|day" or "down|day" (one vote each, changeable). */
  feedbackVotes(jobId: string): string {
    return this.key('feedback-votes', jobId);
  }

  /** A question whose job vanished with Redis's data while a worker was answering it, kept for its Retry button (answer/lost-jobs.ts). */
  lostJob(jobId: string): string {
    return this.key('lost-job', jobId);
  }
}
