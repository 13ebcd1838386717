import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BotProcess } from '../support/bot.js';
import { botRepliesIn, failedAnswer, jobIdOf, jobOnceIn, occurrences, pressButton, turnsOf } from './answer-checks.js';
import { BOT_USER, GENERAL, shownTexts, startStack, type Asked, type Stack } from './stack.js';

/**
 * Model failures: every way the Anthropic API fails, injected on purpose through the fake,
 * seen from Slack (what the person reads) and from the API (how many requests, when).
 * The answer job is the only owner of model retries: the SDK makes one request per attempt.
 */
const MODEL_TIMEOUT_MS = 2000;
let stack: Stack;
let worker: BotProcess;

beforeAll(async () => {
  stack = await startStack({ roles: ['web', 'worker'], env: { ANTHROPIC_TIMEOUT_MS: String(MODEL_TIMEOUT_MS) } });
  worker = stack.bots[1]!;
});
afterAll(async () => {
  await stack?.stop();
});

function requestsSince(index: number) {
  return stack.anthropic.messageRequests().slice(index);
}

/** A failure the person was told about fails the job for good (no queue retry): no run of it is left. */
function failedForGood(asked: Asked) {
  return jobOnceIn(stack, jobIdOf(asked), ['failed']);
}

describe('retryable model failures', () => {
  it('rides out 529 then 429 (honouring retry-after), showing a retrying status, and completes the answer', async () => {
    const answerText = 'Lambda runs your code without servers. You pay per request and per millisecond of compute.';
    stack.anthropic.enqueue({ status: 529 }, { status: 429, retryAfter: 1 }, { text: answerText, chunkSize: 12, tokenDelayMs: 20 });
    const before = stack.anthropic.messageRequests().length;

    const asked = await stack.mention(`<@${BOT_USER}> What is Lambda?`);
    const answer = await stack.finalAnswer(asked);

    expect(answer.text).toBe(answerText);
    const requests = requestsSince(before);
    expect(requests.map((request) => request.status)).toEqual([529, 429, 200]);
    // The 429 said "retry-after: 1": the next request waited about that long (the test's own
    // backoff cap is 400 ms, so only the header can explain the wait; the margin is for the two
    // clocks, the fake's and the bot's, reading the same second a few ms apart).
    expect(requests[2]!.at - requests[1]!.endedAt!).toBeGreaterThanOrEqual(950);
    // Meanwhile the person saw that the bot is retrying, before the successful request started.
    const versions = stack.slack.history(GENERAL, answer.ts);
    const retrying = versions.find((version) => /retrying/i.test(version.text));
    expect(retrying, shownTexts(stack, GENERAL, answer.ts).join('\n---\n')).toBeDefined();
    expect(retrying!.at).toBeLessThan(requests[2]!.at);
    expect(botRepliesIn(stack, asked)).toHaveLength(1);
  });

  it('restarts a stream cut by an error event into the same message: the answer appears exactly once', async () => {
    const answerText = 'First, create a VPC with two public subnets. Then attach an internet gateway and a route table. Finally, launch the instances.';
    // The error waits until the first attempt's partial text is on screen: what the retry must replace.
    const partialShown = () => stack.slack.waitFor(() => stack.slack.allMessagesIn(GENERAL).find((message) => message.user === BOT_USER && message.text.startsWith('First, create') && message.text.length < answerText.length), 30_000);
    stack.anthropic.enqueue(
      { midStreamError: { type: 'overloaded_error', message: 'Overloaded' }, afterChunks: 8, text: answerText, chunkSize: 8, tokenDelayMs: 60, holdErrorUntil: partialShown },
      { text: answerText, chunkSize: 8, tokenDelayMs: 15 },
    );
    const before = stack.anthropic.messageRequests().length;

    const asked = await stack.mention(`<@${BOT_USER}> How do I build a VPC?`);
    const answer = await stack.finalAnswer(asked);

    expect(answer.text).toBe(answerText);
    expect(occurrences(answer.text, 'First, create a VPC')).toBe(1);
    const requests = requestsSince(before);
    expect(requests.map((request) => request.kind)).toEqual(['mid-stream-error', 'text']);
    const shown = shownTexts(stack, GENERAL, answer.ts);
    // The first attempt's partial text was on screen, and was replaced (never appended to).
    expect(shown.some((text) => text.startsWith('First, create') && text.length < answerText.length)).toBe(true);
    for (const text of shown) expect(occurrences(text, 'First, create a VPC')).toBeLessThanOrEqual(1);
    expect(botRepliesIn(stack, asked)).toHaveLength(1);
  });

  it('drops a stream that goes silent half way (the SDK would wait for ever) and retries it into the same message', async () => {
    const answerText = 'Enable versioning on the bucket, then add a lifecycle rule that expires noncurrent versions after 30 days.';
    stack.anthropic.enqueue({ hang: true, afterChunks: 3, text: answerText, chunkSize: 10, tokenDelayMs: 30 }, { text: answerText, chunkSize: 10, tokenDelayMs: 10 });
    const before = stack.anthropic.messageRequests().length;

    const asked = await stack.mention(`<@${BOT_USER}> How do I protect S3 objects from deletion?`);
    const answer = await stack.finalAnswer(asked);

    expect(answer.text).toBe(answerText);
    expect(occurrences(answer.text, 'Enable versioning')).toBe(1);
    const [stalled, retried] = requestsSince(before);
    expect(requestsSince(before).map((request) => request.kind)).toEqual(['hang', 'text']);
    expect(stalled!.aborted).toBe(true);
    // Given up after ANTHROPIC_TIMEOUT_MS of silence, not before.
    expect(retried!.at - stalled!.lastTokenAt!).toBeGreaterThanOrEqual(MODEL_TIMEOUT_MS);
    expect(botRepliesIn(stack, asked)).toHaveLength(1);
  });

  it('retries once with a shorter history when the prompt is too long', async () => {
    const parent = await stack.mention(`<@${BOT_USER}> Let us review our AWS account structure.`);
    stack.anthropic.enqueue({ text: 'Sure, tell me about it.' });
    await stack.finalAnswer(parent);
    // A busy thread: people writing at length (each ~500 estimated tokens; 20 of them).
    for (let i = 0; i < 20; i += 1) {
      stack.slack.addMessage(GENERAL, { user: 'U0BOB', thread_ts: parent.ts, text: `Note ${i}: ${'we keep separate accounts per environment and share logging. '.repeat(25)}` });
    }
    const tooLong = { status: 400, errorType: 'invalid_request_error', message: 'prompt is too long: 212345 tokens > 200000 maximum' };
    stack.anthropic.enqueue(tooLong, { text: 'Use AWS Organizations with an OU per environment.' });
    const before = stack.anthropic.messageRequests().length;

    const asked = await stack.mention(`<@${BOT_USER}> So how should we organise the accounts?`, { threadTs: parent.ts });
    await stack.slack.waitFor(() => botRepliesIn(stack, asked).find((message) => message.text.includes('OU per environment')));

    const [first, second] = requestsSince(before);
    expect(requestsSince(before)).toHaveLength(2);
    const sizeOf = (request: typeof first) => JSON.stringify(request!.body?.messages).length;
    expect(sizeOf(second)).toBeLessThan(sizeOf(first) / 2);
    // The shorter history still ends with the question being answered.
    expect(JSON.stringify(second!.body?.messages)).toContain('So how should we organise the accounts?');

    // Still too long after shortening: the person is told, after exactly one more request.
    stack.anthropic.enqueue(tooLong, tooLong);
    const again = stack.anthropic.messageRequests().length;
    const retold = await stack.mention(`<@${BOT_USER}> And for the sandbox accounts?`, { threadTs: parent.ts });
    const failed = await failedAnswer(stack, retold);
    expect(failed.text).toMatch(/too long/i);
    await failedForGood(retold);
    expect(requestsSince(again).map((request) => request.status)).toEqual([400, 400]);
  });
});

describe('a permanent model failure', () => {
  it('says the model setting is invalid without retrying, logs what an operator needs, and Retry re-runs the same job into the same message', async () => {
    // An operator configured a retired model: the fake answers 404 not_found_error, as the API does.
    await worker.kill('SIGTERM');
    const misconfigured = await stack.startBot('worker', { ANTHROPIC_MODEL: 'claude-3-haiku-20240307' });
    const before = stack.anthropic.messageRequests().length;

    const asked = await stack.mention(`<@${BOT_USER}> What is an EC2 spot instance?`);
    const failed = await failedAnswer(stack, asked);
    expect(failed.text).toMatch(/model setting is invalid/);
    expect(failed.text).toMatch(/admin/i);

    await failedForGood(asked);
    const requests = requestsSince(before);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ status: 404 });
    expect(requests[0]!.body?.model).toBe('claude-3-haiku-20240307');
    const log = await misconfigured.waitForLog((line) => line.msg === 'model call failed for good');
    expect(log.model).toMatchObject({ kind: 'model_not_found', status: 404, errorType: 'not_found_error', requestId: requests[0]!.id });

    // The admin fixes the setting; the person presses Retry on the failed message.
    await misconfigured.kill('SIGTERM');
    worker = await stack.startBot('worker');
    stack.anthropic.enqueue({ text: 'A spot instance uses spare EC2 capacity at a discount, and can be reclaimed.' });
    const press = await pressButton(stack, failed, 'answer_retry', asked.channel);
    expect(press.status).toBe(200);

    const answer = await stack.finalAnswer(asked);
    expect(answer.ts).toBe(failed.ts);
    expect(answer.text).toContain('spare EC2 capacity');
    expect(botRepliesIn(stack, asked)).toHaveLength(1);
    expect(turnsOf(requestsSince(before).at(-1))).toEqual([{ role: 'user', content: '<@U0ALICE>: What is an EC2 spot instance?' }]);
  });
});
