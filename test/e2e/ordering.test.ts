import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { RedisKeys } from '../../src/ops/redis-keys.js';
import { questionJobId } from '../../src/core/job-ids.js';
import { JOIN_GRACE_MS, ThreadOrder, type ThreadJob } from '../../src/queue/thread-order.js';
import type { RequestBody } from '../fakes/anthropic-rules.js';
import type { RecordedRequest } from '../fakes/anthropic.js';
import { appMention, sendEvent, SIGNING_SECRET } from '../support/slack-requests.js';
import { ALICE, BOT_USER, GENERAL, isFinal, startStack, type Stack } from './stack.js';
import { loggedByAnyBot, turnsOf } from './answer-checks.js';

/**
 * Conversations answered in order. Two worker processes that take one job at a time
 * each, so questions that arrive together are taken by different processes, and only the
 * per-thread order in Redis keeps them in sequence.
 */
let stack: Stack;

beforeAll(async () => {
  // Two processes that answer: one also runs the web role, the other is a worker only.
  stack = await startStack({ roles: ['all', 'worker'], env: { WORKER_CONCURRENCY: '1' } });
  stack.anthropic.setResponder(answerByName);
}, 60_000);
afterAll(async () => {
  await stack?.stop();
});

/** The fake model answers each question by name, slowly enough for the next one to arrive meanwhile. */
function answerByName(body: RequestBody) {
  return { text: `Answer to «${lastUserLine(body)}».`, chunkSize: 4, tokenDelayMs: 25 };
}

function lastUserLine(body: RequestBody): string {
  const last = (body.messages as Array<{ content: unknown }>).at(-1);
  const text = typeof last?.content === 'string' ? last.content : JSON.stringify(last?.content);
  return text.split('\n').at(-1)!.replace(/^<@\w+>: /, '');
}

const requestFor = (question: string): RecordedRequest | undefined => stack.anthropic.messageRequests().find((request) => lastUserLine(request.body!) === question);

function finalAnswerTo(channel: string, threadTs: string, question: string) {
  return stack.slack.waitFor(() => stack.slack.messagesIn(channel, threadTs).find((m) => m.user === BOT_USER && m.text.includes(`Answer to «${question}»`) && isFinal(m)), 20_000);
}

/** Posts `questions` into one thread (the first opens it) and delivers them all at once. */
async function askTogether(questions: string[], channel = GENERAL): Promise<string> {
  const first = stack.slack.addMessage(channel, { user: ALICE, text: `<@${BOT_USER}> ${questions[0]}` });
  const events = [appMention({ channel, user: ALICE, text: first.text, ts: first.ts })];
  for (const question of questions.slice(1)) {
    const reply = stack.slack.addMessage(channel, { user: ALICE, text: `<@${BOT_USER}> ${question}`, thread_ts: first.ts });
    events.push(appMention({ channel, user: ALICE, text: reply.text, ts: reply.ts, thread_ts: first.ts }));
  }
  await Promise.all(events.map((event) => sendEvent(stack.eventsUrl, SIGNING_SECRET, event)));
  return first.ts;
}

describe('questions in one thread, sent together, with two worker processes', () => {
  it('are answered one after another, in order, each seeing the answers before it', async () => {
    const questions = ['What is SQS?', 'And SNS?', 'Which one for fan-out?'];
    const threadTs = await askTogether(questions);
    const answers = [];
    for (const question of questions) answers.push(await finalAnswerTo(GENERAL, threadTs, question));

    const requests = questions.map((question) => requestFor(question)!);
    for (let index = 1; index < questions.length; index += 1) {
      // The next model call starts only once the previous answer is final in Slack.
      const previousFinalAt = stack.slack.history(GENERAL, answers[index - 1]!.ts).at(-1)!.at;
      expect(requests[index]!.at).toBeGreaterThanOrEqual(previousFinalAt);
      expect(answers[index]!.ts > answers[index - 1]!.ts).toBe(true);
    }
    expect(turnsOf(requests[2])).toEqual([
      { role: 'user', content: `<@${ALICE}>: What is SQS?` },
      { role: 'assistant', content: 'Answer to «What is SQS?».' },
      { role: 'user', content: `<@${ALICE}>: And SNS?` },
      { role: 'assistant', content: 'Answer to «And SNS?».' },
      { role: 'user', content: `<@${ALICE}>: Which one for fan-out?` },
    ]);
    // Both worker processes took questions of the thread (each takes one job at a time), and a
    // question that was not next waited: the order held across processes.
    const tookPart = (bot: (typeof stack.bots)[number]) =>
      bot.logs.some((log) => (log.msg === 'answering' || log.msg === 'waiting for an earlier question of the thread') && log.threadTs === threadTs);
    expect(stack.bots.filter(tookPart)).toHaveLength(2);
    expect(stack.bots.some((bot) => bot.logs.some((log) => log.msg === 'waiting for an earlier question of the thread' && log.threadTs === threadTs))).toBe(true);
  });

  it('while different threads are answered in parallel', async () => {
    const [first, second] = ['How do I tag EC2 instances?', 'How do I tag S3 buckets?'];
    // Neither is answered until both have reached the model: one after the other, they never would.
    const arrived = new Set<string>();
    let bothArrived!: () => void;
    const together = new Promise<void>((resolve) => (bothArrived = resolve));
    stack.anthropic.setResponder(async (body) => {
      arrived.add(lastUserLine(body));
      if (arrived.has(first) && arrived.has(second)) bothArrived();
      await together;
      return answerByName(body);
    });
    try {
      const threads = await Promise.all([askTogether([first]), askTogether([second])]);
      await Promise.all([finalAnswerTo(GENERAL, threads[0], first), finalAnswerTo(GENERAL, threads[1], second)]);
    } finally {
      bothArrived();
      stack.anthropic.setResponder(answerByName);
    }
    const [a, b] = [requestFor(first)!, requestFor(second)!];
    expect(a.at).toBeLessThan(b.endedAt!);
    expect(b.at).toBeLessThan(a.endedAt!);
  });

  it('are not held up by a question whose job vanished', async () => {
    const keys = new RedisKeys('aws-orchestrator');
    const redis = new Redis(stack.redis.url);
    try {
      const parent = stack.slack.addMessage(GENERAL, { user: ALICE, text: 'A thread whose first question was lost' });
      const lost = { teamId: 'T0TEST', channel: GENERAL, threadTs: parent.ts, messageTs: parent.ts };
      // What a crash between joining and adding, or a job removed by hand, leaves behind.
      await redis.zadd(keys.threadQueue('T0TEST', GENERAL, parent.ts), Date.now() - 2 * JOIN_GRACE_MS, `${parent.ts}|${questionJobId('T0TEST', GENERAL, parent.ts)}`);
      const asked = await stack.mention(`<@${BOT_USER}> Is this thread stuck?`, { threadTs: parent.ts });
      await finalAnswerTo(GENERAL, parent.ts, 'Is this thread stuck?');
      expect(asked.threadTs).toBe(lost.threadTs);
      // It never waited for the lost question: its first look at the thread found the turn free.
      const jobId = questionJobId('T0TEST', GENERAL, asked.ts);
      await loggedByAnyBot(stack, (log) => log.msg === 'answering' && log.jobId === jobId);
      expect(stack.bots.some((bot) => bot.logs.some((log) => log.msg === 'waiting for an earlier question of the thread' && log.jobId === jobId))).toBe(false);
      // The stale member was dropped, and the answered question left once complete.
      await expect.poll(() => redis.zcard(keys.threadQueue('T0TEST', GENERAL, parent.ts))).toBe(0);
    } finally {
      redis.disconnect();
    }
  });
});

/** The ordering rules themselves, against the same redis-server under another prefix. */
describe('ThreadOrder', () => {
  const prefix = 'order-test';
  const keys = new RedisKeys(prefix);
  let redis: Redis;
  let queue: Queue;
  let worker: Worker;
  let clock: number;
  let order: ThreadOrder;
  let thread = 0;

  beforeAll(async () => {
    redis = new Redis(stack.redis.url, { maxRetriesPerRequest: null });
    queue = new Queue('answers', { connection: redis, prefix });
    // A worker without a processor: jobs are moved to active and finished by hand.
    worker = new Worker('answers', null, { connection: redis, prefix, autorun: false });
    order = new ThreadOrder(redis, keys, queue, () => clock);
  });
  afterAll(async () => {
    await worker?.close();
    await queue?.close();
    redis?.disconnect();
  });

  /** A fresh thread with questions at ts 1000.000001, 1000.000002, … */
  function newThread(count: number): ThreadJob[] {
    thread += 1;
    const threadTs = `${2000 + thread}.000000`;
    return Array.from({ length: count }, (_, index) => ({ teamId: 'T1', channel: 'C1', threadTs, messageTs: `${2000 + thread}.00000${index + 1}` }));
  }
  const idOf = (job: ThreadJob) => questionJobId(job.teamId, job.channel, job.messageTs);
  /** Enters the question in its thread's order as the producer does before it adds the job. */
  async function join(job: ThreadJob) {
    const entry = order.entry(job, idOf(job));
    await redis.zadd(entry.key, 'NX', entry.joinedAt, entry.member);
  }
  async function enqueue(job: ThreadJob) {
    await join(job);
    return queue.add('question', job, { jobId: idOf(job) });
  }
  /** Moves the next waiting job to active, as a worker taking it would. */
  async function takeNext(token = 'test-token') {
    const job = await worker.getNextJob(token);
    expect(job).toBeDefined();
    return job;
  }

  beforeEach(async () => {
    clock = Date.now();
    await queue.obliterate({ force: true });
  });

  it('lets a question start only when the earlier ones of its thread are done', async () => {
    const [first, second] = newThread(2) as [ThreadJob, ThreadJob];
    await enqueue(second);
    await enqueue(first);
    expect(await order.isTurnOf(second, idOf(second))).toBe(false);
    expect(await order.isTurnOf(first, idOf(first))).toBe(true);
    expect(await order.isTurnOf(second, idOf(second))).toBe(false);
    await order.leave(first, idOf(first));
    await (await queue.getJob(idOf(first)))!.remove();
    expect(await order.isTurnOf(second, idOf(second))).toBe(true);
    await order.leave(second, idOf(second));
  });

  it('waits for an earlier question whose job is being added, and gives it up after the grace period', async () => {
    const [first, second] = newThread(2) as [ThreadJob, ThreadJob];
    await join(first); // …and its producer has not added the job yet
    await enqueue(second);
    expect(await order.isTurnOf(second, idOf(second))).toBe(false);
    clock += JOIN_GRACE_MS + 1;
    expect(await order.isTurnOf(second, idOf(second))).toBe(true);
    expect(await redis.zrange(keys.threadQueue('T1', 'C1', first.threadTs), 0, '-1')).toEqual([`${second.messageTs}|${idOf(second)}`]);
    await order.leave(second, idOf(second));
  });

  it('drops earlier questions that finished without leaving', async () => {
    const [first, second, third] = newThread(3) as [ThreadJob, ThreadJob, ThreadJob];
    for (const job of [first, second, third]) await enqueue(job);
    const active = await takeNext();
    await active.moveToCompleted('done', 'test-token', false);
    const failing = await takeNext();
    await failing.moveToFailed(new Error('gave up'), 'test-token', false);
    expect(await order.isTurnOf(third, idOf(third))).toBe(true);
    await order.leave(third, idOf(third));
    await (await queue.getJob(idOf(third)))!.remove();
  });

  it('holds a question that arrives late while a later one of its thread is being answered', async () => {
    const [early, late] = newThread(2) as [ThreadJob, ThreadJob];
    await enqueue(late);
    expect(await order.isTurnOf(late, idOf(late))).toBe(true);
    const running = await takeNext();
    expect(running.id).toBe(idOf(late));
    await enqueue(early); // delivered after the later message had started
    expect(await order.isTurnOf(early, idOf(early))).toBe(false);
    await order.leave(late, idOf(late));
    await running.moveToCompleted('done', 'test-token', false);
    expect(await order.isTurnOf(early, idOf(early))).toBe(true);
    await order.leave(early, idOf(early));
    await (await queue.getJob(idOf(early)))!.remove();
  });

  it('takes the turn from a job that is gone when the question is alone in its thread, not from one still waiting', async () => {
    const [only] = newThread(1) as [ThreadJob];
    const turn = keys.threadTurn('T1', 'C1', only.threadTs);
    const [holder] = newThread(1) as [ThreadJob];
    await queue.add('question', holder, { jobId: idOf(holder) });
    await redis.set(turn, idOf(holder), 'EX', 60);
    await enqueue(only);
    expect(await order.isTurnOf(only, idOf(only))).toBe(false);
    await (await queue.getJob(idOf(holder)))!.remove();
    expect(await order.isTurnOf(only, idOf(only))).toBe(true);
    expect(await redis.get(turn)).toBe(idOf(only));
    await order.leave(only, idOf(only));
    await (await queue.getJob(idOf(only)))!.remove();
  });

  it('takes the turn from a question that died holding it, and a retried one yields to an earlier question', async () => {
    const [early, late, later] = newThread(3) as [ThreadJob, ThreadJob, ThreadJob];
    await enqueue(late);
    expect(await order.isTurnOf(late, idOf(late))).toBe(true);
    // `late` fails once and waits for its retry (delayed), still holding the turn; `early` arrives.
    await enqueue(early);
    expect(await order.isTurnOf(early, idOf(early))).toBe(false);
    expect(await order.isTurnOf(late, idOf(late))).toBe(false); // its retry sees an earlier question and lets go
    expect(await order.isTurnOf(early, idOf(early))).toBe(true);
    // `early`'s worker dies for good: its job vanishes without leaving.
    await (await queue.getJob(idOf(early)))!.remove();
    clock += JOIN_GRACE_MS + 1;
    await enqueue(later);
    expect(await order.isTurnOf(late, idOf(late))).toBe(true);
    expect(await order.isTurnOf(later, idOf(later))).toBe(false);
    await order.leave(late, idOf(late));
    expect(await order.isTurnOf(later, idOf(later))).toBe(true);
    await order.leave(later, idOf(later));
    expect(await redis.exists(keys.threadTurn('T1', 'C1', later.threadTs), keys.threadQueue('T1', 'C1', later.threadTs))).toBe(0);
  });
});
