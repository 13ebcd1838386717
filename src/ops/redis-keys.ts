/**
 * Every Redis key the bot writes outside BullMQ, named in one place. All share the queue
 * prefix, so one deployment's data can be found (and cleaned) as a unit, and a hash-tagged
 * prefix such as `{aws-orchestrator}` keeps them in one Redis Cluster slot with the queue.
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  private key(...parts: string[]): string {
    return [this.prefix, ...parts].join(':');
  }

  /** Claimed once per job id: the first enqueue of a Slack message wins, redeliveries lose. */
  enqueued(jobId: string): string {
    return this.key('enqueued', jobId);
  }

  /** Sorted set of the messages of one thread still waiting for or getting an answer, by ts. */
  threadQueue(team: string, channel: string, threadTs: string): string {
    return this.key('thread-queue', team, channel, threadTs);
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

  /** Set when someone presses Stop on an answer that is being written. */
  stopRequested(jobId: string): string {
    return this.key('stop', jobId);
  }

  /** Channel for cross-worker notices about a job (stop requests). */
  jobSignals(): string {
    return this.key('job-signals');
  }

  usageDay(team: string, day: string): string {
    return this.key('usage', team, day);
  }

  rateWindow(team: string, user: string): string {
    return this.key('rate', team, user);
  }

  answerCache(hash: string): string {
    return this.key('answer-cache', hash);
  }

  inflightAnswer(hash: string): string {
    return this.key('answer-inflight', hash);
  }

  feedback(team: string, day: string): string {
    return this.key('feedback', team, day);
  }
}
