import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REFUSAL_TEXT } from '../../src/core/access.js';
import type { SlackMessage } from '../fakes/slack.js';
import { appMention, blockActions, sendAction, sendCommand, sendEvent, SIGNING_SECRET } from '../support/slack-requests.js';
import { ALICE, BOT_USER, GENERAL, startStack, type Asked, type Stack } from './stack.js';
import { jobIdOf, jobIdsInQueue, jobRunEnded, loggedByAnyBot } from './answer-checks.js';

/**
 * Stop (pressed on the web process, obeyed by the worker process writing the answer),
 * secrets masked before the model and the logs, and the optional allowlists. The bot runs as two
 * processes here, web and worker, sharing one Redis.
 */
const BOB = 'U0BOB';
/** A member of another organisation in a Slack Connect channel. */
const OUTSIDER = 'U0EXT';
const OTHER_CHANNEL = 'C0OTHER';
const AWS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    roles: ['web', 'worker'],
    env: { ALLOWED_TEAM_IDS: 'T0TEST', ALLOWED_CHANNEL_IDS: `${GENERAL},dm`, ALLOWED_USER_IDS: `${ALICE},${OUTSIDER}`, ANSWER_CACHE: 'false' },
    slack: {
      users: [{ id: OUTSIDER, name: 'outsider', real_name: 'Out Sider' }],
      channels: [{ id: OTHER_CHANNEL, name: 'other', type: 'channel', isMember: true }],
    },
  });
});
afterAll(async () => {
  await stack?.stop();
});

const [web, worker] = [() => stack.bots[0]!, () => stack.bots[1]!];

function botPostsIn(channel: string, threadTs: string): SlackMessage[] {
  return stack.slack.messagesIn(channel, threadTs).filter((message) => message.user === BOT_USER && message.ts !== threadTs);
}

/** The final message of one job, found by the job id in its metadata (threads may hold several answers). */
function finalOfJob(channel: string, threadTs: string, jobId: string): Promise<SlackMessage> {
  return stack.slack.waitFor(() =>
    botPostsIn(channel, threadTs).find((message) => message.metadata?.event_payload?.job === jobId && !JSON.stringify(message.blocks ?? []).includes('answer_stop')),
  );
}

function pressStop(message: SlackMessage, jobId: string, channel = GENERAL, user = ALICE) {
  return sendAction(stack.eventsUrl, SIGNING_SECRET, blockActions({ message, actionId: 'answer_stop', value: jobId, channel, user }));
}

describe('Stop', () => {
  it('pressed mid-stream cancels the model stream in the worker process and leaves what was written, marked stopped', async () => {
    const long = Array.from({ length: 60 }, (_, index) => `Step ${index + 1}: plan the subnets.`).join('\n');
    stack.anthropic.enqueue({ text: long, chunkSize: 8, tokenDelayMs: 40 });
    const requestsBefore = stack.anthropic.messageRequests().length;
    const asked = await stack.mention(`<@${BOT_USER}> Walk me through VPC design, in detail.`);

    // The answer is being written: its message shows text and offers Stop.
    const streaming = await stack.slack.waitFor(() =>
      botPostsIn(GENERAL, asked.ts).find((message) => message.text.startsWith('Step 1') && JSON.stringify(message.blocks).includes('answer_stop')),
    );
    const press = await pressStop(streaming, jobIdOf(asked));
    expect(press.status).toBe(200);

    const answer = await stack.finalAnswer(asked);
    expect(answer.ts).toBe(streaming.ts);
    expect(answer.text).toMatch(/^Step 1/);
    expect(answer.text).toMatch(/Stopped\._$/);
    expect(answer.text.length).toBeLessThan(long.length);
    expect(JSON.stringify(answer.blocks)).toContain('feedback_buttons');

    const request = stack.anthropic.messageRequests()[requestsBefore]!;
    await stack.anthropic.waitFor(() => request.endedAt);
    expect(request.aborted).toBe(true);
    // Pressed on the web process, obeyed by the worker process.
    await web().waitForLog((log) => log.msg === 'stop requested' && log.jobId === jobIdOf(asked));
    await worker().waitForLog((log) => log.msg === 'stopping the answer on request' && log.jobId === jobIdOf(asked));
  });

  it('pressed while the job waits for its turn in the thread stops it as soon as it starts, without a model call', async () => {
    stack.anthropic.enqueue({ text: 'The first answer, written slowly.', chunkSize: 4, tokenDelayMs: 80 });
    const requestsBefore = stack.anthropic.messageRequests().length;
    const first = await stack.mention(`<@${BOT_USER}> First question?`);
    // The second question of the thread waits for the first to be answered.
    const second = await stack.mention(`<@${BOT_USER}> Second question?`, { threadTs: first.ts });
    await stack.anthropic.waitForRequest(requestsBefore + 1);
    await pressStop(stack.slack.message(GENERAL, first.ts)!, jobIdOf(second));

    const firstAnswer = await finalOfJob(GENERAL, first.ts, jobIdOf(first));
    expect(firstAnswer.text).toBe('The first answer, written slowly.');
    const secondAnswer = await finalOfJob(GENERAL, first.ts, jobIdOf(second));
    expect(secondAnswer.text).toContain('Stopped before any text was written');
    await jobRunEnded(stack, jobIdOf(second));
    // Only the first question reached the model: the flag left by Stop is seen when the second starts.
    expect(stack.anthropic.messageRequests().length).toBe(requestsBefore + 1);
  });
});

describe('secrets', () => {
  it('pasted in a question or earlier in the thread never reach the model, the job data or the logs; the asker is told to rotate them', async () => {
    // Bob pasted a secret key in the thread earlier; Alice asks about her access key id.
    const root = stack.slack.addMessage(GENERAL, { user: BOB, text: `deploy creds for CI: aws_secret_access_key = ${AWS_SECRET}` });
    stack.anthropic.enqueue({ text: 'Deactivate both keys in IAM now, then use an IAM role.' });
    const asked = await stack.mention(`<@${BOT_USER}> why does ${AWS_KEY_ID} get AccessDenied on s3:GetObject?`, { threadTs: root.ts });
    await stack.finalAnswer(asked);

    const body = JSON.stringify(stack.anthropic.messageRequests().at(-1)!.body);
    expect(body).not.toContain(AWS_KEY_ID);
    expect(body).not.toContain(AWS_SECRET);
    expect(body).toContain('why does [REDACTED:aws_access_key_id] get AccessDenied');
    expect(body).toContain('aws_secret_access_key = [REDACTED:aws_secret_access_key]');

    const warning = await stack.slack.waitFor(() => stack.slack.ephemerals.find((message) => message.user === ALICE && message.text.includes('rotate it now')));
    expect(warning).toMatchObject({ channel: GENERAL, thread_ts: root.ts });
    expect(warning.text).toContain('an AWS access key ID');

    for (const bot of stack.bots) expect(bot.output()).not.toContain(AWS_KEY_ID);
    const redis = new Redis(stack.redis.url);
    try {
      const keys = await redis.keys('*');
      for (const key of keys) {
        const type = await redis.type(key);
        const values = type === 'hash' ? Object.values(await redis.hgetall(key)) : type === 'string' ? [await redis.get(key)] : [];
        for (const value of values) expect(value ?? '').not.toContain(AWS_KEY_ID);
      }
      expect(keys.length).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }
  });

  it('in /aws are masked in the question the bot posts, and the warning is the command’s own ephemeral response', async () => {
    stack.anthropic.enqueue({ text: 'Rotate it: IAM → Users → Security credentials.' });
    const response = await sendCommand(stack.eventsUrl, SIGNING_SECRET, { text: `what can ${AWS_KEY_ID} do?`, user_id: ALICE, channel_id: GENERAL });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('rotate it now') });

    const question = await stack.slack.waitFor(() => stack.slack.messagesIn(GENERAL).find((message) => message.user === BOT_USER && message.text.includes('what can')));
    expect(question.text).toContain('what can [REDACTED:aws_access_key_id] do?');
    await stack.slack.waitFor(() => botPostsIn(GENERAL, question.ts).find((message) => message.text.startsWith('Rotate it')));
    expect(JSON.stringify(stack.anthropic.messageRequests().at(-1)!.body)).not.toContain(AWS_KEY_ID);
  });
});

describe('the allowlists', () => {
  /**
   * The refusal is the last thing the allowlists do with a request (the notice is queued after the
   * decision is logged): once it is shown, the request is over, and the queue holds nothing else of it.
   */
  async function expectRefused(user: string, channel: string, act: () => Promise<unknown>): Promise<void> {
    const requestsBefore = stack.anthropic.messageRequests().length;
    const ephemeralsBefore = stack.slack.ephemerals.length;
    const jobsBefore = new Set(await jobIdsInQueue(stack));
    await act();
    await loggedByAnyBot(stack, (log) => log.msg === 'request refused by the allowlists' && log.userId === user && log.channel === channel);
    const refusal = await stack.slack.waitFor(() => stack.slack.ephemerals.slice(ephemeralsBefore).find((message) => message.user === user));
    expect(refusal).toMatchObject({ channel, text: REFUSAL_TEXT });
    const queued = (await jobIdsInQueue(stack)).filter((id) => !jobsBefore.has(id));
    expect(queued).toEqual([expect.stringMatching(/^refused-/)]);
    expect(stack.anthropic.messageRequests().length).toBe(requestsBefore);
  }

  it('refuse a person not on the user list with a short ephemeral message, and nothing else', async () => {
    let asked: Asked | undefined;
    await expectRefused(BOB, GENERAL, async () => {
      asked = await stack.mention(`<@${BOT_USER}> can I use you?`, { user: BOB });
    });
    expect(botPostsIn(GENERAL, asked!.ts)).toEqual([]);
    expect(stack.slack.ephemerals.filter((message) => message.user === BOB && message.text === REFUSAL_TEXT)).toHaveLength(1);
  });

  it('refuse a channel that is not listed', async () => {
    await expectRefused(ALICE, OTHER_CHANNEL, () => stack.mention(`<@${BOT_USER}> hello from elsewhere`, { channel: OTHER_CHANNEL }));
  });

  it('refuse a member of another workspace in a shared channel', async () => {
    await expectRefused(OUTSIDER, GENERAL, async () => {
      const text = `<@${BOT_USER}> hi from a partner org`;
      const posted = stack.slack.addMessage(GENERAL, { user: OUTSIDER, text, team: 'T0EXT' });
      const event = { ...appMention({ channel: GENERAL, user: OUTSIDER, text, ts: posted.ts, team: 'T0EXT' }), user_team: 'T0EXT' };
      expect((await sendEvent(stack.eventsUrl, SIGNING_SECRET, event)).status).toBe(200);
    });
  });

  it('answer a refused /aws in the command’s ephemeral response', async () => {
    const before = stack.slack.messagesIn(GENERAL).length;
    const jobsBefore = new Set(await jobIdsInQueue(stack));
    const response = await sendCommand(stack.eventsUrl, SIGNING_SECRET, { text: 'what is S3?', user_id: BOB, channel_id: GENERAL });
    expect(response.json).toEqual({ response_type: 'ephemeral', text: REFUSAL_TEXT });
    // A command is refused in its acknowledgement, by middleware that then stops: `/aws`'s own
    // listener never runs, so with the refusal in hand (and logged) the request is over.
    await loggedByAnyBot(stack, (log) => log.msg === 'request refused by the allowlists' && log.kind === 'command' && log.userId === BOB);
    expect((await jobIdsInQueue(stack)).filter((id) => !jobsBefore.has(id))).toEqual([]);
    expect(stack.slack.messagesIn(GENERAL).length).toBe(before);
  });
});
