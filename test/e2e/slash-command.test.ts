import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandJobId } from '../../src/core/job-ids.js';
import { HELP_TEXT } from '../../src/slack/intake.js';
import { sendCommand, SIGNING_SECRET } from '../support/slack-requests.js';
import { ALICE, BOT_USER, GENERAL, isFinal, shownTexts, startStack, type Stack } from './stack.js';
import { jobIdsInQueue, jobOnceIn, replyAfterAcknowledgement, turnsOf } from './answer-checks.js';

/** `/aws`: questions posted visibly and answered in their thread, help, and channels the bot is not in. */
let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const command = (text: string, channel = GENERAL) =>
  sendCommand(stack.eventsUrl, SIGNING_SECRET, { text, channel_id: channel, response_url: stack.slack.responseUrl({ channel, user: ALICE }) });

/** The bot's visible post of an `/aws` question, found by its text. */
function questionPost(question: string) {
  return stack.slack.waitFor(() => stack.slack.messagesIn(GENERAL).find((message) => message.user === BOT_USER && message.text.includes(question)));
}

function finalAnswerIn(threadTs: string, marker: string) {
  return stack.slack.waitFor(() =>
    stack.slack.messagesIn(GENERAL, threadTs).find((message) => message.user === BOT_USER && message.ts !== threadTs && message.text.includes(marker) && isFinal(message)),
  );
}

describe('/aws <question>', () => {
  it('posts the question naming who asked and streams the answer into its thread', async () => {
    const answerText = 'Lambda cold starts depend on the runtime, the package size and VPC attachment. Provisioned concurrency removes them for a price.';
    // Slack's acknowledgement must not wait for the answer: the model answers only once it has arrived.
    const gate = replyAfterAcknowledgement({ text: answerText, chunkSize: 6, tokenDelayMs: 30 });
    stack.anthropic.enqueue(gate.responder);
    const response = await command('What causes Lambda cold starts?');
    gate.acknowledged();
    expect(response.status).toBe(200);
    expect(response.body).toBe('');

    const post = await questionPost('What causes Lambda cold starts?');
    expect(post.text).toBe(`*<@${ALICE}> asked:* What causes Lambda cold starts?`);
    expect(post.thread_ts ?? post.ts).toBe(post.ts);
    expect(post.metadata?.event_payload).toMatchObject({ kind: 'question', asked_by: ALICE });

    const answer = await finalAnswerIn(post.ts, 'Provisioned concurrency');
    expect(gate.repliedBeforeAcknowledgement).toBe(false);
    expect(answer.thread_ts).toBe(post.ts);
    const shown = shownTexts(stack, GENERAL, answer.ts);
    expect(shown.length).toBeGreaterThan(2);
    expect(shown.length).toBeLessThan(answerText.length / 6);
    expect(turnsOf(stack.anthropic.messageRequests().at(-1))).toEqual([{ role: 'user', content: `<@${ALICE}>: What causes Lambda cold starts?` }]);

    // A reply in the thread continues the conversation like any other.
    stack.anthropic.enqueue({ text: 'Use SnapStart for Java.' });
    await stack.message('Anything for Java specifically?', { threadTs: post.ts });
    await finalAnswerIn(post.ts, 'SnapStart');
    expect(turnsOf(stack.anthropic.messageRequests().at(-1))).toEqual([
      { role: 'user', content: `<@${ALICE}>: What causes Lambda cold starts?` },
      { role: 'assistant', content: answerText },
      { role: 'user', content: `<@${ALICE}>: Anything for Java specifically?` },
    ]);
  });

  it('treats a first word that is no subcommand as part of the question', async () => {
    stack.anthropic.enqueue({ text: 'Versioning keeps every object version.' });
    await command('versioning on S3: should I turn it on?');
    const post = await questionPost('versioning on S3');
    expect(post.text).toBe(`*<@${ALICE}> asked:* versioning on S3: should I turn it on?`);
    await finalAnswerIn(post.ts, 'every object version');
  });
});

describe('/aws help', () => {
  it('answers `help` and a bare `/aws` with a private guide, posting nothing', async () => {
    const before = stack.slack.callsTo('chat.postMessage').length;
    const jobsBefore = new Set(await jobIdsInQueue(stack));
    for (const text of ['help', '  HELP ', '']) {
      const response = await command(text);
      expect(response.status).toBe(200);
      expect(response.json).toEqual({ response_type: 'ephemeral', text: HELP_TEXT });
    }
    // `/aws` queues whatever it hands to a worker before it acknowledges: with the three guides
    // in hand, an empty queue delta means no worker will ever post for them.
    expect((await jobIdsInQueue(stack)).filter((id) => !jobsBefore.has(id))).toEqual([]);
    expect(stack.slack.callsTo('chat.postMessage').length).toBe(before);
  });
});

describe('/aws where the bot is not a member', () => {
  it('answers through response_url with an invite hint, without per-token updates', async () => {
    stack.anthropic.enqueue({ text: 'IAM roles hand out temporary credentials. '.repeat(10), chunkSize: 8, tokenDelayMs: 10 });
    const url = stack.slack.responseUrl({ channel: 'C0NOTIN', user: ALICE });
    const triggerId = '1700000000.notin';
    const response = await sendCommand(stack.eventsUrl, SIGNING_SECRET, { text: 'What is an IAM role?', channel_id: 'C0NOTIN', response_url: url, trigger_id: triggerId });
    expect(response.status).toBe(200);

    const posts = () => stack.slack.responsesTo(url);
    const final = await stack.slack.waitFor(() => posts().find((post) => String(post.body.text).includes('temporary credentials')));
    expect(final.status).toBe(200);
    expect(final.body).toMatchObject({ response_type: 'ephemeral', replace_original: true });
    expect(String(final.body.text)).toContain('/invite @aws-orchestrator');
    expect(String(final.body.text)).toContain('What is an IAM role?');
    // A "thinking" notice and the answer: Slack allows a response_url only five uses. Counted once
    // the command's job is complete, when nothing more can be sent.
    await jobOnceIn(stack, commandJobId('T0TEST', triggerId), ['completed']);
    expect(posts().map((post) => post.status)).toEqual([200, 200]);
    expect(stack.slack.messagesIn('C0NOTIN')).toEqual([]);
    expect(stack.slack.calls.filter((call) => call.method === 'chat.update' && call.args.channel === 'C0NOTIN')).toEqual([]);
  });
});
