import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendEvent, appMention, SIGNING_SECRET } from '../support/slack-requests.js';
import { questionJobId } from '../../src/core/job-ids.js';
import { BOT_USER, GENERAL, shownTexts, startStack, type Stack } from './stack.js';
import { jobIdsInQueue, jobRunEnded, replyAfterAcknowledgement, turnsOf } from './answer-checks.js';

/** A mention is queued, answered by a worker with a streamed model answer, in its thread. */
let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

function botAnswersIn(threadTs: string) {
  return stack.slack.messagesIn(GENERAL, threadTs).filter((message) => message.user === BOT_USER);
}

describe('a mention in a channel', () => {
  it('is acknowledged at once and answered in its thread, streaming until complete', async () => {
    const answerText = 'To set up **ECS**:\n\n1. Create a cluster.\n2. Register a task definition.\n3. Create a service.\n\n```bash\naws ecs create-cluster --cluster-name demo\n```\n\nThat is all.';
    // Slack's acknowledgement must not wait for the answer: the model answers only once it has arrived.
    const gate = replyAfterAcknowledgement({ text: answerText, chunkSize: 6, tokenDelayMs: 40 });
    stack.anthropic.enqueue(gate.responder);
    const asked = await stack.mention(`<@${BOT_USER}> How do I set up ECS?`);
    gate.acknowledged();
    expect(asked.response.status).toBe(200);

    const answer = await stack.finalAnswer(asked);
    expect(answer.thread_ts).toBe(asked.ts);
    expect(answer.text).toContain('*ECS*');
    expect(answer.text).toContain('```\naws ecs create-cluster --cluster-name demo\n```');
    expect(answer.text).toContain('That is all.');
    expect(gate.repliedBeforeAcknowledgement).toBe(false);

    const shown = shownTexts(stack, GENERAL, answer.ts);
    // Posted with its first words (no placeholder to fill), then growing, never per token, ending
    // with the complete answer.
    expect(stack.slack.history(GENERAL, answer.ts)[0]).toMatchObject({ method: 'chat.postMessage', text: expect.stringMatching(/^To/) });
    expect(shown.length).toBeGreaterThanOrEqual(2);
    expect(shown.length).toBeLessThan(answerText.length / 6);
    expect(shown.at(-1)).toBe(answer.text);
    // Every intermediate text is readable Slack text: code fences are balanced.
    for (const text of shown) expect((text.match(/```/g) ?? []).length % 2).toBe(0);

    const request = stack.anthropic.messageRequests().at(-1)!;
    // The defaults speak Claude Haiku 5.5's API: no sampling parameters, adaptive thinking with
    // its own allowance on top of the answer's 1,000 tokens, low effort, the SDK's API version.
    expect(request.body).toMatchObject({ model: 'claude-haiku-5-5', max_tokens: 5000, thinking: { type: 'adaptive' }, output_config: { effort: 'low' }, stream: true });
    expect(request.body).not.toHaveProperty('temperature');
    expect(request.headers['anthropic-version']).toBe('2026-10-21');
    expect(JSON.stringify(request.body?.system)).toContain('AWS');
    expect(turnsOf(request)).toEqual([{ role: 'user', content: `<@U0ALICE>: How do I set up ECS?` }]);
    // A question that starts its thread costs no thread read (conversations.replies is Tier 3).
    expect(stack.slack.callsTo('conversations.replies').filter((call) => call.args.ts === asked.ts)).toHaveLength(0);
  });

  it('answers a follow-up in the same thread with the whole thread as context', async () => {
    stack.anthropic.enqueue({ text: 'ECS runs containers on a cluster you choose.' });
    const first = await stack.mention(`<@${BOT_USER}> What is ECS?`);
    await stack.finalAnswer(first);

    stack.anthropic.enqueue({ text: 'Fargate removes the servers from that picture.' });
    const followUp = await stack.mention(`<@${BOT_USER}> and how does that compare to Fargate?`, { threadTs: first.ts });
    await stack.slack.waitFor(() => botAnswersIn(first.ts).find((message) => message.text.includes('Fargate removes')));

    const request = stack.anthropic.messageRequests().at(-1)!;
    expect(turnsOf(request)).toEqual([
      { role: 'user', content: '<@U0ALICE>: What is ECS?' },
      { role: 'assistant', content: 'ECS runs containers on a cluster you choose.' },
      { role: 'user', content: '<@U0ALICE>: and how does that compare to Fargate?' },
    ]);
    expect(followUp.threadTs).toBe(first.ts);
    expect(stack.slack.callsTo('conversations.replies').filter((call) => call.args.ts === first.ts).length).toBeGreaterThanOrEqual(1);
  });

  it('answers a message once when Slack redelivers it and also sends it as a message event', async () => {
    const before = stack.anthropic.messageRequests().length;
    const asked = await stack.mention(`<@${BOT_USER}> What is an S3 bucket policy?`);
    const event = appMention({ channel: GENERAL, user: 'U0ALICE', text: `<@${BOT_USER}> What is an S3 bucket policy?`, ts: asked.ts });
    await sendEvent(stack.eventsUrl, SIGNING_SECRET, event, { retryNum: 1, retryReason: 'http_timeout' });
    await sendEvent(stack.eventsUrl, SIGNING_SECRET, { ...event, type: 'message', channel_type: 'channel' });
    await stack.finalAnswer(asked);
    // Both extra deliveries were seen and turned away, and the one job's run is over: nothing of
    // this message is left to call the model or post.
    const jobId = questionJobId('T0TEST', GENERAL, asked.ts);
    await stack.slack.waitFor(() => stack.bots[0]!.logs.filter((log) => log.msg === 'duplicate delivery ignored' && log.jobId === jobId).length === 2 || undefined);
    await jobRunEnded(stack, jobId);
    expect(stack.bots[0]!.logs.filter((log) => log.msg === 'question queued' && log.jobId === jobId)).toHaveLength(1);
    expect(stack.anthropic.messageRequests().length - before).toBe(1);
    expect(botAnswersIn(asked.ts)).toHaveLength(1);
  });

  it('rejects a request with a bad signature without queuing anything', async () => {
    const before = stack.anthropic.messageRequests().length;
    const posted = stack.slack.addMessage(GENERAL, { user: 'U0ALICE', text: `<@${BOT_USER}> sneaky` });
    const response = await sendEvent(stack.eventsUrl, SIGNING_SECRET, appMention({ channel: GENERAL, user: 'U0ALICE', text: `<@${BOT_USER}> sneaky`, ts: posted.ts }), { badSignature: true });
    expect(response.status).toBe(401);
    // A properly signed question later in the same thread is answered: the bot went on taking
    // requests, and a job of the refused message would have come first (a thread is answered in order).
    stack.anthropic.enqueue({ text: 'Signed questions are answered.' });
    const marker = await stack.mention(`<@${BOT_USER}> is this one signed?`, { threadTs: posted.ts });
    await stack.slack.waitFor(() => botAnswersIn(posted.ts).find((message) => message.text.includes('Signed questions are answered.')));
    await jobRunEnded(stack, questionJobId('T0TEST', GENERAL, marker.ts));
    expect(stack.anthropic.messageRequests().length - before).toBe(1);
    expect(botAnswersIn(posted.ts)).toHaveLength(1);
    expect((await jobIdsInQueue(stack)).filter((id) => id.includes(posted.ts))).toEqual([]);
    expect(stack.bots[0]!.logs.some((log) => typeof log.jobId === 'string' && log.jobId.endsWith(posted.ts))).toBe(false);
  });

  it('reports health with Redis reachable', async () => {
    const response = await fetch(`http://127.0.0.1:${stack.port}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok' });
  });
});
