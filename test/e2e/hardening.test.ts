import { WebClient } from '@slack/web-api';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOST_ANSWER_TEXT, LostJobRecords, LostJobs } from '../../src/answer/lost-jobs.js';
import { DEFAULT_CADENCE } from '../../src/core/cadence.js';
import { questionJobId } from '../../src/core/job-ids.js';
import type { JobHandle, JobHandlers, QuestionJob } from '../../src/core/jobs.js';
import { RedisKeys } from '../../src/ops/redis-keys.js';
import { SlackBudget, slackWriteBudgets } from '../../src/publish/slack-budget.js';
import { SlackMessages } from '../../src/publish/slack-messages.js';
import { MALFORMED_COMMAND_TEXT } from '../../src/slack/validate-payloads.js';
import type { SlackMessage } from '../fakes/slack.js';
import type { LogRecord } from '../support/bot.js';
import {
  appMention,
  blockActions,
  commandFields,
  feedbackButtonsClick,
  sendAction,
  sendCommandForm,
  sendEvent,
  SIGNING_SECRET,
  type BlockActionInput,
} from '../support/slack-requests.js';
import { eventually, jobIdOf } from './answer-checks.js';
import { ALICE, BOT_USER, GENERAL, isFinal, startStack, type Asked, type Stack } from './stack.js';

/**
 * Hostile and faulty input at the edge, and a bad day for Redis: buttons act only on their own
 * answer and only for those allowed to press them, malformed requests are refused with a word
 * where the person can see one, requests dated ahead are refused like stale ones, and an answer
 * whose job vanished with Redis's data is closed with a note and Retry instead of "Thinking…".
 */
const BOB = 'U0BOB';
const ADMIN = 'U0ADMIN';
const OTHER_CHANNEL = 'C0OTHER';
const OTHER_TEAM = 'T0OTHER';
const PREFIX = 'aws-orchestrator';
/** Keys BullMQ rewrites on its own while a worker waits for jobs. */
const QUEUE_HOUSEKEEPING = new Set([`${PREFIX}:answers:stalled-check`, `${PREFIX}:answers:events`, `${PREFIX}:answers:meta`, `${PREFIX}:answers:marker`]);

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    env: { ADMIN_USER_IDS: ADMIN },
    slack: {
      users: [{ id: ADMIN, name: 'admin', real_name: 'Ad Min' }],
      channels: [{ id: OTHER_CHANNEL, name: 'other', type: 'channel', isMember: true }],
    },
  });
});
afterAll(async () => {
  await stack?.stop();
});

const bot = () => stack.bots[0]!;

function botPostsIn(channel: string, threadTs: string): SlackMessage[] {
  return stack.slack.messagesIn(channel, threadTs).filter((message) => message.user === BOT_USER && message.ts !== threadTs);
}

function logsSince(count: number, msg: string): LogRecord[] {
  return bot()
    .logs.slice(count)
    .filter((log) => log.msg === msg);
}

async function keyNames(): Promise<string[]> {
  const redis = new Redis(stack.redis.url);
  try {
    const names: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${PREFIX}:*`, 'COUNT', 1000);
      cursor = next;
      names.push(...batch);
    } while (cursor !== '0');
    return names.sort();
  } finally {
    redis.disconnect();
  }
}

async function zscore(key: string, member: string): Promise<string | null> {
  const redis = new Redis(stack.redis.url);
  try {
    return await redis.zscore(key, member);
  } finally {
    redis.disconnect();
  }
}

function click(message: SlackMessage, input: Omit<BlockActionInput, 'message'>) {
  return sendAction(stack.eventsUrl, SIGNING_SECRET, blockActions({ message, ...input }));
}

describe('buttons act only on their own answer', () => {
  it('a click from another workspace or channel, on a made-up id or with a 100 KB value does nothing and writes no key', async () => {
    stack.anthropic.enqueue({ text: 'An ALB routes HTTP by path and host; an NLB forwards TCP.' });
    const asked = await stack.mention(`<@${BOT_USER}> ALB or NLB?`);
    const answer = await stack.finalAnswer(asked);
    const jobId = jobIdOf(asked);
    // The queue has filed the job as completed: from here on nothing should write a key.
    await eventually(async () => (await zscore(`${PREFIX}:answers:completed`, jobId)) !== null);
    const requestsBefore = stack.anthropic.messageRequests().length;
    const keysBefore = await keyNames();
    const madeUp = (ts: string) => questionJobId('T0TEST', GENERAL, ts);

    const foreign: Array<{ input: Omit<BlockActionInput, 'message'>; refusal: string }> = [
      { input: { actionId: 'answer_retry', value: jobId, team: OTHER_TEAM }, refusal: 'button press refused' },
      { input: { actionId: 'answer_stop', value: jobId, channel: OTHER_CHANNEL }, refusal: 'button press refused' },
      { input: { actionId: 'answer_feedback_down', value: jobId, team: OTHER_TEAM }, refusal: 'button press refused' },
      { input: { actionId: 'answer_feedback_down', value: madeUp('1000000000.000001') }, refusal: 'button press refused' },
      { input: { actionId: 'answer_retry', value: madeUp('1000000000.000002') }, refusal: 'button press refused' },
      { input: { actionId: 'answer_stop', value: madeUp('1000000000.000003') }, refusal: 'button press refused' },
      { input: { actionId: 'answer_stop', value: '*' }, refusal: 'button press refused' },
      { input: { actionId: 'answer_feedback_up', value: `${jobId}\r\nFLUSHALL` }, refusal: 'button press refused' },
      { input: { actionId: 'answer_retry', value: 'r'.repeat(100_000) }, refusal: 'malformed Slack request refused' },
    ];
    for (const { input, refusal } of foreign) {
      const seen = bot().logs.length;
      const response = await click(answer, input);
      expect(response.status).toBe(200);
      // The positive sign that the click was handled, before looking for what it did not do.
      await bot().waitForLog((log) => bot().logs.indexOf(log) >= seen && log.msg === refusal);
    }
    // Slack's own 👍/👎 element, pressed from another workspace.
    const seen = bot().logs.length;
    await sendAction(stack.eventsUrl, SIGNING_SECRET, feedbackButtonsClick({ message: answer, button: 'negative', team: OTHER_TEAM }));
    await bot().waitForLog((log) => bot().logs.indexOf(log) >= seen && log.msg === 'button press refused');

    const keysAfter = await keyNames();
    expect(keysAfter.filter((key) => !keysBefore.includes(key) && !QUEUE_HOUSEKEEPING.has(key))).toEqual([]);
    expect(keysAfter.filter((key) => /1000000000|FLUSHALL|%2A|rrrr|feedback/.test(key))).toEqual([]);
    expect(stack.anthropic.messageRequests().length).toBe(requestsBefore);
    expect(logsSince(0, 'feedback recorded')).toEqual([]);
    expect(logsSince(0, 'stop requested')).toEqual([]);

    // The same click from where the answer is does count: the check above can see a vote's keys.
    await click(answer, { actionId: 'answer_feedback_up', value: jobId });
    await bot().waitForLog((log) => log.msg === 'feedback recorded' && log.jobId === jobId);
    expect(await keyNames()).toContain(`${PREFIX}:feedback-votes:${jobId}`);
  });

  it('Stop works for the asker or an admin; anyone else is told privately and the answer goes on', async () => {
    const long = Array.from({ length: 40 }, (_, index) => `Step ${index + 1}: size the subnets.`).join('\n');
    stack.anthropic.enqueue({ text: long, chunkSize: 8, tokenDelayMs: 40 });
    const asked = await stack.mention(`<@${BOT_USER}> Plan my VPC, step by step.`);
    const streaming = await stack.slack.waitFor(() =>
      botPostsIn(GENERAL, asked.ts).find((message) => message.text.startsWith('Step 1') && JSON.stringify(message.blocks).includes('answer_stop')),
    );

    await click(streaming, { actionId: 'answer_stop', value: jobIdOf(asked), user: BOB });
    const told = await stack.slack.waitFor(() => stack.slack.ephemerals.find((message) => message.user === BOB && message.text.includes('can stop this answer')));
    expect(told.text).toBe(`Only <@${ALICE}>, who asked, or an admin can stop this answer.`);
    expect(logsSince(0, 'stop requested').filter((log) => log.jobId === jobIdOf(asked))).toEqual([]);

    await click(streaming, { actionId: 'answer_stop', value: jobIdOf(asked), user: ADMIN });
    const answer = await stack.finalAnswer(asked);
    expect(answer.text).toMatch(/Stopped\._$/);
    expect(answer.text.length).toBeLessThan(long.length);
  });
});

describe('malformed requests', () => {
  it('a slash command with text= twice gets an ephemeral explanation, never an HTTP 500', async () => {
    const fields = Object.entries(commandFields({ response_url: stack.slack.responseUrl({ channel: GENERAL, user: ALICE }) })).filter(([name]) => name !== 'text');
    const response = await sendCommandForm(stack.eventsUrl, SIGNING_SECRET, [...fields, ['text', 'what is'], ['text', 'S3?']]);
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ response_type: 'ephemeral', text: MALFORMED_COMMAND_TEXT });
    await bot().waitForLog((log) => log.msg === 'malformed Slack request refused' && log.kind === 'command');
  });

  it('an event whose text is a number is ignored with a warning, never an unhandled error', async () => {
    const seen = bot().logs.length;
    const posted = stack.slack.addMessage(GENERAL, { user: ALICE, text: '42' });
    const event = { ...appMention({ channel: GENERAL, user: ALICE, text: 'x', ts: posted.ts }), text: 42 };
    expect((await sendEvent(stack.eventsUrl, SIGNING_SECRET, event)).status).toBe(200);
    const warning = await bot().waitForLog((log) => bot().logs.indexOf(log) >= seen && log.msg === 'malformed Slack request refused');
    expect(warning).toMatchObject({ level: 40, kind: 'event', problems: [{ path: 'event.text', code: 'invalid_type' }] });
    expect(bot().logs.slice(seen).filter((log) => Number(log.level) >= 50)).toEqual([]);
    expect(botPostsIn(GENERAL, posted.ts)).toEqual([]);
  });
});

describe('request timestamps', () => {
  it('a correctly signed request dated more than five minutes ahead gets 401 and queues nothing', async () => {
    const seen = bot().logs.length;
    const ahead = await stack.mention(`<@${BOT_USER}> from the future`, { send: { timestamp: Math.floor(Date.now() / 1000) + 3600 } });
    expect(ahead.response.status).toBe(401);
    await bot().waitForLog((log) => bot().logs.indexOf(log) >= seen && log.msg === 'Slack request dated in the future refused');
    // Within the five minutes either side, a request is taken as usual.
    stack.anthropic.enqueue({ text: 'Clocks drift; Slack allows five minutes.' });
    const skewed = await stack.mention(`<@${BOT_USER}> clock skew?`, { send: { timestamp: Math.floor(Date.now() / 1000) + 200 } });
    expect(skewed.response.status).toBe(200);
    await stack.finalAnswer(skewed);
    expect(bot().logs.filter((log) => log.msg === 'question queued' && String(log.jobId).endsWith(ahead.ts))).toEqual([]);
  });
});

describe('credentials in a thread the bot reads', () => {
  it('a reply addressed to someone else is not a question, but whoever pasted a key in it is warned', async () => {
    stack.anthropic.enqueue({ text: 'Use an IAM role for CI.' });
    const asked = await stack.mention(`<@${BOT_USER}> How should CI reach AWS?`);
    await stack.finalAnswer(asked);
    const seen = bot().logs.length;
    const reply = await stack.message(`<@${ALICE}> this is what CI uses today: aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`, { threadTs: asked.ts, user: BOB });

    const warning = await stack.slack.waitFor(() => stack.slack.ephemerals.find((message) => message.user === BOB && message.text.includes('rotate it now')));
    expect(warning).toMatchObject({ channel: GENERAL, thread_ts: asked.ts });
    expect(warning.text).toContain('an AWS secret access key');
    expect(bot().logs.slice(seen).filter((log) => log.msg === 'question queued' && String(log.jobId).endsWith(reply.ts))).toEqual([]);
  });
});

describe('Redis lost with an answer in flight', () => {
  it('leaves no "Thinking…" placeholder: the answer is closed with a note and Retry, which answers in the same message', async () => {
    // The answer's message takes a while to post, and Redis dies and comes back empty meanwhile.
    stack.slack.setLatency('chat.postMessage', 2500);
    let asked: Asked;
    let closed: SlackMessage;
    try {
      asked = await stack.mention(`<@${BOT_USER}> What does an ALB health check do?`);
      await bot().waitForLog((log) => log.msg === 'answering' && log.jobId === jobIdOf(asked));
      await stack.redis.restart();
      closed = await stack.slack.waitFor(() => botPostsIn(GENERAL, asked.ts).find((message) => message.text.includes('lost track of this question') && isFinal(message)), 20_000);
    } finally {
      stack.slack.setLatency('chat.postMessage', 0);
    }
    const jobId = jobIdOf(asked);
    expect(JSON.stringify(closed.blocks)).toContain('answer_retry');
    // Nothing in the thread still says "Thinking…" or offers Stop.
    expect(botPostsIn(GENERAL, asked.ts)).toEqual([closed]);
    expect(closed.text).not.toMatch(/Thinking/);

    // Retry asks the question again once the web role's queue connection is back (its health says so).
    await eventually(async () => (await fetch(`http://127.0.0.1:${stack.port}/healthz`)).status === 200, 15_000);
    stack.anthropic.enqueue({ text: 'It probes each target and routes only to healthy ones.' });
    await click(closed, { actionId: 'answer_retry', value: jobId });
    const answer = await stack.finalAnswer(asked, 20_000);
    expect(answer.ts).toBe(closed.ts);
    expect(answer.text).toContain('routes only to healthy ones');
    expect(botPostsIn(GENERAL, asked.ts)).toHaveLength(1);
  });
});

describe('a worker’s answers in flight', () => {
  it('an answer whose run failed while Redis could not say is closed by the next look, once its job is found gone', async () => {
    // The worker side alone, in this process, on the test's Redis and fake Slack (its own key prefix).
    const redis = new Redis(stack.redis.url);
    const keys = new RedisKeys('lost-check');
    const logger = pino({ level: 'silent' });
    const messages = new SlackMessages(new WebClient('xoxb-test', { slackApiUrl: stack.slack.url }), new SlackBudget(redis, keys, slackWriteBudgets(50)), logger);
    const records = new LostJobRecords(redis, keys);
    let redisAway = true;
    let state = 'unknown';
    const lostJobs = new LostJobs({
      messages,
      settings: { streaming: 'update', messageOptions: { cadence: DEFAULT_CADENCE, maxMessageChars: 3900 } },
      records,
      stateOf: async () => {
        if (redisAway) throw new Error('Connection is closed.');
        return state;
      },
      logger,
    });
    try {
      const asked = stack.slack.addMessage(GENERAL, { user: ALICE, text: `<@${BOT_USER}> what is a NAT gateway?` });
      const jobId = questionJobId('T0TEST', GENERAL, asked.ts);
      let data: QuestionJob = { kind: 'question', source: 'mention', teamId: 'T0TEST', channel: GENERAL, threadTs: asked.ts, messageTs: asked.ts, userId: ALICE, text: 'what is a NAT gateway?', receivedAt: Date.now() };
      const job: JobHandle<QuestionJob> = {
        id: jobId,
        get data() {
          return data;
        },
        startedBefore: false,
        update: async (next) => {
          data = next;
        },
      };
      const handlers = {
        question: {
          // The placeholder is posted and recorded, then Redis goes away under the run.
          run: async (handle: JobHandle<QuestionJob>) => {
            const answerTs = await messages.postPlaceholder({ teamId: 'T0TEST', channel: GENERAL, threadTs: asked.ts, jobId });
            await handle.update({ ...handle.data, answerTs });
            throw new Error('Connection is closed.');
          },
        },
      } as unknown as JobHandlers;
      const watched = lostJobs.watch(handlers);

      await expect(watched.question.run(job, undefined)).rejects.toThrow('Connection is closed.');
      expect(lostJobs.watching).toBe(1);
      // Still no word from Redis: nothing is decided.
      await lostJobs.check();
      expect(lostJobs.watching).toBe(1);
      const placeholder = stack.slack.message(GENERAL, data.answerTs!)!;
      expect(isFinal(placeholder)).toBe(false);

      // Redis is back, and its job is not: the look closes the answer with the note and Retry.
      redisAway = false;
      state = 'unknown';
      await lostJobs.check();
      expect(lostJobs.watching).toBe(0);
      const closed = stack.slack.message(GENERAL, data.answerTs!)!;
      expect(closed.text).toBe(LOST_ANSWER_TEXT);
      expect(isFinal(closed)).toBe(true);
      expect(JSON.stringify(closed.blocks)).toContain('answer_retry');
      expect(await records.load(jobId)).toMatchObject({ kind: 'question', answerTs: data.answerTs, userId: ALICE });

      // A run that failed while its job is still queued (retried later) is dropped once another run holds it.
      const again: JobHandle<QuestionJob> = { id: questionJobId('T0TEST', GENERAL, '1000000001.000001'), data: { ...data, answerTs: undefined }, startedBefore: true, update: async () => undefined };
      state = 'active';
      await expect(watched.question.run(again, undefined)).rejects.toThrow('Connection is closed.');
      state = 'delayed';
      await lostJobs.check();
      expect(lostJobs.watching).toBe(1);
      state = 'completed';
      await lostJobs.check();
      expect(lostJobs.watching).toBe(0);
    } finally {
      lostJobs.stop();
      redis.disconnect();
    }
  });

  it('a sign of receipt whose recording spanned Redis coming back is looked at once it is watched, not at the next period', async () => {
    const redis = new Redis(stack.redis.url);
    const keys = new RedisKeys('lost-receipt');
    const logger = pino({ level: 'silent' });
    const messages = new SlackMessages(new WebClient('xoxb-test', { slackApiUrl: stack.slack.url }), new SlackBudget(redis, keys, slackWriteBudgets(50)), logger);
    const looked: string[] = [];
    const lostJobs = new LostJobs({
      messages,
      settings: { streaming: 'update', messageOptions: { cadence: DEFAULT_CADENCE, maxMessageChars: 3900 } },
      records: new LostJobRecords(redis, keys),
      stateOf: async (jobId) => {
        looked.push(jobId);
        return 'unknown';
      },
      logger,
    });
    try {
      const questionOf = (text: string) => {
        const asked = stack.slack.addMessage(GENERAL, { user: ALICE, text: `<@${BOT_USER}> ${text}` });
        const jobId = questionJobId('T0TEST', GENERAL, asked.ts);
        const question: QuestionJob = { kind: 'question', source: 'mention', teamId: 'T0TEST', channel: GENERAL, threadTs: asked.ts, messageTs: asked.ts, userId: ALICE, text, receivedAt: Date.now() };
        return { jobId, question };
      };
      const postReceipt = async ({ jobId, question }: ReturnType<typeof questionOf>) => ({ ...question, answerTs: await messages.postPlaceholder({ teamId: 'T0TEST', channel: GENERAL, threadTs: question.threadTs, jobId }) });

      // Posted before Redis came back, recorded after the look that followed: looked at as soon as it is watched.
      const spanning = questionOf('what is a transit gateway?');
      const postingSince = Date.now();
      await lostJobs.redisBack();
      const spanningPosted = await postReceipt(spanning);
      lostJobs.watchQueued(spanning.jobId, spanningPosted, postingSince);
      const closed = await stack.slack.waitFor(() => {
        const message = stack.slack.message(GENERAL, spanningPosted.answerTs);
        return message?.text === LOST_ANSWER_TEXT ? message : undefined;
      });
      expect(isFinal(closed)).toBe(true);

      // Posted after Redis came back: watched until the next look.
      const later = questionOf('what is a VPC endpoint?');
      const laterSince = Date.now() + 1;
      lostJobs.watchQueued(later.jobId, await postReceipt(later), laterSince);
      expect(lostJobs.watching).toBe(1);
      expect(looked).toEqual([spanning.jobId]);
    } finally {
      lostJobs.stop();
      redis.disconnect();
    }
  });
});

