import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toSlackMrkdwn } from '../../src/core/slack-format.js';
import type { SlackCall, SlackMessage } from '../fakes/slack.js';
import { blockActions, sendAction, SIGNING_SECRET } from '../support/slack-requests.js';
import { ALICE, BOT_USER, isFinal, startStack, type Asked, type Stack } from './stack.js';

/**
 * Answers in direct messages stream through Slack's chat.startStream / appendStream /
 * stopStream; where Slack refuses them, the same answer streams through chat.update, and both end
 * with the same final message.
 */
const DM = 'D0DM';
/** Bob's DM with the bot, where the fake Slack refuses to stream (a workspace without the feature). */
const NO_STREAM_DM = 'D0NOSTREAM';
const BOB = 'U0BOB';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    // The same question is asked on both paths: each must really be answered, not reused.
    env: { ANSWER_CACHE: 'false' },
    slack: { strictStreamingMode: true, channels: [{ id: NO_STREAM_DM, type: 'im', user: BOB, isMember: true, streamingUnsupported: true }] },
  });
});
afterAll(async () => {
  await stack?.stop();
});

const ANSWER = [
  'Give the instance an **IAM role**, never access keys:',
  '',
  '1. Create a role trusted by `ec2.amazonaws.com`.',
  '2. Attach `AmazonS3ReadOnlyAccess` (or a tighter policy).',
  '   - scope it to one bucket',
  '3. Attach the role through an *instance profile*.',
  '',
  '```bash',
  'aws iam create-instance-profile --instance-profile-name s3-reader',
  '```',
  '',
  '| Option | Keys on disk |',
  '|---|---|',
  '| Role | no |',
  '| Access keys | yes & risky |',
].join('\n');

function callsFor(method: string, channel: string, ts?: string): SlackCall[] {
  return stack.slack.callsTo(method).filter((call) => call.args.channel === channel && (ts === undefined || call.args.ts === ts));
}

function botPostsIn(channel: string, threadTs: string): SlackMessage[] {
  return stack.slack.messagesIn(channel, threadTs).filter((message) => message.user === BOT_USER && message.ts !== threadTs);
}

function actionIds(message: SlackMessage): string[] {
  const blocks = (message.blocks ?? []) as Array<{ type?: string; elements?: Array<{ action_id?: string }> }>;
  return blocks.filter((block) => block.type === 'actions').flatMap((block) => block.elements?.map((element) => element.action_id ?? '') ?? []);
}

/** The chat.startStream call that opened the answer to `asked`. */
function startCallFor(asked: Asked): Promise<SlackCall> {
  return stack.slack.waitForCall('chat.startStream', (call) => call.args.channel === asked.channel && call.args.thread_ts === asked.threadTs && call.ok);
}

/** The Stop button travels in the stream's first chunk; its value is the job id. */
function stopValueOf(start: SlackCall): string {
  const chunks = start.args.chunks as Array<{ type: string; blocks?: Array<{ elements?: Array<{ action_id?: string; value?: string }> }> }>;
  const button = chunks.flatMap((chunk) => chunk.blocks ?? []).flatMap((block) => block.elements ?? []).find((element) => element.action_id === 'answer_stop');
  if (!button?.value) throw new Error('the stream carries no Stop button');
  return button.value;
}

/** The Markdown a streaming call carried. */
function markdownOf(call: SlackCall): string {
  const chunks = (call.args.chunks ?? []) as Array<{ type: string; text?: string }>;
  return chunks.filter((chunk) => chunk.type === 'markdown_text').map((chunk) => chunk.text ?? '').join('');
}

let nativeFinalText = '';

describe('an answer in a direct message', () => {
  it('streams through chat.startStream / appendStream / stopStream and ends as a normal final answer', async () => {
    stack.anthropic.enqueue({ text: ANSWER, chunkSize: 6, tokenDelayMs: 25 });
    const asked = await stack.message('How do I give an EC2 instance access to S3?', { channel: DM });
    const answer = await stack.finalAnswer(asked);
    nativeFinalText = answer.text;

    const start = await startCallFor(asked);
    expect(start.args).toMatchObject({ channel: DM, thread_ts: asked.ts, recipient_user_id: ALICE, recipient_team_id: 'T0TEST' });
    expect(stopValueOf(start)).toBe(`q-T0TEST-${DM}-${asked.ts}`);
    expect((start.response as { ts: string }).ts).toBe(answer.ts);

    // The stream carried the model's Markdown itself, in a few appends rather than one per token.
    const appends = callsFor('chat.appendStream', DM, answer.ts);
    const stops = callsFor('chat.stopStream', DM, answer.ts);
    expect(appends.length).toBeGreaterThanOrEqual(2);
    expect(appends.length).toBeLessThan(ANSWER.length / 6 / 2);
    expect(stops).toHaveLength(1);
    // Everything goes in chunks (Slack refuses markdown_text on a stream started with chunks).
    expect([...appends, ...stops].some((call) => call.args.markdown_text !== undefined)).toBe(false);
    const streamed = [...appends, ...stops].map(markdownOf).join('');
    expect(streamed).toBe(ANSWER);

    // No placeholder was posted: the streamed message is the answer, and the only bot post.
    expect(botPostsIn(DM, asked.ts).map((message) => message.ts)).toEqual([answer.ts]);
    const versions = stack.slack.history(DM, answer.ts);
    expect(versions[0]!.method).toBe('chat.startStream');
    expect(versions.filter((version) => version.method === 'chat.appendStream').length).toBe(appends.length);
    expect(versions.at(-1)!.method).toBe('chat.update');
    // Slack shows it growing while it streams.
    const streamingTexts = versions.filter((version) => version.streaming).map((version) => version.text.length);
    expect(streamingTexts).toEqual([...streamingTexts].sort((a, b) => a - b));

    // The final update gives it the same converted text, controls and metadata as any answer.
    expect(answer.text).toBe(toSlackMrkdwn(ANSWER));
    expect(answer.metadata?.event_payload).toMatchObject({ kind: 'answer', job: `q-T0TEST-${DM}-${asked.ts}` });
    expect(actionIds(answer)).toEqual([]);
    expect(stack.slack.isStreaming(DM, answer.ts)).toBe(false);
  });

  it('falls back to chat.update where Slack refuses to stream, with the same final text', async () => {
    expect(nativeFinalText).not.toBe('');
    stack.anthropic.enqueue({ text: ANSWER, chunkSize: 6, tokenDelayMs: 25 });
    const asked = await stack.message('How do I give an EC2 instance access to S3?', { channel: NO_STREAM_DM, user: BOB });
    const answer = await stack.finalAnswer(asked);

    const refused = callsFor('chat.startStream', NO_STREAM_DM);
    expect(refused.map((call) => call.error)).toEqual(['channel_type_not_supported']);
    expect(answer.text).toBe(nativeFinalText);
    const versions = stack.slack.history(NO_STREAM_DM, answer.ts);
    expect(versions[0]).toMatchObject({ method: 'chat.postMessage' });
    expect(versions.filter((version) => version.method === 'chat.update').length).toBeGreaterThanOrEqual(1);
    expect(actionIds(answer)).toEqual([]);

    // The refusal is remembered: the next answer there does not ask Slack again.
    stack.anthropic.enqueue({ text: 'Short and sweet.' });
    const again = await stack.message('And for Lambda?', { channel: NO_STREAM_DM, user: BOB, threadTs: asked.ts });
    await stack.slack.waitFor(() => botPostsIn(NO_STREAM_DM, asked.ts).find((message) => message.text === 'Short and sweet.' && isFinal(message)));
    expect(again.threadTs).toBe(asked.ts);
    expect(callsFor('chat.startStream', NO_STREAM_DM)).toHaveLength(1);
  });

  it('leaves the stream for chat.update when a model call is retried, without showing any text twice', async () => {
    const first = 'Amazon ECS is a container orchestrator with two launch types and';
    const retried = 'ECS runs containers on **EC2** or **Fargate**.';
    stack.anthropic.enqueue(
      { midStreamError: { type: 'overloaded_error', message: 'Overloaded' }, afterChunks: 4, text: first, chunkSize: 5, tokenDelayMs: 60 },
      { text: retried, chunkSize: 5, tokenDelayMs: 20 },
    );
    const asked = await stack.message('What is ECS?', { channel: DM });
    const answer = await stack.finalAnswer(asked);
    expect(answer.text).toBe(toSlackMrkdwn(retried));

    const methods = stack.slack.history(DM, answer.ts).map((version) => version.method);
    expect(methods[0]).toBe('chat.startStream');
    expect(methods).toContain('chat.appendStream');
    // The stream is closed once, then chat.update replaces the broken attempt with a retry notice.
    const stopAt = methods.indexOf('chat.stopStream');
    expect(stopAt).toBeGreaterThan(0);
    expect(methods.slice(stopAt + 1).every((method) => method === 'chat.update')).toBe(true);
    const versions = stack.slack.history(DM, answer.ts).map((version) => version.text);
    expect(versions[stopAt]).toMatch(/^Amazon/);
    expect(versions.slice(stopAt + 1).some((text) => text.includes('Amazon'))).toBe(false);
  });

  it('stops when Stop is pressed mid-stream: the model stream is closed and the message is final, marked stopped', async () => {
    const long = Array.from({ length: 60 }, (_, index) => `Step ${index + 1}: configure something important.`).join('\n');
    stack.anthropic.enqueue({ text: long, chunkSize: 8, tokenDelayMs: 40 });
    const requestsBefore = stack.anthropic.messageRequests().length;
    const asked = await stack.message('Walk me through a landing zone, in detail.', { channel: DM });
    const start = await startCallFor(asked);
    const ts = (start.response as { ts: string }).ts;
    await stack.slack.waitFor(() => callsFor('chat.appendStream', DM, ts).length >= 2);

    const message = stack.slack.message(DM, ts)!;
    const press = await sendAction(stack.eventsUrl, SIGNING_SECRET, blockActions({ message, actionId: 'answer_stop', value: stopValueOf(start), channel: DM }));
    expect(press.status).toBe(200);

    const answer = await stack.finalAnswer(asked);
    expect(answer.ts).toBe(ts);
    expect(answer.text).toMatch(/^Step 1/);
    expect(answer.text).toMatch(/Stopped\._$/);
    expect(answer.text.length).toBeLessThan(long.length);
    expect(actionIds(answer)).toEqual([]);
    const request = stack.anthropic.messageRequests()[requestsBefore]!;
    await stack.anthropic.waitFor(() => request.endedAt);
    expect(request.aborted).toBe(true);
    expect(stack.slack.isStreaming(DM, ts)).toBe(false);
  });

  it('is finished by another worker after a crash mid-stream: the abandoned stream is stopped first', async () => {
    stack.anthropic.enqueue(
      { text: 'The first attempt is cut off by the crash and never finishes.', chunkSize: 4, tokenDelayMs: 150 },
      { text: 'CloudTrail records API calls; CloudWatch records metrics and logs.' },
    );
    const asked = await stack.message('CloudTrail or CloudWatch?', { channel: DM });
    const start = await startCallFor(asked);
    const ts = (start.response as { ts: string }).ts;
    await stack.slack.waitFor(() => callsFor('chat.appendStream', DM, ts).length >= 1);
    await stack.bots[0]!.kill('SIGKILL');
    expect(stack.slack.isStreaming(DM, ts)).toBe(true);

    await stack.startBot();
    const answer = await stack.finalAnswer(asked, 20_000);
    expect(answer.ts).toBe(ts);
    expect(answer.text).toBe('CloudTrail records API calls; CloudWatch records metrics and logs.');
    // One answer message, no second stream: the new worker closed the old one and updated it.
    expect(botPostsIn(DM, asked.ts)).toHaveLength(1);
    expect(callsFor('chat.startStream', DM).filter((call) => call.args.thread_ts === asked.ts)).toHaveLength(1);
    expect(callsFor('chat.stopStream', DM, ts).some((call) => call.ok)).toBe(true);
  });
});
