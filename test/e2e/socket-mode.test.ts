import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlackMessage } from '../fakes/slack.js';
import { appMention, commandFields, eventCallback } from '../support/slack-requests.js';
import { ALICE, BOT_USER, GENERAL, isFinal, startStack, type Stack } from './stack.js';
import { replyAfterAcknowledgement, turnsOf } from './answer-checks.js';

/**
 * Socket Mode, as most teams first run the bot. The bot (SLACK_APP_TOKEN set) opens its
 * connection through the fake Slack's apps.connections.open, receives envelopes over the
 * WebSocket, acknowledges each by its envelope_id within Slack's 3 seconds, answers exactly as
 * in HTTP mode, and reconnects when Slack asks it to.
 */
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ env: { SLACK_APP_TOKEN: 'xapp-test' } });
});
afterAll(async () => {
  await stack?.stop();
});

/** The bot's final answer in a thread (placeholder and streaming versions are not final). */
function finalAnswerIn(threadTs: string, after: string): Promise<SlackMessage> {
  return stack.slack.waitFor(
    () => stack.slack.messagesIn(GENERAL, threadTs).find((message) => message.user === BOT_USER && message.ts !== after && message.metadata?.event_payload?.kind === 'answer' && isFinal(message)),
    15_000,
  );
}

async function mentionOverSocket(text: string): Promise<{ ts: string }> {
  const posted = stack.slack.addMessage(GENERAL, { user: ALICE, text });
  const ack = await stack.slack.sendEnvelope('events_api', eventCallback(appMention({ channel: GENERAL, user: ALICE, text, ts: posted.ts })));
  expect(ack.envelope_id).toBe(stack.slack.sentEnvelopes.at(-1)!.envelope_id);
  return { ts: posted.ts };
}

describe('Socket Mode', () => {
  it('connects with the app-level token through apps.connections.open, with no request URL', async () => {
    expect(stack.slack.socketConnections).toBe(1);
    expect(stack.slack.callsTo('apps.connections.open')[0]).toMatchObject({ ok: true, token: 'xapp-test' });
    // The HTTP port only serves the service's own routes.
    expect((await fetch(`http://127.0.0.1:${stack.port}/healthz`)).status).toBe(200);
    expect((await fetch(stack.eventsUrl, { method: 'POST', body: '{}' })).status).toBe(404);
  });

  it('answers a mention delivered as an events_api envelope, in its thread, streaming as in HTTP mode', async () => {
    const text = 'Use **Fargate** to run containers without managing servers.\n\n```bash\naws ecs create-cluster --cluster-name demo\n```';
    // The envelope's ack must not wait for the answer: the model answers only once it has arrived.
    const gate = replyAfterAcknowledgement({ text, chunkSize: 6, tokenDelayMs: 30 });
    stack.anthropic.enqueue(gate.responder);
    const asked = await mentionOverSocket(`<@${BOT_USER}> How do I run containers on AWS?`);
    gate.acknowledged();

    const answer = await finalAnswerIn(asked.ts, asked.ts);
    expect(gate.repliedBeforeAcknowledgement).toBe(false);
    expect(answer.thread_ts).toBe(asked.ts);
    expect(answer.text).toContain('*Fargate*');
    expect(answer.text).toContain('aws ecs create-cluster --cluster-name demo');
    expect(stack.slack.history(GENERAL, answer.ts).length).toBeGreaterThan(2);
    expect(turnsOf(stack.anthropic.messageRequests().at(-1))).toEqual([{ role: 'user', content: '<@U0ALICE>: How do I run containers on AWS?' }]);
  });

  it('answers `/aws <question>` delivered as a slash_commands envelope: the question is posted and answered in its thread', async () => {
    stack.anthropic.enqueue({ text: 'An S3 lifecycle rule moves or expires objects by age.' });
    const question = 'What is an S3 lifecycle rule?';
    const responseUrl = stack.slack.responseUrl({ channel: GENERAL, user: ALICE });
    const ack = await stack.slack.sendEnvelope('slash_commands', commandFields({ text: question, response_url: responseUrl }));
    expect(ack.envelope_id).toBeTruthy();

    const posted = await stack.slack.waitFor(() =>
      stack.slack.messagesIn(GENERAL).find((message) => message.user === BOT_USER && message.metadata?.event_payload?.kind === 'question' && message.text.includes(question)),
    );
    expect(posted.text).toContain(`<@${ALICE}>`);
    const answer = await finalAnswerIn(posted.ts, posted.ts);
    expect(answer.text).toBe('An S3 lifecycle rule moves or expires objects by age.');
  });

  it('reconnects after Slack asks it to (refresh_requested) and keeps answering', async () => {
    const opened = stack.slack.socketConnectionsTotal;
    await stack.slack.disconnectSocket('refresh_requested');
    await stack.slack.waitForSocket(opened + 1, 10_000);
    expect(stack.slack.callsTo('apps.connections.open').length).toBeGreaterThanOrEqual(2);

    stack.anthropic.enqueue({ text: 'CloudWatch alarms watch a metric and act when it crosses a threshold.' });
    const asked = await mentionOverSocket(`<@${BOT_USER}> What is a CloudWatch alarm?`);
    const answer = await finalAnswerIn(asked.ts, asked.ts);
    expect(answer.text).toBe('CloudWatch alarms watch a metric and act when it crosses a threshold.');
    // Every envelope was acknowledged, each once.
    const acked = stack.slack.socketAcks.map((ack) => ack.envelope_id);
    for (const envelope of stack.slack.sentEnvelopes) expect(acked.filter((id) => id === envelope.envelope_id)).toHaveLength(1);
  });
});
