import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOST_ANSWER_TEXT } from '../../src/answer/lost-jobs.js';
import { RECEIPT_TEXT } from '../../src/answer/receipts.js';
import { THINKING_STATUS_TEXT } from '../../src/model/answer.js';
import { BOT_USER, isFinal, shownTexts, startStack, type Asked, type Stack } from './stack.js';
import { killWhileSlackTakes } from './answer-checks.js';

/**
 * A burst larger than the worker pool: one worker slot, held by the first question at the model,
 * and questions in three more channels behind it. Each asker sees a sign of receipt while the
 * slot is still held, and each answer is then written in that same message.
 */
const CHANNELS = ['C0GENERAL', 'C0OPS', 'C0DATA', 'C0INFRA'];

let stack: Stack;
let releaseModel: () => void = () => undefined;
let modelHeld = Promise.resolve();
/** Model requests wait from now until releaseModel() is called. */
function holdModel(): void {
  modelHeld = new Promise<void>((resolve) => {
    releaseModel = resolve;
  });
}

beforeAll(async () => {
  stack = await startStack({
    env: { WORKER_CONCURRENCY: '1', SLACK_PLACEHOLDER_AFTER_MS: '300' },
    slack: { channels: CHANNELS.slice(1).map((id) => ({ id, name: id.toLowerCase(), type: 'channel' as const, isMember: true })) },
  });
  stack.anthropic.setResponder(async () => {
    await modelHeld;
    return { text: 'Use an SQS queue between the two services.' };
  });
}, 60_000);
afterAll(async () => {
  releaseModel();
  await stack?.stop();
});

const botMessagesIn = (asked: Asked) => stack.slack.messagesIn(asked.channel, asked.threadTs).filter((message) => message.user === BOT_USER);

describe('a burst larger than the worker pool', () => {
  it('shows every asker a sign of receipt while the only worker is busy, and answers in that message', async () => {
    holdModel();
    const asked: Asked[] = [];
    for (const channel of CHANNELS) asked.push(await stack.mention(`<@${BOT_USER}> How do I decouple two services?`, { channel }));

    // Every question has a message from the bot, while the one worker slot is still held by the first answer.
    await stack.slack.waitFor(() => asked.every((question) => botMessagesIn(question).length === 1) || undefined, 15_000);
    expect(stack.anthropic.messageRequests()).toHaveLength(1);
    expect(botMessagesIn(asked[0]!)[0]!.text).toBe(THINKING_STATUS_TEXT);
    const receipts = asked.slice(1).map((question) => botMessagesIn(question)[0]!);
    for (const receipt of receipts) expect(receipt.text).toBe(RECEIPT_TEXT);

    releaseModel();
    const finals = await Promise.all(asked.map((question) => stack.finalAnswer(question, 20_000)));
    expect(stack.anthropic.messageRequests()).toHaveLength(CHANNELS.length);
    for (const [index, question] of asked.entries()) {
      // One message per question: the answer took over its receipt instead of posting another.
      expect(botMessagesIn(question)).toHaveLength(1);
      expect(isFinal(finals[index]!)).toBe(true);
      expect(finals[index]!.text).toContain('Use an SQS queue');
    }
    for (const [index, receipt] of receipts.entries()) {
      expect(finals[index + 1]!.ts).toBe(receipt.ts);
      expect(shownTexts(stack, asked[index + 1]!.channel, receipt.ts)[0]).toBe(RECEIPT_TEXT);
    }
  }, 60_000);

  it('a question waiting behind its receipt when Redis comes back empty is closed with a note and Retry', async () => {
    holdModel();
    const busy = await stack.mention(`<@${BOT_USER}> What is an ALB?`, { channel: 'C0GENERAL' });
    const waiting = await stack.mention(`<@${BOT_USER}> What is an NLB?`, { channel: 'C0OPS' });
    await stack.slack.waitFor(() => botMessagesIn(waiting).find((message) => message.text === RECEIPT_TEXT), 15_000);

    await stack.redis.restart();
    const closed = await stack.slack.waitFor(() => botMessagesIn(waiting).find((message) => message.text === LOST_ANSWER_TEXT && isFinal(message)), 20_000);
    expect(JSON.stringify(closed.blocks)).toContain('answer_retry');
    expect(botMessagesIn(waiting)).toEqual([closed]);
    releaseModel();
    await stack.finalAnswer(busy, 20_000);
  }, 60_000);
});

describe('a worker killed while posting a sign of receipt', () => {
  // Long by nature: a stack of its own, a worker started after the kill, and the answer's wait for
  // a receipt still being posted (10 s) before it takes the receipt as its dead poster's.
  it('leaves one message: the next worker finds the receipt it could not record and writes the answer in it', { timeout: 120_000 }, async () => {
    // A stack of its own: the worker that dies must be a process apart from the web one.
    const crashStack = await startStack({
      roles: ['web', 'worker'],
      env: { WORKER_CONCURRENCY: '1', SLACK_PLACEHOLDER_AFTER_MS: '300', JOB_LOCK_MS: '2000', JOB_STALLED_INTERVAL_MS: '500' },
      slack: { channels: [{ id: 'C0OPS', name: 'c0ops', type: 'channel', isMember: true }] },
    });
    try {
      let releaseBusy!: () => void;
      const busyHeld = new Promise<void>((resolve) => (releaseBusy = resolve));
      crashStack.anthropic.setResponder(async () => {
        await busyHeld;
        return { text: 'Use an SQS queue between the two services.' };
      });
      const [victim] = crashStack.bots.filter((bot) => bot.env.ROLE === 'worker');
      let busy!: Asked;
      let waiting!: Asked;
      const receiptTs = await killWhileSlackTakes(crashStack, victim!, (args) => args.text === RECEIPT_TEXT, async () => {
        busy = await crashStack.mention(`<@${BOT_USER}> What is an ALB?`, { channel: 'C0GENERAL' });
        waiting = await crashStack.mention(`<@${BOT_USER}> How do I decouple two services?`, { channel: 'C0OPS' });
      });
      releaseBusy();
      await crashStack.startBot('worker');

      const [busyFinal, final] = await Promise.all([crashStack.finalAnswer(busy, 60_000), crashStack.finalAnswer(waiting, 60_000)]);
      expect(busyFinal.text).toContain('Use an SQS queue');
      expect(receiptTs).toBeDefined();
      expect(final.ts).toBe(receiptTs);
      expect(final.text).toContain('Use an SQS queue');
      expect(crashStack.slack.messagesIn(waiting.channel, waiting.threadTs).filter((message) => message.user === BOT_USER)).toEqual([final]);
    } finally {
      await crashStack.stop();
    }
  });
});
