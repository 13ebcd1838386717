import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BotProcess } from '../support/bot.js';
import { assistantThreadStarted, sendCommand, sendEvent, SIGNING_SECRET, type SlackHttpResult } from '../support/slack-requests.js';
import { ASSISTANT_GREETING } from '../../src/core/assistant-copy.js';
import { assistantGreetingJobId } from '../../src/core/job-ids.js';
import { QUEUE_DOWN_TEXT } from '../../src/slack/intake.js';
import { botRepliesIn, eventually, jobIdOf, jobOnceIn, killWhileSlackTakes, occurrences, postOfKind } from './answer-checks.js';
import { ALICE, BOT_USER, GENERAL, isFinal, shownTexts, startStack, type Asked, type Stack } from './stack.js';

/**
 * Processes: a worker killed mid-answer, a worker asked to stop, Redis going away and
 * coming back. One web process and two workers share the test's Redis; locks are short so that
 * a dead worker's job is picked up within seconds.
 */
const LOCK_MS = 4000;
/** The fake workspace's direct-message channel with Alice, where the assistant panel's threads live. */
const DM = 'D0DM';
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ roles: ['web', 'worker', 'worker'], env: { JOB_LOCK_MS: String(LOCK_MS), JOB_STALLED_INTERVAL_MS: '500' } });
}, 60_000);
afterAll(async () => {
  await stack?.stop();
});
// What each process said is the only way to tell why a recovery did not happen in time.
afterEach((context) => {
  if (context.task.result?.state !== 'fail') return;
  for (const bot of stack.bots) console.error(`--- pid ${bot.pid} (${bot.env.ROLE}) ---\n${bot.lines.map((line) => line.raw.slice(0, 300)).join('\n')}`);
  console.error(`--- Slack calls ---\n${stack.slack.calls.map((call) => `${call.at} ${call.method} ${call.status} ${call.error ?? ''}`).join('\n')}`);
  console.error(`--- model requests ---\n${stack.anthropic.requests.map((request) => `${request.at} ${request.path} ${request.status} ${request.kind} ended ${request.endedAt}`).join('\n')}`);
});

const liveWorkers = () => stack.bots.slice(1).filter((bot) => !bot.exit);
const answered = (bot: BotProcess, jobId: string) => bot.logs.some((line) => line.msg === 'answering' && line.jobId === jobId);

/** The live worker that started answering `asked`. */
function workerAnswering(asked: Asked): Promise<BotProcess> {
  return stack.slack.waitFor(() => liveWorkers().find((bot) => answered(bot, jobIdOf(asked))));
}

/** Waits until part of the model's text is visible in the bot's placeholder. */
function streamingVisible(asked: Asked, prefix: string) {
  return stack.slack.waitFor(() => {
    const [placeholder] = botRepliesIn(stack, asked);
    return placeholder && shownTexts(stack, asked.channel, placeholder.ts).some((text) => text.startsWith(prefix)) ? placeholder : undefined;
  });
}

const sentences = (topic: string, count: number) => Array.from({ length: count }, (_, i) => `${topic} fact ${i + 1} is worth knowing.`).join(' ');

describe('a worker killed mid-answer (SIGKILL)', () => {
  it('is replaced by the other worker, which completes the answer in the same placeholder', async () => {
    expect(liveWorkers()).toHaveLength(2);
    const answerText = sentences('DynamoDB', 20);
    // The first attempt streams slowly (and dies with its worker); the second runs to the end.
    stack.anthropic.enqueue({ text: answerText, chunkSize: 12, tokenDelayMs: 100 }, { text: answerText, chunkSize: 24, tokenDelayMs: 10 });
    const asked = await stack.mention(`<@${BOT_USER}> Tell me about DynamoDB.`);
    const placeholder = await streamingVisible(asked, 'DynamoDB fact 1');
    const victim = await workerAnswering(asked);

    await victim.kill('SIGKILL');
    const answer = await stack.finalAnswer(asked, 20_000);
    // Recovered by BullMQ's stalled-job check (which counts it on the job) once the dead worker's
    // lock lapsed; how soon follows from JOB_LOCK_MS, a setting, and needs no stopwatch here.
    expect((await jobOnceIn(stack, jobIdOf(asked), ['completed'])).stalledCounter).toBe(1);

    expect(answer.ts).toBe(placeholder.ts);
    expect(answer.text).toBe(answerText);
    expect(occurrences(answer.text, 'DynamoDB fact 1 ')).toBe(1);
    expect(botRepliesIn(stack, asked)).toHaveLength(1);
    expect(stack.slack.callsTo('chat.postMessage').filter((call) => call.args.thread_ts === asked.ts)).toHaveLength(1);
    expect(liveWorkers().filter((bot) => answered(bot, jobIdOf(asked)))).toHaveLength(1);
  });

  it('killed between posting the answer message and recording it on the job: the next worker finds that message and completes the answer in it', async () => {
    const [victim] = liveWorkers();
    expect(liveWorkers()).toEqual([victim]);
    const answerText = sentences('Kinesis', 20);
    stack.anthropic.enqueue({ text: answerText, chunkSize: 12, tokenDelayMs: 100 }, { text: answerText, chunkSize: 24, tokenDelayMs: 10 });
    let asked!: Asked;
    const orphanTs = await killWhileSlackTakes(stack, victim!, postOfKind('answer'), async () => (asked = await stack.mention(`<@${BOT_USER}> Tell me about Kinesis.`)));
    const replacement = await stack.startBot('worker');

    const answer = await stack.finalAnswer(asked, 20_000);
    expect(answer.ts).toBe(orphanTs);
    expect(answer.text).toBe(answerText);
    expect(botRepliesIn(stack, asked)).toHaveLength(1);
    expect(stack.slack.callsTo('chat.postMessage').filter((call) => call.args.thread_ts === asked.ts)).toHaveLength(1);
    expect(replacement.logs.some((line) => line.msg === 'continuing in the answer message posted without being recorded' && line.answerTs === orphanTs)).toBe(true);
    // The next test kills this worker: not before it has finished with this job.
    await jobOnceIn(stack, jobIdOf(asked), ['completed']);
  });

  describe('killed between showing the whole answer and recording it delivered: the next worker leaves it as it is and asks the model nothing', () => {
    /**
     * Kills the only live worker as Slack takes the write that completes `topic`'s answer, lets a
     * new worker run the job again, and returns the bot's messages in the thread, oldest first.
     */
    async function killAtTheFinal(topic: string, answer: { text: string; chunkSize?: number; tokenDelayMs?: number }, methods: ReadonlyArray<'chat.postMessage' | 'chat.update'>) {
      const [victim] = liveWorkers();
      expect(liveWorkers()).toEqual([victim]);
      stack.anthropic.enqueue(answer);
      let asked!: Asked;
      const completedTs = await killWhileSlackTakes(stack, victim!, postOfKind('answer', true), async () => (asked = await stack.mention(`<@${BOT_USER}> Tell me about ${topic}.`)), methods);
      // Messages requests only: a worker starting checks the model through another endpoint.
      const modelRequests = stack.anthropic.messageRequests().length;
      const replacement = await stack.startBot('worker');
      const job = await jobOnceIn(stack, jobIdOf(asked), ['completed'], 20_000);

      expect(stack.anthropic.messageRequests()).toHaveLength(modelRequests);
      const replies = botRepliesIn(stack, asked);
      expect(replies.at(-1)!.ts).toBe(completedTs);
      expect(replacement.logs.some((line) => line.msg === 'answer shown whole by an earlier run of this job; not asked again' && line.answerTs === replies[0]!.ts)).toBe(true);
      expect((job.data as { deliveredAt?: number }).deliveredAt).toBeGreaterThan(0);
      expect(replies.every((message) => isFinal(message))).toBe(true);
      return replies;
    }

    it('shown by its final update', async () => {
      // Streamed for about a second: posted with its first words, then updated.
      const text = sentences('Redshift', 20);
      const replies = await killAtTheFinal('Redshift', { text, chunkSize: 12, tokenDelayMs: 20 }, ['chat.update']);
      expect(replies.map((message) => message.text)).toEqual([text]);
    });

    it('posted whole', async () => {
      // Written at once: its message is posted with the whole answer, and the job never learns its
      // ts. On a loaded machine a sign of receipt may come first, and the final is then its update.
      const text = 'Glue is a serverless data integration service.';
      const replies = await killAtTheFinal('Glue', { text }, ['chat.postMessage', 'chat.update']);
      expect(replies.map((message) => message.text)).toEqual([text]);
    });

    it('a long answer, whose last part completes it', async () => {
      // Longer than two messages (SLACK_MAX_MESSAGE_CHARS, 3,900 here): it continues in follow-ups.
      const text = sentences('EMR', 300);
      const replies = await killAtTheFinal('EMR', { text, chunkSize: 600 }, ['chat.postMessage']);
      expect(replies.length).toBeGreaterThanOrEqual(3);
      expect(replies.map((message) => message.text).join(' ')).toBe(text);
    });
  });

  describe("killed among a long answer's follow-ups (posted, not yet recorded): the next worker continues in those posted", () => {
    /**
     * Kills the only live worker as Slack takes the first follow-up of `topic`'s long answer (its
     * third part is still to come), lets a new worker run the job again with `rerunText`, and
     * returns the bot's messages in the thread and the orphaned follow-up's ts.
     */
    async function killAtTheFirstFollowUp(topic: string, rerunText: string) {
      const [victim] = liveWorkers();
      expect(liveWorkers()).toEqual([victim]);
      // Longer than two messages (SLACK_MAX_MESSAGE_CHARS, 3,900 here): three parts.
      stack.anthropic.enqueue({ text: sentences(topic, 300), chunkSize: 600 }, { text: rerunText, chunkSize: 600 });
      let asked!: Asked;
      let answerPosts = 0;
      const isAnswerPost = postOfKind('answer');
      // The answer's own message is its first post; the next one is its first follow-up.
      const isFirstFollowUp = (args: Record<string, unknown>) => isAnswerPost(args) && (answerPosts += 1) === 2;
      const followUpTs = await killWhileSlackTakes(stack, victim!, isFirstFollowUp, async () => (asked = await stack.mention(`<@${BOT_USER}> Tell me about ${topic}.`)));
      const replacement = await stack.startBot('worker');
      await jobOnceIn(stack, jobIdOf(asked), ['completed'], 20_000);

      const replies = botRepliesIn(stack, asked);
      expect(replies.every((message) => isFinal(message))).toBe(true);
      return {
        replies,
        followUpTs,
        posts: stack.slack.callsTo('chat.postMessage').filter((call) => call.args.thread_ts === asked.ts),
        continued: replacement.logs.some((line) => line.msg === 'continuing in the follow-ups posted without being recorded'),
      };
    }

    it('and posts only the parts still missing', async () => {
      const text = sentences('Athena', 300);
      const { replies, followUpTs, posts, continued } = await killAtTheFirstFollowUp('Athena', text);
      expect(replies).toHaveLength(3);
      expect(replies[1]!.ts).toBe(followUpTs);
      expect(replies.map((message) => message.text).join(' ')).toBe(text);
      // The message, the follow-up the first run posted, the part it did not reach: one post each.
      expect(posts).toHaveLength(3);
      expect(continued).toBe(true);
    });

    it('and deletes those a shorter answer no longer needs', async () => {
      const text = 'QuickSight is a business intelligence service.';
      const { replies, followUpTs, continued } = await killAtTheFirstFollowUp('QuickSight', text);
      expect(replies.map((message) => message.text)).toEqual([text]);
      expect(stack.slack.callsTo('chat.delete').some((call) => call.args.ts === followUpTs)).toBe(true);
      expect(continued).toBe(true);
    });
  });

  it('killed between posting an /aws question in the channel and recording it: the next worker finds that post and answers in its thread', async () => {
    const [victim] = liveWorkers();
    expect(liveWorkers()).toEqual([victim]);
    stack.anthropic.enqueue({ text: 'Athena queries data in S3 with SQL.' });
    let command!: SlackHttpResult;
    const postTs = await killWhileSlackTakes(stack, victim!, postOfKind('question'), async () => {
      command = await sendCommand(stack.eventsUrl, SIGNING_SECRET, { text: 'What is Athena?', user_id: ALICE, channel_id: GENERAL, response_url: stack.slack.responseUrl({ channel: GENERAL, user: ALICE }) });
    });
    expect(command.status).toBe(200);
    const replacement = await stack.startBot('worker');

    const answer = await stack.finalAnswer({ ts: postTs, channel: GENERAL, threadTs: postTs, response: command }, 20_000);
    expect(answer.text).toContain('Athena queries data in S3');
    const questionPosts = stack.slack.messagesIn(GENERAL).filter((message) => message.user === BOT_USER && message.text.includes('What is Athena?'));
    expect(questionPosts.map((message) => message.ts)).toEqual([postTs]);
    expect(replacement.logs.some((line) => line.msg === 'continuing with the question post an earlier run did not record' && line.questionTs === postTs)).toBe(true);
    await jobOnceIn(stack, jobIdOf({ channel: GENERAL, ts: postTs }), ['completed']);
  });

  it("killed between posting an assistant thread's greeting and recording it: the next worker finds the greeting and only suggests the prompts", async () => {
    const [victim] = liveWorkers();
    expect(liveWorkers()).toEqual([victim]);
    // Slack creates the thread's root message itself when the panel opens.
    const root = stack.slack.addMessage(DM, { user: BOT_USER, subtype: 'assistant_app_thread', text: 'New chat' });
    const greetingTs = await killWhileSlackTakes(stack, victim!, postOfKind('notice'), () => sendEvent(stack.eventsUrl, SIGNING_SECRET, assistantThreadStarted({ user: ALICE, channel: DM, thread_ts: root.ts })));
    await stack.startBot('worker');

    await stack.slack.waitFor(() => stack.slack.assistantCalls.find((call) => call.method === 'assistant.threads.setSuggestedPrompts' && call.thread_ts === root.ts), 20_000);
    const greetings = stack.slack.messagesIn(DM, root.ts).filter((message) => message.text === ASSISTANT_GREETING);
    expect(greetings.map((message) => message.ts)).toEqual([greetingTs]);
    await jobOnceIn(stack, assistantGreetingJobId('T0TEST', DM, root.ts), ['completed']);
  });
});

describe('a worker asked to stop (SIGTERM)', () => {
  it('takes no new job, finishes the answer in flight and exits 0', { timeout: 60_000 }, async () => {
    const [stopping] = liveWorkers();
    expect(liveWorkers()).toEqual([stopping]);
    const answerText = sentences('CloudFront', 10);
    stack.anthropic.enqueue({ text: answerText, chunkSize: 12, tokenDelayMs: 60 });
    const asked = await stack.mention(`<@${BOT_USER}> Tell me about CloudFront.`);
    await streamingVisible(asked, 'CloudFront fact 1');
    expect(await workerAnswering(asked)).toBe(stopping);

    const exited = stopping!.kill('SIGTERM');
    await stopping!.waitForLog((line) => line.msg === 'shutting down');
    stack.anthropic.enqueue({ text: 'Route 53 is DNS.' });
    const next = await stack.mention(`<@${BOT_USER}> What is Route 53?`);

    expect(await exited).toEqual({ code: 0, signal: null });
    // It waited for the answer in flight rather than for its grace period to run out.
    expect(stopping!.logs.find((line) => line.msg === 'worker stopped')).toMatchObject({ result: 'drained' });
    const answer = await stack.finalAnswer(asked);
    expect(answer.text).toBe(answerText);
    // The question asked during the shutdown was left in the queue, for the next worker.
    expect(answered(stopping!, jobIdOf(next))).toBe(false);
    const successor = await stack.startBot('worker', { SHUTDOWN_GRACE_MS: '300' });
    expect((await stack.finalAnswer(next, 20_000)).text).toBe('Route 53 is DNS.');
    expect(answered(successor, jobIdOf(next))).toBe(true);
  });

  it('hands an answer that outlasts the grace period back, and another worker completes it in the same message at once', { timeout: 60_000 }, async () => {
    const [quick] = liveWorkers();
    expect(liveWorkers()).toEqual([quick]);
    expect(quick!.env.SHUTDOWN_GRACE_MS).toBe('300');
    const answerText = sentences('Aurora', 16);
    // The first attempt never ends by itself; the attempt after the hand-back does.
    stack.anthropic.enqueue({ hang: true, afterChunks: 4, text: answerText, chunkSize: 12, tokenDelayMs: 50 }, { text: answerText, chunkSize: 24, tokenDelayMs: 10 });
    const asked = await stack.mention(`<@${BOT_USER}> Tell me about Aurora.`);
    const placeholder = await streamingVisible(asked, 'Aurora fact 1');
    const other = await stack.startBot('worker');

    // The first attempt never ends: exiting at all means the grace period cut the wait short.
    expect(await quick!.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(quick!.logs.find((line) => line.msg === 'worker stopped')).toMatchObject({ result: 'timed-out' });
    const handedBack = quick!.logs.find((line) => line.msg === 'job handed back to the queue' && line.jobId === jobIdOf(asked));
    expect(handedBack).toBeDefined();

    const answer = await stack.finalAnswer(asked, 20_000);
    expect(answer.ts).toBe(placeholder.ts);
    expect(answer.text).toBe(answerText);
    expect(botRepliesIn(stack, asked)).toHaveLength(1);
    // Taken from the wait list where the hand-back put it, not recovered by the stalled-job check
    // after the stopped worker's lock lapsed.
    expect(other.logs.some((line) => line.msg === 'answering' && line.jobId === jobIdOf(asked))).toBe(true);
    expect((await jobOnceIn(stack, jobIdOf(asked), ['completed'])).stalledCounter).toBe(0);
  });
});

describe('Redis stopped and restarted while the bot runs', () => {
  it('keeps acknowledging Slack and tells people it cannot take questions, reports unhealthy, then resumes by itself', async () => {
    const running = stack.bots.filter((bot) => !bot.exit);
    expect(liveWorkers().length).toBeGreaterThan(0);
    const healthz = () => fetch(`http://127.0.0.1:${stack.port}/healthz`).then((response) => response.status);
    expect(await healthz()).toBe(200);

    await stack.redis.stop();
    await eventually(async () => (await healthz()) === 503, 5000);
    // Acknowledged (a 200, not an error that makes Slack retry, nor a hang on Redis); how fast is
    // the benchmark's to measure.
    const refused = await stack.mention(`<@${BOT_USER}> Are you there?`);
    expect(refused.response.status).toBe(200);
    const notice = await stack.slack.waitFor(() => stack.slack.ephemerals.find((message) => message.user === ALICE && message.channel === GENERAL && /can.t take your question/i.test(message.text)));
    expect(notice.text).toMatch(/try again/i);
    // `/aws` is acknowledged at once as well, and told through its response URL.
    const url = stack.slack.responseUrl({ channel: GENERAL, user: ALICE });
    const command = await sendCommand(stack.eventsUrl, SIGNING_SECRET, { text: 'Are you there?', user_id: ALICE, channel_id: GENERAL, response_url: url });
    expect(command.status).toBe(200);
    expect(command.body).toBe('');
    const told = await stack.slack.waitFor(() => stack.slack.responsesTo(url)[0]);
    expect(told.body).toMatchObject({ response_type: 'ephemeral', text: QUEUE_DOWN_TEXT });
    expect(await healthz()).toBe(503);

    await stack.redis.restart();
    await eventually(async () => (await healthz()) === 200, 15_000);
    stack.anthropic.enqueue({ text: 'Yes, I am back.' });
    const asked = await stack.mention(`<@${BOT_USER}> Are you back?`);
    expect((await stack.finalAnswer(asked, 20_000)).text).toBe('Yes, I am back.');
    // Nobody crashed over it.
    expect(running.every((bot) => bot.exit === undefined)).toBe(true);
  });
});
