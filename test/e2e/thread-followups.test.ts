import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noticeJobId, questionJobId } from '../../src/core/job-ids.js';
import { HELP_TEXT } from '../../src/slack/intake.js';
import { appMention, messageEvent, sendEvent, SIGNING_SECRET } from '../support/slack-requests.js';
import { ALICE, BOT_USER, GENERAL, isFinal, startStack, type Asked, type Stack } from './stack.js';
import { jobIdsInQueue, jobOnceIn, jobRunEnded, loggedByAnyBot, turnsOf } from './answer-checks.js';

/** Channel threads the bot takes part in, and messages that are not questions. */
const BOB = 'U0BOB';
const MAX_QUESTION_CHARS = 500;
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ env: { MAX_QUESTION_CHARS: String(MAX_QUESTION_CHARS) } });
});
afterAll(async () => {
  await stack?.stop();
});

function botPostsIn(threadTs: string) {
  return stack.slack.messagesIn(GENERAL, threadTs).filter((message) => message.user === BOT_USER);
}

/** Waits for the bot's final answer whose text contains `marker` in the thread. */
function answerContaining(threadTs: string, marker: string) {
  return stack.slack.waitFor(() => botPostsIn(threadTs).find((message) => message.text.includes(marker) && isFinal(message)));
}

async function answeredThread(question: string, answer: string): Promise<Asked> {
  stack.anthropic.enqueue({ text: answer });
  const asked = await stack.mention(`<@${BOT_USER}> ${question}`);
  await stack.finalAnswer(asked);
  return asked;
}

const lastRequestMessages = () => turnsOf(stack.anthropic.messageRequests().at(-1));

describe('a thread the bot has answered in', () => {
  it('answers a reply without a new mention, with the thread as context', async () => {
    const thread = await answeredThread('What is CloudFront?', 'CloudFront is a CDN.');
    stack.anthropic.enqueue({ text: 'Use an origin access control.' });
    await stack.message('How do I keep the S3 origin private?', { threadTs: thread.ts });
    await answerContaining(thread.ts, 'origin access control');
    expect(lastRequestMessages()).toEqual([
      { role: 'user', content: `<@${ALICE}>: What is CloudFront?` },
      { role: 'assistant', content: 'CloudFront is a CDN.' },
      { role: 'user', content: `<@${ALICE}>: How do I keep the S3 origin private?` },
    ]);
  });

  it('ignores a reply addressed to someone else, but keeps it as context', async () => {
    const thread = await answeredThread('Is RDS Multi-AZ worth it?', 'For production, yes.');
    const before = stack.anthropic.messageRequests().length;
    await stack.message(`<@${BOB}> do we run Multi-AZ today?`, { threadTs: thread.ts });
    // The next reply for the bot is answered, and is the only new model call.
    stack.anthropic.enqueue({ text: 'It doubles the instance cost.' });
    await stack.message('What does it cost?', { threadTs: thread.ts, user: BOB });
    await answerContaining(thread.ts, 'doubles');
    expect(stack.anthropic.messageRequests().length - before).toBe(1);
    expect(lastRequestMessages()).toEqual([
      { role: 'user', content: `<@${ALICE}>: Is RDS Multi-AZ worth it?` },
      { role: 'assistant', content: 'For production, yes.' },
      { role: 'user', content: `<@${ALICE}>: <@${BOB}> do we run Multi-AZ today?\n\n<@${BOB}>: What does it cost?` },
    ]);
    expect(botPostsIn(thread.ts)).toHaveLength(2);
  });

  it('answers a mention that arrives as both app_mention and message once', async () => {
    const thread = await answeredThread('What is Route 53?', 'A DNS service.');
    const before = stack.anthropic.messageRequests().length;
    stack.anthropic.enqueue({ text: 'Use a failover routing policy.' });
    const text = `<@${BOT_USER}> how do I fail over to another region?`;
    const posted = stack.slack.addMessage(GENERAL, { user: ALICE, text, thread_ts: thread.ts });
    const input = { channel: GENERAL, user: ALICE, text, ts: posted.ts, thread_ts: thread.ts };
    await Promise.all([sendEvent(stack.eventsUrl, SIGNING_SECRET, messageEvent(input)), sendEvent(stack.eventsUrl, SIGNING_SECRET, appMention(input))]);
    await answerContaining(thread.ts, 'failover routing');
    // One delivery queued the job, the other was turned away, and the job's run is over.
    const jobId = questionJobId('T0TEST', GENERAL, posted.ts);
    await loggedByAnyBot(stack, (log) => log.msg === 'duplicate delivery ignored' && log.jobId === jobId);
    await jobRunEnded(stack, jobId);
    expect(stack.bots.flatMap((bot) => bot.logs).filter((log) => log.msg === 'question queued' && log.jobId === jobId)).toHaveLength(1);
    expect(stack.anthropic.messageRequests().length - before).toBe(1);
    expect(botPostsIn(thread.ts)).toHaveLength(2);
  });
});

describe('input that is not a question', () => {
  it('answers an empty mention with a short help, without a model call', async () => {
    const before = stack.anthropic.messageRequests().length;
    const asked = await stack.mention(`<@${BOT_USER}>`);
    const help = await stack.slack.waitFor(() => botPostsIn(asked.ts)[0]);
    expect(help.text).toBe(HELP_TEXT);
    expect(help.metadata?.event_payload).toMatchObject({ kind: 'notice' });
    // The help's job is done, and it is the only job the mention made: nothing is left to ask the model.
    const notice = noticeJobId('T0TEST', GENERAL, asked.ts);
    await jobOnceIn(stack, notice, ['completed']);
    expect((await jobIdsInQueue(stack)).filter((id) => id.includes(asked.ts))).toEqual([notice]);
    expect(stack.anthropic.messageRequests().length).toBe(before);
  });

  it('shortens an oversized message and says so under the answer', async () => {
    const long = `Please review this CloudFormation template: ${'Resources: MyBucket: Type: AWS::S3::Bucket. '.repeat(60)}`;
    expect(long.length).toBeGreaterThan(MAX_QUESTION_CHARS * 4);
    stack.anthropic.enqueue({ text: 'The template declares one bucket, many times.' });
    const asked = await stack.mention(`<@${BOT_USER}> ${long}`);
    const answer = await stack.finalAnswer(asked);

    const sent = lastRequestMessages();
    expect(sent).toHaveLength(1);
    const content = String(sent[0]!.content);
    expect(content.length).toBeLessThan(MAX_QUESTION_CHARS + 100);
    expect(content).toContain('message shortened');
    const shown = JSON.stringify(answer.blocks);
    expect(answer.text).toContain('one bucket');
    expect(shown).toContain(`longer than ${MAX_QUESTION_CHARS} characters`);
  });
});

describe('after a restart', () => {
  it('still knows the threads it answered in', async () => {
    const thread = await answeredThread('What is an Elastic IP?', 'A static public IPv4 address.');
    // Killed once the job is complete (a job killed between its final update and its completion
    // is answered again when its lock lapses: crash recovery, not what this test is about).
    await stack.bots[0]!.waitForLog((log) => log.msg === 'answered' && log.threadTs === thread.ts);
    await stack.bots[0]!.kill('SIGKILL');
    await stack.startBot();
    stack.anthropic.enqueue({ text: 'About $3.60 a month.' });
    await stack.message('What does one cost now?', { threadTs: thread.ts });
    await answerContaining(thread.ts, '$3.60');
  });

  it('ignores a reply in a thread it never answered in', async () => {
    const before = stack.anthropic.messageRequests().length;
    const parent = stack.slack.addMessage(GENERAL, { user: BOB, text: 'Lunch at noon?' });
    await stack.message('Sounds good', { threadTs: parent.ts });
    await stack.message('How do I rotate IAM access keys?', { threadTs: parent.ts, user: BOB });
    // Proof that those replies were processed: a mention in the same thread is answered.
    stack.anthropic.enqueue({ text: 'Create a second key, switch, then delete the first.' });
    await stack.mention(`<@${BOT_USER}> how do I rotate IAM access keys?`, { threadTs: parent.ts });
    await answerContaining(parent.ts, 'second key');
    expect(stack.anthropic.messageRequests().length - before).toBe(1);
    expect(botPostsIn(parent.ts)).toHaveLength(1);
  });
});
