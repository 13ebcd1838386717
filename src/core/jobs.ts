/**
 * What travels on the queue. Jobs carry only what a worker needs to find the question again in
 * Slack (the thread is the memory), plus the Slack message ids it has already created, so that a
 * job picked up again after a crash continues in the same messages instead of posting new ones.
 * Pure data: the BullMQ edge (queue/) moves them, the question pipeline (answer/) handles them.
 */

/** A job as its handler sees it: what it carries, and a way to record progress on it. */
export interface JobHandle<Data> {
  id: string;
  /** Always the latest saved data. */
  readonly data: Data;
  /** Whether a run of this job began before this one (a worker died, an attempt failed, a stopping worker handed it back). */
  readonly startedBefore: boolean;
  update(data: Data): Promise<void>;
}

/** How a question reached the bot; decides how the answer is shown. */
export type QuestionSource = 'mention' | 'dm' | 'thread-reply' | 'command' | 'assistant' | 'shortcut';

export interface SlackPlace {
  teamId: string;
  channel: string;
  /** The thread the answer goes in. */
  threadTs: string;
}

export interface QuestionJob extends SlackPlace {
  kind: 'question';
  source: QuestionSource;
  /** The message being answered (for `/aws`, the bot's post of the question, once made). */
  messageTs: string;
  userId: string;
  /** Text of the question as received, used when the thread cannot be read. */
  text: string;
  /** ts of the bot's answer message once posted (a placeholder first). */
  answerTs?: string;
  /** ts of the follow-up messages of a long answer, once posted. */
  followUpTs?: string[];
  /** Set once the final answer is in Slack: a run of the job after that (a crash before BullMQ
   * recorded completion) must not ask the model again and overwrite it. */
  deliveredAt?: number;
  /** Set for `/aws`: where to answer when the bot cannot post in the channel. */
  responseUrl?: string;
  /** Set for Continue: the answer to extend. */
  continueFromTs?: string;
  /**
   * Set for the message shortcut, whose question is a message anyone may have written (another
   * bot's alarm, a teammate's stack trace): who wrote it. `text` then holds the message's text and
   * the text of its blocks and attachments, and `userId` is the person who asked about it.
   */
  subjectAuthor?: MessageAuthor;
  receivedAt: number;
}

/** Who wrote a message asked about: a person, or another app (which has a name but no person behind it). */
export interface MessageAuthor {
  userId?: string;
  appName?: string;
}

/** `/aws <question>`: the worker first posts the question in the channel, then answers it. */
export interface CommandQuestionJob {
  kind: 'command-question';
  teamId: string;
  channel: string;
  userId: string;
  text: string;
  responseUrl: string;
  /** ts of the bot's visible post of the question, once made. */
  questionTs?: string;
  receivedAt: number;
}

/** A short reply that is not a model answer: help, a refusal, a notice. */
export interface NoticeJob {
  kind: 'notice';
  teamId: string;
  channel: string;
  userId: string;
  threadTs?: string;
  text: string;
  ephemeral: boolean;
  responseUrl?: string;
  receivedAt: number;
}

/** A new AI-assistant thread: greet the person and offer suggested prompts. */
export interface AssistantGreetingJob {
  kind: 'assistant-greeting';
  teamId: string;
  channel: string;
  threadTs: string;
  userId: string;
  /** ts of the greeting, once posted, so that a retried job does not greet twice. */
  greetingTs?: string;
  receivedAt: number;
}

/** `/aws usage`: the report is computed by a worker and sent privately through the command's response_url. */
export interface UsageReportJob {
  kind: 'usage-report';
  teamId: string;
  channel: string;
  userId: string;
  responseUrl: string;
  receivedAt: number;
}

/** The Home tab was opened: a worker adds up the person's figures and publishes their Home view. */
export interface HomeTabJob {
  kind: 'home-tab';
  teamId: string;
  /** The person's conversation with the app, where app_home_opened comes from. */
  channel: string;
  userId: string;
  receivedAt: number;
}

export type AnswerQueueJob = QuestionJob | CommandQuestionJob | NoticeJob | AssistantGreetingJob | UsageReportJob | HomeTabJob;

/** Job ids are built and read in core/job-ids.ts (one encoder for ids and Redis key parts). */

/** A handler's answer when its work failed and the person was already told: final for the queue. */
export interface HandledFailure {
  failed: string;
}

export function isHandledFailure(value: unknown): value is HandledFailure {
  return typeof value === 'object' && value !== null && typeof (value as Partial<HandledFailure>).failed === 'string';
}

export interface JobHandler<Data> {
  run(job: JobHandle<Data>, signal: AbortSignal | undefined): Promise<unknown>;
  /** The job failed for good outside the handler's own reporting (its last attempt threw, or its workers kept dying). */
  gaveUp?(job: JobHandle<Data>, error: unknown): Promise<void>;
}

/** One handler per kind of job: what the composition root hands the queue's worker. */
export type JobHandlers = { [Kind in AnswerQueueJob['kind']]: JobHandler<Extract<AnswerQueueJob, { kind: Kind }>> };
