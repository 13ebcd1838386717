import { questionJobId } from '../../src/core/job-ids.js';
import { expect } from 'vitest';
import type { SlackMessage } from '../fakes/slack.js';
import type { BotProcess } from '../support/bot.js';
import { blockActions, sendAction, SIGNING_SECRET, type SlackHttpResult } from '../support/slack-requests.js';
import { BOT_USER, isFinal, type Asked, type Stack } from './stack.js';

/** The job of a question asked in the stack's workspace (the fake Slack's team, T0TEST). */
export function jobIdOf(asked: Pick<Asked, 'channel' | 'ts'>): string {
  return questionJobId('T0TEST', asked.channel, asked.ts);
}

/**
 * What the failure tests look at in the fake workspace: the bot's replies in a thread, their
 * buttons, and pressing one the way Slack delivers a click (a signed block_actions request).
 */
export function botRepliesIn(stack: Stack, asked: Pick<Asked, 'channel' | 'threadTs' | 'ts'>): SlackMessage[] {
  return stack.slack.messagesIn(asked.channel, asked.threadTs).filter((message) => message.user === BOT_USER && message.ts !== asked.ts);
}

interface ButtonElement {
  action_id?: string;
  value?: string;
}

export function buttonsOf(message: SlackMessage): ButtonElement[] {
  const blocks = (message.blocks ?? []) as Array<{ type?: string; elements?: ButtonElement[] }>;
  return blocks.filter((block) => block.type === 'actions').flatMap((block) => block.elements ?? []);
}

export function buttonValue(message: SlackMessage, actionId: string): string | undefined {
  return buttonsOf(message).find((button) => button.action_id === actionId)?.value;
}

/** The bot's final message for `asked` that offers Retry (an answer that failed for good). */
export function failedAnswer(stack: Stack, asked: Asked, timeoutMs = 15_000): Promise<SlackMessage> {
  return stack.slack.waitFor(() => botRepliesIn(stack, asked).find((message) => isFinal(message) && buttonValue(message, 'answer_retry') !== undefined), timeoutMs);
}

/** Clicks a button of a bot message as `user`, exactly as Slack posts it to the request URL. */
export function pressButton(stack: Stack, message: SlackMessage, actionId: string, channel: string, user = 'U0ALICE'): Promise<SlackHttpResult> {
  const value = buttonValue(message, actionId);
  if (value === undefined) throw new Error(`message ${message.ts} has no ${actionId} button`);
  return sendAction(stack.eventsUrl, SIGNING_SECRET, blockActions({ message, actionId, value, channel, user }));
}

/** How often `needle` occurs in `text`. */
export function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls an asynchronous check (an HTTP probe, say) until it holds. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}

/** The turns of a model request as text, whatever blocks (cache breakpoints) carry them. */
export function turnsOf(request: { body?: Record<string, unknown> | undefined } | undefined): Array<{ role: string; content: string }> {
  const messages = (request?.body?.messages ?? []) as Array<{ role: string; content: string | Array<{ type: string; text?: string }> }>;
  return messages.map((message) => ({
    role: message.role,
    content: typeof message.content === 'string' ? message.content : message.content.map((block) => block.text ?? '').join(''),
  }));
}

// ---- Positive signs ---------------------------------------------------------------------------
// A test that shows something did NOT happen first waits for a sign that the work which could
// have done it is over (a job's last log line, its final state in BullMQ, a later question
// answered), then looks. A fixed pause would let a late duplicate slip past on a slow machine.
// (This file grows by appending: the imports of this part are here, and ESM hoists them.)
import { Queue, type Job, type JobState, type JobType } from 'bullmq';
import { QUEUE_NAME } from '../../src/queue/queue-name.js';
import type { Reply, Responder } from '../fakes/anthropic.js';
import { waitFor } from '../fakes/util.js';
import type { LogRecord } from '../support/bot.js';

/** The first log line (past or future) of any of the stack's bot processes that matches. */
export function loggedByAnyBot(stack: Stack, predicate: (log: LogRecord) => boolean, timeoutMs = 15_000, description = 'the expected log line'): Promise<LogRecord> {
  return waitFor(
    () => {
      for (const bot of stack.bots) {
        const found = bot.logs.find(predicate);
        if (found) return found;
      }
      return undefined;
    },
    timeoutMs,
    description,
  );
}

/**
 * Resolves once a question job's run is over, whatever its outcome (answered, stopped, failed,
 * refused by a usage limit): the worker logs `answered` after the answer's final message and the
 * usage record, so nothing of that run, a model request included, can come later.
 */
export function jobRunEnded(stack: Stack, jobId: string, timeoutMs = 15_000): Promise<LogRecord> {
  return loggedByAnyBot(stack, (log) => log.msg === 'answered' && log.jobId === jobId, timeoutMs, `the end of job ${jobId} (its 'answered' log line)`);
}

/** Every state a job can be in; finished jobs are kept for a day (queue/producer.ts). */
const EVERY_JOB_STATE: JobType[] = ['wait', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'];

/** The bot's queue as BullMQ itself reads it from the stack's Redis, open for the duration of `use`. */
async function withAnswerQueue<T>(stack: Stack, use: (queue: Queue) => Promise<T>): Promise<T> {
  const { hostname, port } = new URL(stack.redis.url);
  const queue = new Queue(QUEUE_NAME, { connection: { host: hostname, port: Number(port) }, prefix: stack.env.QUEUE_PREFIX ?? 'aws-orchestrator' });
  try {
    return await use(queue);
  } finally {
    await queue.close();
  }
}

/**
 * BullMQ's record of a job once it is in one of `states`: `completed` or `failed` (a failure the
 * person was told about is final, not retried) means no run of it is left to do anything.
 */
export function jobOnceIn(stack: Stack, jobId: string, states: JobState[], timeoutMs = 15_000): Promise<Job> {
  return withAnswerQueue(stack, async (queue) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const state = await queue.getJobState(jobId);
      if (state !== 'unknown' && states.includes(state)) break;
      if (Date.now() > deadline) throw new Error(`job ${jobId} is ${state}, not ${states.join(' or ')}, after ${timeoutMs} ms`);
      await sleep(50);
    }
    const job = await queue.getJob(jobId);
    if (!job) throw new Error(`job ${jobId} vanished`);
    return job;
  });
}

/** The job's data once `holds` is true of it: what a worker recorded on the job (its answer message, a delivery). */
export function jobDataOnce(stack: Stack, jobId: string, holds: (data: Record<string, unknown>) => boolean, timeoutMs = 15_000): Promise<Record<string, unknown>> {
  return withAnswerQueue(stack, async (queue) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const data = (await queue.getJob(jobId))?.data as Record<string, unknown> | undefined;
      if (data && holds(data)) return data;
      if (Date.now() > deadline) throw new Error(`job ${jobId}'s data did not become as expected within ${timeoutMs} ms: ${JSON.stringify(data)}`);
      await sleep(50);
    }
  });
}

/** The ids of every job in the queue, in any state: what a request queued, or that it queued nothing. */
export function jobIdsInQueue(stack: Stack): Promise<string[]> {
  return withAnswerQueue(stack, async (queue) => (await queue.getJobs(EVERY_JOB_STATE)).flatMap((job) => (job.id ? [job.id] : [])));
}

export interface AcknowledgementGate {
  /** The model reply, held back until `acknowledged()`: enqueue it on the fake Anthropic. */
  responder: Responder;
  /** Call once Slack's acknowledgement (the HTTP answer, the Socket Mode ack) is in hand. */
  acknowledged(): void;
  /** True when the reply went out after `patienceMs` without the acknowledgement. */
  repliedBeforeAcknowledgement: boolean;
}

/**
 * Slack's 3-second rule checked by order rather than by a stopwatch: the model's reply is held
 * back until the test has the acknowledgement. A bot that acknowledged only once the model had
 * answered (or sent anything) would wait for ever; the reply goes out anyway after `patienceMs`,
 * so that such a bot fails on `repliedBeforeAcknowledgement` instead of hanging the test. How
 * fast the acknowledgement is belongs to the benchmark (bench/: ack-events, ack-commands).
 */
export function replyAfterAcknowledgement(reply: Reply, patienceMs = 10_000): AcknowledgementGate {
  let acknowledge: () => void = () => undefined;
  const acknowledgement = new Promise<'acknowledged'>((resolve) => {
    acknowledge = () => resolve('acknowledged');
  });
  const gate: AcknowledgementGate = {
    repliedBeforeAcknowledgement: false,
    acknowledged: () => acknowledge(),
    responder: async () => {
      let timer: NodeJS.Timeout | undefined;
      const patience = new Promise<'impatient'>((resolve) => {
        timer = setTimeout(() => resolve('impatient'), patienceMs);
      });
      const first = await Promise.race([acknowledgement, patience]);
      clearTimeout(timer);
      if (first === 'impatient') gate.repliedBeforeAcknowledgement = true;
      return reply;
    },
  };
  return gate;
}

/**
 * Kills `victim` while Slack takes the first write, through one of `methods`, that `isTheWrite`
 * picks (by its arguments): the message exists (or shows what the update says), and the worker
 * never learns that it does. Returns the message's ts once the victim is dead.
 */
export async function killWhileSlackTakes(
  stack: Stack,
  victim: BotProcess,
  isTheWrite: (args: Record<string, unknown>) => boolean,
  ask: () => Promise<unknown>,
  methods: ReadonlyArray<'chat.postMessage' | 'chat.update'> = ['chat.postMessage'],
): Promise<string> {
  const watched: ReadonlySet<string> = new Set(methods);
  let writtenTs: string | undefined;
  const stopWatching = stack.slack.onCall((call) => {
    if (writtenTs !== undefined || !watched.has(call.method) || !isTheWrite(call.args)) return;
    writtenTs = call.method === 'chat.update' ? String(call.args.ts) : (call.response as { ts?: string }).ts;
    void victim.kill('SIGKILL');
  });
  try {
    await ask();
    await victim.exited;
  } finally {
    stopWatching();
  }
  expect(writtenTs).toBeDefined();
  return writtenTs!;
}

/** A bot write whose metadata says it is of this kind (and, with `complete`, that it holds the whole answer). */
export function postOfKind(kind: 'answer' | 'question' | 'notice', complete?: true): (args: Record<string, unknown>) => boolean {
  return (args) => {
    const payload = (args.metadata as { event_payload?: { kind?: string; complete?: boolean } } | undefined)?.event_payload;
    return payload?.kind === kind && (complete === undefined || payload.complete === true);
  };
}
