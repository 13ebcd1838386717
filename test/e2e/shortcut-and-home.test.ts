import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOADING_MESSAGES, THINKING_STATUS } from '../../src/core/assistant-copy.js';
import { questionJobId } from '../../src/core/job-ids.js';
import { ASK_ABOUT_MESSAGE } from '../../src/slack/listeners/shortcuts/ask-about-message.js';
import type { HomeView, SlackMessage } from '../fakes/slack.js';
import {
  appHomeOpened,
  assistantThreadStarted,
  cloudWatchAlarmNotification,
  feedbackButtonsClick,
  messageEventFor,
  messageShortcut,
  sendAction,
  sendEvent,
  sendShortcut,
  SIGNING_SECRET,
} from '../support/slack-requests.js';
import { botRepliesIn, eventually, turnsOf } from './answer-checks.js';
import { ALICE, BOT_USER, GENERAL, startStack, type Asked, type Stack } from './stack.js';

/**
 * The message shortcut "Ask aws-orchestrator" (a person's message, another app's alarm or notice,
 * a message holding credentials, a channel the bot is not in), the Home tab, Slack's native
 * feedback buttons and the assistant panel's loading messages, through the bot as users run it.
 */
const BOB = 'U0BOB';
const CAROL = 'U0CAROL';
const ADMIN = 'U0ADMIN';
const NOT_IN = 'C0NOTIN';
const TEAM = 'T0TEST';
const AWS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

let stack: Stack;
let redis: Redis;
let queue: Queue;

beforeAll(async () => {
  stack = await startStack({
    env: { ADMIN_USER_IDS: ADMIN },
    slack: {
      users: [
        { id: BOB, name: 'bob', real_name: 'Bob' },
        { id: CAROL, name: 'carol', real_name: 'Carol' },
        { id: ADMIN, name: 'admin', real_name: 'Ada Min' },
      ],
    },
  });
  redis = new Redis(stack.redis.url, { maxRetriesPerRequest: null });
  queue = new Queue('answers', { connection: redis, prefix: 'aws-orchestrator' });
});
afterAll(async () => {
  await queue?.close();
  redis?.disconnect();
  await stack?.stop();
});

const bot = () => stack.bots[0]!;

/** Chooses "Ask aws-orchestrator" on `message` as `user`, as Slack posts it; the payload is returned for a redelivery. */
async function chooseShortcut(message: SlackMessage, options: { user?: string; channel?: string } = {}) {
  const user = options.user ?? ALICE;
  const channel = options.channel ?? GENERAL;
  const payload = messageShortcut({ callbackId: ASK_ABOUT_MESSAGE, message, user, channel, responseUrl: stack.slack.responseUrl({ channel, user }) });
  const response = await sendShortcut(stack.eventsUrl, SIGNING_SECRET, payload);
  expect(response.status).toBe(200);
  const asked: Asked = { ts: message.ts, channel, threadTs: message.thread_ts ?? message.ts, response };
  return { payload, asked };
}

function privateNoteTo(user: string, channel: string, includes: string) {
  return stack.slack.waitFor(() => stack.slack.ephemerals.find((note) => note.user === user && note.channel === channel && note.text.includes(includes)));
}

async function jobState(jobId: string): Promise<string | undefined> {
  return (await queue.getJob(jobId))?.getState();
}

function untilJobIs(jobId: string, state: 'completed' | 'failed'): Promise<void> {
  return eventually(async () => (await jobState(jobId)) === state, 15_000);
}

function logsOfJob(jobId: string) {
  return bot().logs.filter((log) => log.jobId === jobId && (log.msg === 'question queued' || log.msg === 'duplicate delivery ignored'));
}

function blockTexts(view: HomeView | undefined): string {
  return (view?.blocks ?? [])
    .map((block) => {
      const text = (block as { text?: { text?: string } }).text?.text;
      const elements = ((block as { elements?: Array<{ text?: string }> }).elements ?? []).map((element) => element.text ?? '');
      return text ?? elements.join(' ');
    })
    .join('\n');
}

async function openHome(user: string): Promise<HomeView> {
  const published = stack.slack.homeViewHistory(user).length;
  const response = await sendEvent(stack.eventsUrl, SIGNING_SECRET, appHomeOpened({ user, channel: 'D0HOME', view: stack.slack.homeView(user) }));
  expect(response.status).toBe(200);
  return stack.slack.waitFor(() => stack.slack.homeViewHistory(user)[published]?.view);
}

describe('the message shortcut', () => {
  let answerToBob: SlackMessage;

  it("answers a person's message in its thread as the question of whoever asked, once however often it is chosen", async () => {
    const posted = stack.slack.addMessage(GENERAL, { user: BOB, text: 'Deploy failed: AccessDenied when calling PutObject on arn:aws:s3:::prod-assets/site.css' });
    stack.anthropic.enqueue({ text: 'The deploy role lacks `s3:PutObject` on `prod-assets`.' });
    const requestsBefore = stack.anthropic.messageRequests().length;
    const { payload, asked } = await chooseShortcut(posted);

    const answer = await stack.finalAnswer(asked);
    answerToBob = answer;
    expect(answer.thread_ts).toBe(posted.ts);
    expect(answer.text).toContain('`s3:PutObject`');
    // The answer names who asked: the message is Bob's, the question Alice's.
    expect(JSON.stringify(answer.blocks)).toContain(`<@${ALICE}> asked about this message.`);
    expect(turnsOf(stack.anthropic.messageRequests().at(-1))).toEqual([
      { role: 'user', content: `<@${ALICE}> asks you about this message from <@${BOB}>:\n\n${posted.text}` },
    ]);
    const jobId = questionJobId(TEAM, GENERAL, posted.ts);
    await untilJobIs(jobId, 'completed');

    // Slack delivers the same choice again, then Bob chooses the shortcut on his own message.
    await sendShortcut(stack.eventsUrl, SIGNING_SECRET, payload);
    await privateNoteTo(ALICE, GENERAL, "I've already answered this message");
    await chooseShortcut(posted, { user: BOB });
    const note = await privateNoteTo(BOB, GENERAL, "I've already answered this message");
    expect(note.text).toContain('Reply in that thread');

    expect(stack.anthropic.messageRequests()).toHaveLength(requestsBefore + 1);
    expect(botRepliesIn(stack, asked)).toHaveLength(1);
    expect(logsOfJob(jobId).map((log) => [log.msg, log.source, log.user])).toEqual([
      ['question queued', 'shortcut', ALICE],
      ['duplicate delivery ignored', 'shortcut', ALICE],
      ['duplicate delivery ignored', 'shortcut', BOB],
    ]);
  });

  it("answers another app's CloudWatch alarm from its attachment, which the alarm's own delivery did not", async () => {
    const alarm = stack.slack.addBotMessage(GENERAL, cloudWatchAlarmNotification({ alarmName: 'prod-api-high-cpu', region: 'eu-west-1' }));
    expect((await sendEvent(stack.eventsUrl, SIGNING_SECRET, messageEventFor(alarm, GENERAL))).status).toBe(200);
    stack.anthropic.enqueue({ text: 'CPU on `i-0123456789abcdef0` stayed above 80%: scale out the Auto Scaling group.' });
    const { asked } = await chooseShortcut(alarm);

    const answer = await stack.finalAnswer(asked);
    expect(answer.thread_ts).toBe(alarm.ts);
    const [question] = turnsOf(stack.anthropic.messageRequests().at(-1));
    expect(question?.role).toBe('user');
    expect(question?.content).toMatch(new RegExp(`^<@${ALICE}> asks you about this message from AWS Chatbot \\(an app\\):\n\n:rotating_light: CloudWatch Alarm \\| prod-api-high-cpu \\| eu-west-1`));
    expect(question?.content).toContain('Threshold Crossed: 1 out of the last 1 datapoints');
    expect(question?.content).toContain('State: OK → ALARM');
    expect(question?.content).toContain('Metric: AWS/EC2 CPUUtilization (InstanceId = i-0123456789abcdef0)');
    // The shortcut's question was the first for this message: the alarm's own delivery queued nothing.
    expect(logsOfJob(questionJobId(TEAM, GENERAL, alarm.ts)).map((log) => [log.msg, log.source])).toEqual([['question queued', 'shortcut']]);
  });

  it("answers an app's notice in a thread from its blocks, with the thread as context", async () => {
    const parent = stack.slack.addMessage(GENERAL, { user: BOB, text: 'Deploying api v2.3 to prod now' });
    const notice = stack.slack.addBotMessage(GENERAL, {
      botId: 'B0DEPLOY',
      appId: 'A0DEPLOY',
      botName: 'Deploy Bot',
      text: 'Deploy of api v2.3 failed',
      thread_ts: parent.ts,
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'Deploy of api v2.3 failed' } },
        { type: 'section', text: { type: 'mrkdwn', text: 'Stage *migrate* exited with code 1: `relation "orders" does not exist`' }, fields: [{ type: 'mrkdwn', text: '*Env:* prod' }] },
        { type: 'actions', elements: [{ type: 'button', action_id: 'rollback', text: { type: 'plain_text', text: 'Roll back' } }] },
      ],
    });
    stack.anthropic.enqueue({ text: 'The migration ran before the table was created.' });
    const { asked } = await chooseShortcut(notice);

    const answer = await stack.finalAnswer(asked);
    expect(answer.thread_ts).toBe(parent.ts);
    expect(turnsOf(stack.anthropic.messageRequests().at(-1))).toEqual([
      {
        role: 'user',
        content: [
          `<@${BOB}>: Deploying api v2.3 to prod now`,
          `<@${ALICE}> asks you about this message from Deploy Bot (an app):`,
          'Deploy of api v2.3 failed\nStage *migrate* exited with code 1: `relation "orders" does not exist`\n*Env:* prod',
        ].join('\n\n'),
      },
    ]);
  });

  it('masks credentials in the message before they are stored or reach the model, and warns the asker privately', async () => {
    const posted = stack.slack.addMessage(GENERAL, { user: BOB, text: `Why does this fail? aws configure set aws_access_key_id ${AWS_KEY_ID} && aws configure set aws_secret_access_key ${AWS_SECRET}` });
    stack.anthropic.enqueue({ text: 'Never share keys; use `aws sso login` instead.' });
    const { asked } = await chooseShortcut(posted);

    await stack.finalAnswer(asked);
    const [question] = turnsOf(stack.anthropic.messageRequests().at(-1));
    expect(question?.content).toContain('aws_access_key_id [REDACTED:aws_access_key_id]');
    expect(question?.content).toContain('[REDACTED:aws_secret_access_key]');
    const warning = await privateNoteTo(ALICE, GENERAL, 'looks like a credential');
    expect(warning.text).toContain('rotate it');
    const stored = await queue.getJob(questionJobId(TEAM, GENERAL, posted.ts));
    for (const text of [JSON.stringify(stored?.data), JSON.stringify(stack.anthropic.messageRequests().at(-1)?.body), bot().output()]) {
      expect(text).not.toContain(AWS_KEY_ID);
      expect(text).not.toContain(AWS_SECRET);
    }
  });

  it("tells the person privately how to invite the bot where it is not a member, without a model call, and answers once it is invited", async () => {
    const posted = stack.slack.addMessage(NOT_IN, { user: BOB, text: 'Our NAT gateway bill doubled this month, why?' });
    const requestsBefore = stack.anthropic.messageRequests().length;
    await chooseShortcut(posted, { channel: NOT_IN });

    const hint = await privateNoteTo(ALICE, NOT_IN, '/invite @aws-orchestrator');
    expect(hint.text).toContain("I'm not a member of this channel");
    const jobId = questionJobId(TEAM, NOT_IN, posted.ts);
    await untilJobIs(jobId, 'failed');
    expect(stack.anthropic.messageRequests()).toHaveLength(requestsBefore);
    expect(stack.slack.allMessagesIn(NOT_IN).filter((message) => message.user === BOT_USER)).toEqual([]);

    stack.slack.setBotMember(NOT_IN, true);
    stack.anthropic.enqueue({ text: 'NAT gateways charge per GB processed: add S3 and DynamoDB gateway endpoints.' });
    const { asked } = await chooseShortcut(posted, { channel: NOT_IN });
    const answer = await stack.finalAnswer(asked);
    expect(answer.text).toContain('gateway endpoints');
    expect(stack.anthropic.messageRequests()).toHaveLength(requestsBefore + 1);
  });

  it("points to the thread when chosen on the bot's own answer, without a model call", async () => {
    const requestsBefore = stack.anthropic.messageRequests().length;
    await chooseShortcut(answerToBob);
    await privateNoteTo(ALICE, GENERAL, "That's one of my own messages");
    expect(stack.anthropic.messageRequests()).toHaveLength(requestsBefore);
  });
});

describe('the Home tab', () => {
  let carolsAnswer: SlackMessage;

  it("shows the person's own figures when opened, refreshed each time", async () => {
    const first = await openHome(CAROL);
    expect(first.type).toBe('home');
    expect(blockTexts(first)).toContain('*Ask aws-orchestrator*');
    expect(blockTexts(first)).toContain('• Today: 0 questions · 0 tokens · $0.00');

    stack.anthropic.enqueue({ text: 'Use Savings Plans for steady compute.' });
    const asked = await stack.mention(`<@${BOT_USER}> How do I cut my EC2 bill?`, { user: CAROL });
    carolsAnswer = await stack.finalAnswer(asked);
    await untilJobIs(questionJobId(TEAM, GENERAL, asked.ts), 'completed');

    const second = await openHome(CAROL);
    const shown = blockTexts(second);
    expect(shown).toMatch(/• Today: 1 question · [\d,]+ tokens · (<\$0\.01|\$\d+\.\d\d)/);
    expect(shown).toMatch(/• Last 30 days: 1 question · /);
    expect(shown).not.toContain('Workspace');
    expect(shown).not.toContain('Settings');
  });

  it("records a press of Slack's native 👎 and shows it, with the workspace's figures and budgets, on an admin's Home", async () => {
    const press = feedbackButtonsClick({ message: carolsAnswer, button: 'negative', user: CAROL, channel: GENERAL });
    expect((await sendAction(stack.eventsUrl, SIGNING_SECRET, press)).status).toBe(200);
    await privateNoteTo(CAROL, GENERAL, 'Thanks for the 👎');

    const shown = blockTexts(await openHome(ADMIN));
    expect(shown).toContain('*Workspace* _(shown to admins)_');
    expect(shown).toContain('• Feedback: 👍 0 · 👎 1');
    expect(shown).toContain(`<@${ALICE}> — `);
    expect(shown).toContain(`<@${CAROL}> — 1 question`);
    expect(shown).toContain('*Settings* _(shown to admins)_');
    expect(shown).toContain('• Budgets: no daily token limit per person · no daily token limit for the workspace · no limit on questions a minute');
  });
});

describe("Slack's assistant panel", () => {
  it('rotates loading messages under the status while an answer is prepared', async () => {
    const root = stack.slack.addMessage('D0DM', { user: BOT_USER, subtype: 'assistant_app_thread', text: 'New chat' });
    await sendEvent(stack.eventsUrl, SIGNING_SECRET, assistantThreadStarted({ user: ALICE, channel: 'D0DM', thread_ts: root.ts }));
    stack.anthropic.enqueue({ text: 'An ALB routes HTTP by path and host.' });
    const asked = await stack.message('What does an ALB do?', { channel: 'D0DM', threadTs: root.ts });
    await stack.finalAnswer(asked);
    const thinking = stack.slack.statusHistory('D0DM', root.ts).find((change) => change.status === THINKING_STATUS);
    expect(thinking?.loadingMessages).toEqual([...LOADING_MESSAGES]);
  });
});
