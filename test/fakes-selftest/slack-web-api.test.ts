/**
 * The fake Slack driven by the real @slack/web-api WebClient: if these pass, the bot's own
 * WebClient (through Bolt) will see the same wire behaviour it sees in production.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App, ExpressReceiver, type BlockAction, type FeedbackButtonsAction, type MessageShortcut } from '@slack/bolt';
import { ErrorCode, LogLevel, WebClient, type ConversationsRepliesResponse, type Logger, type WebAPIPlatformError, type WebAPIRateLimitedError } from '@slack/web-api';
import { startFakeSlack, type FakeSlack, type SlackMessage } from '../fakes/slack.js';
import {
  appHomeOpened,
  AWS_CHATBOT,
  cloudWatchAlarmNotification,
  feedbackButtonsClick,
  messageEventFor,
  messageShortcut,
  sendEvent,
  sendShortcut,
  SIGNING_SECRET,
} from '../support/slack-requests.js';

let slack: FakeSlack;

beforeAll(async () => {
  slack = await startFakeSlack({ repliesPageSize: 3 });
});

afterAll(async () => {
  await slack.close();
});

/** WebClient logs every `[ERROR] …` line of a refusal; the tests assert them instead. */
const quiet: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

const client = (options: ConstructorParameters<typeof WebClient>[1] = {}, token = 'xoxb-test'): WebClient =>
  new WebClient(token, { slackApiUrl: slack.url, retryConfig: { retries: 0 }, logger: quiet, ...options });

const platformError = async (promise: Promise<unknown>): Promise<WebAPIPlatformError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toMatchObject({ code: ErrorCode.PlatformError });
  return error as WebAPIPlatformError;
};

describe('fake Slack Web API with the real WebClient', () => {
  it('answers auth.test with the configured identity', async () => {
    const auth = await client().auth.test();
    expect(auth).toMatchObject({ ok: true, team_id: 'T0TEST', user_id: 'UBOT', bot_id: 'BBOT', is_enterprise_install: false });
  });

  it('refuses missing and wrong tokens the way Slack does', async () => {
    expect((await platformError(client({}, '').auth.test())).data.error).toBe('not_authed');
    expect((await platformError(client({}, 'nonsense').auth.test())).data.error).toBe('invalid_auth');
    expect((await platformError(client({}, 'xapp-1').auth.test())).data.error).toBe('not_allowed_token_type');
  });

  it('posts with form-encoded blocks and metadata, and updates only the bot’s own messages', async () => {
    const web = client();
    const question = slack.addMessage('C0GENERAL', { text: '<@UBOT> what is S3?' });
    const posted = await web.chat.postMessage({
      channel: 'C0GENERAL',
      thread_ts: question.ts,
      text: 'thinking…',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'thinking…' } }],
      metadata: { event_type: 'answer', event_payload: { job: 'j1' } },
    });
    expect(posted).toMatchObject({ ok: true, channel: 'C0GENERAL', message: { bot_id: 'BBOT', thread_ts: question.ts } });
    const call = slack.callsTo('chat.postMessage').at(-1);
    expect(call?.contentType).toContain('application/x-www-form-urlencoded');
    expect(call?.args.blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: 'thinking…' } }]);

    const ts = posted.ts as string;
    // Without new text the blocks stay; new text without blocks replaces them, as chat.update's docs say.
    await web.chat.update({ channel: 'C0GENERAL', ts, attachments: [{ text: 'extra' }] });
    expect(slack.message('C0GENERAL', ts)).toMatchObject({ text: 'thinking…', blocks: [{ type: 'section' }], attachments: [{ id: 1, text: 'extra' }] });
    const updated = await web.chat.update({ channel: 'C0GENERAL', ts, text: 'S3 is object storage.' });
    expect(updated).toMatchObject({ ok: true, channel: 'C0GENERAL', ts, text: 'S3 is object storage.' });
    expect(slack.message('C0GENERAL', ts)).toMatchObject({ text: 'S3 is object storage.', metadata: { event_type: 'answer' } });
    expect(slack.message('C0GENERAL', ts)?.blocks).toBeUndefined();
    expect(slack.history('C0GENERAL', ts).map((v) => v.text)).toEqual(['thinking…', 'thinking…', 'S3 is object storage.']);
    expect(slack.message('C0GENERAL', question.ts)).toMatchObject({ reply_count: 1, latest_reply: ts });

    expect((await platformError(web.chat.update({ channel: 'C0GENERAL', ts: question.ts, text: 'x' }))).data.error).toBe('cant_update_message');
    expect((await platformError(web.chat.update({ channel: 'C0GENERAL', ts: '1.000001', text: 'x' }))).data.error).toBe('message_not_found');
    expect((await platformError(web.chat.postMessage({ channel: 'C0NOTIN', text: 'hi' }))).data.error).toBe('not_in_channel');
    expect((await platformError(web.chat.postMessage({ channel: 'C0NOPE', text: 'hi' }))).data.error).toBe('channel_not_found');
  });

  it('also accepts JSON bodies', async () => {
    const response = await fetch(`${slack.url}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: 'Bearer xoxb-test', 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ channel: 'D0DM', text: 'hello', blocks: [{ type: 'divider' }] }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, channel: 'D0DM', message: { blocks: [{ type: 'divider' }] } });
  });

  it('paginates conversations.replies with cursors, and resolves a reply’s ts to its thread', async () => {
    const web = client();
    const parent = slack.addMessage('C0GENERAL', { text: 'parent' });
    const replies = Array.from({ length: 7 }, (_, i) => slack.addMessage('C0GENERAL', { text: `reply ${i}`, thread_ts: parent.ts }));

    const seen: string[] = [];
    let pages = 0;
    for await (const page of web.paginate('conversations.replies', { channel: 'C0GENERAL', ts: replies[3]?.ts })) {
      pages += 1;
      for (const message of (page as ConversationsRepliesResponse).messages ?? []) {
        if (!message.ts) continue;
        if (!seen.includes(message.ts)) seen.push(message.ts);
      }
    }
    expect(pages).toBeGreaterThan(2);
    expect(seen).toEqual([parent.ts, ...replies.map((r) => r.ts)]);

    const first = await web.conversations.replies({ channel: 'C0GENERAL', ts: parent.ts });
    expect(first.has_more).toBe(true);
    expect(first.messages?.[0]?.ts).toBe(parent.ts);
    const second = await web.conversations.replies({ channel: 'C0GENERAL', ts: parent.ts, cursor: first.response_metadata?.next_cursor });
    expect(second.messages?.[1]?.text).toBe('reply 2');
    expect((await platformError(web.conversations.replies({ channel: 'C0GENERAL', ts: '1.000001' }))).data.error).toBe('thread_not_found');
  });

  it('rate-limits with HTTP 429 and Retry-After, which WebClient surfaces as retryAfter', async () => {
    slack.setRateLimit('chat.update', 2);
    const web = client({ rejectRateLimitedCalls: true });
    const { ts } = await web.chat.postMessage({ channel: 'C0GENERAL', text: 'v0' });
    await web.chat.update({ channel: 'C0GENERAL', ts: ts as string, text: 'v1' });
    await web.chat.update({ channel: 'C0GENERAL', ts: ts as string, text: 'v2' });
    const error = (await web.chat.update({ channel: 'C0GENERAL', ts: ts as string, text: 'v3' }).catch((e: unknown) => e)) as WebAPIRateLimitedError;
    expect(error.code).toBe(ErrorCode.RateLimitedError);
    expect(error.retryAfter).toBeGreaterThanOrEqual(59);
    expect(slack.callsTo('chat.update').at(-1)).toMatchObject({ status: 429 });
    slack.setRateLimit('chat.update', null);

    slack.failNext('chat.postMessage', { status: 429, retryAfter: 7 });
    const injected = (await web.chat.postMessage({ channel: 'C0GENERAL', text: 'x' }).catch((e: unknown) => e)) as WebAPIRateLimitedError;
    expect(injected.retryAfter).toBe(7);
    slack.failNext('chat.postMessage', { error: 'msg_too_long' });
    expect((await platformError(web.chat.postMessage({ channel: 'C0GENERAL', text: 'x' }))).data.error).toBe('msg_too_long');
    await expect(web.chat.postMessage({ channel: 'C0GENERAL', text: 'x' })).resolves.toMatchObject({ ok: true });
  });

  it('enforces chat.postMessage’s per-channel burst limit from the published table', async () => {
    const limited = await startFakeSlack({ realisticRateLimits: true });
    try {
      const web = new WebClient('xoxb-test', { slackApiUrl: limited.url, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
      const results = await Promise.allSettled(Array.from({ length: 5 }, () => web.chat.postMessage({ channel: 'C0GENERAL', text: 'burst' })));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
      // Another channel has its own budget.
      await expect(web.chat.postMessage({ channel: 'D0DM', text: 'elsewhere' })).resolves.toMatchObject({ ok: true });
    } finally {
      await limited.close();
    }
  });

  it('streams with chatStream (chunks), refuses appends after stop, and records every version', async () => {
    const web = client();
    const question = slack.addMessage('C0GENERAL', { text: 'stream please' });
    const streamer = web.chatStream({ channel: 'C0GENERAL', thread_ts: question.ts, recipient_user_id: 'U0ALICE', recipient_team_id: 'T0TEST', buffer_size: 5 });
    await streamer.append({ markdown_text: 'Hello ' });
    await streamer.append({ markdown_text: 'streaming ' });
    const ts = streamer.ts as string;
    expect(slack.isStreaming('C0GENERAL', ts)).toBe(true);
    expect((await platformError(web.chat.update({ channel: 'C0GENERAL', ts, text: 'x' }))).data.error).toBe('streaming_state_conflict');
    const stopped = await streamer.stop({ markdown_text: 'world.' });
    expect(stopped).toMatchObject({ ok: true, ts, message: { text: 'Hello streaming world.' } });
    const texts = slack.history('C0GENERAL', ts).map((v) => v.text);
    expect(texts).toEqual(['Hello ', 'Hello streaming ', 'Hello streaming world.']);
    expect(slack.history('C0GENERAL', ts).at(-1)?.streaming).toBe(false);

    const late = await platformError(web.chat.appendStream({ channel: 'C0GENERAL', ts, markdown_text: 'more' }));
    expect(late.data.error).toBe('message_not_in_streaming_state');
    const noRecipient = await platformError(web.chat.startStream({ channel: 'C0GENERAL', thread_ts: question.ts, markdown_text: 'x' }));
    expect(noRecipient.data.error).toBe('missing_recipient_user_id');
  });

  it('can refuse streaming so the fallback path can be tested', async () => {
    slack.setStreamingUnsupported({ channels: ['D0DM'] });
    const question = slack.addMessage('D0DM', { text: 'hi' });
    const error = await platformError(client().chat.startStream({ channel: 'D0DM', thread_ts: question.ts, markdown_text: 'x' }));
    expect(error.data.error).toBe('channel_type_not_supported');
    slack.setStreamingUnsupported(false);
  });

  it('records ephemerals apart from history, and assistant thread calls', async () => {
    const web = client();
    const before = slack.allMessagesIn('C0GENERAL').length;
    const { message_ts } = await web.chat.postEphemeral({ channel: 'C0GENERAL', user: 'U0ALICE', text: 'only you' });
    expect(slack.ephemerals.at(-1)).toMatchObject({ message_ts, user: 'U0ALICE', text: 'only you' });
    expect(slack.allMessagesIn('C0GENERAL')).toHaveLength(before);
    await web.assistant.threads.setStatus({ channel_id: 'D0DM', thread_ts: '1700000000.000001', status: 'is thinking…' });
    expect(slack.assistantCalls.at(-1)).toMatchObject({ method: 'assistant.threads.setStatus', channel_id: 'D0DM' });
    const user = await web.users.info({ user: 'U0ALICE' });
    expect(user.user).toMatchObject({ real_name: 'Alice Example', profile: { display_name: 'alice' } });
    expect((await platformError(web.apiCall('no.such.method'))).data.error).toBe('unknown_method');
  });

  it('accepts five uses of a response_url and then refuses', async () => {
    const url = slack.responseUrl({ channel: 'C0GENERAL', user: 'U0ALICE' });
    const post = (body: object) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    for (let i = 0; i < 5; i += 1) expect((await post({ response_type: 'ephemeral', text: `answer ${i}` })).status).toBe(200);
    const sixth = await post({ text: 'too many' });
    expect(sixth.status).toBe(404);
    expect(await sixth.json()).toEqual({ ok: false, error: 'used_url' });
    expect(slack.ephemerals.filter((e) => e.text.startsWith('answer '))).toHaveLength(5);
  });

  it('lets a test react to a call as it arrives', async () => {
    const seen: string[] = [];
    const stop = slack.onCall((call) => seen.push(call.method));
    await client().auth.test();
    stop();
    await client().auth.test();
    expect(seen).toEqual(['auth.test']);
    await expect(slack.waitForCall('auth.test')).resolves.toMatchObject({ ok: true });
  });
});

/** What a call refused with, for calls the typings would not allow (malformed on purpose). */
const errorOf = async (promise: Promise<unknown>): Promise<string | undefined> => (await platformError(promise)).data.error;

const FEEDBACK_BLOCK = {
  type: 'context_actions',
  block_id: 'feedback',
  elements: [
    {
      type: 'feedback_buttons',
      action_id: 'answer_feedback',
      positive_button: { text: { type: 'plain_text', text: '👍' }, value: 'good', accessibility_label: 'Mark this answer as helpful' },
      negative_button: { text: { type: 'plain_text', text: '👎' }, value: 'bad' },
    },
  ],
};

describe('text streaming with chunks: tasks, plan and text as Slack shows them', () => {
  it('keeps the task list (latest state in order of first appearance), plan title, text and the time of every chunk', async () => {
    const web = client();
    const question = slack.addMessage('C0GENERAL', { text: 'why is my Lambda slow?' });
    const started = await web.chat.startStream({
      channel: 'C0GENERAL',
      thread_ts: question.ts,
      recipient_user_id: 'U0ALICE',
      recipient_team_id: 'T0TEST',
      task_display_mode: 'plan',
      chunks: [
        { type: 'plan_update', title: 'Looking into it' },
        { type: 'task_update', id: 'metrics', title: 'Reading CloudWatch metrics', status: 'in_progress' },
        { type: 'task_update', id: 'logs', title: 'Searching logs', status: 'pending' },
      ],
    });
    const ts = started.ts as string;
    await web.chat.appendStream({
      channel: 'C0GENERAL',
      ts,
      chunks: [
        {
          type: 'task_update',
          id: 'metrics',
          title: 'Read CloudWatch metrics',
          status: 'complete',
          details: 'Duration p99 ',
          sources: [{ type: 'url', url: 'https://console.aws.amazon.com/cloudwatch/', text: 'CloudWatch' }],
        },
        { type: 'task_update', id: 'metrics', title: 'Read CloudWatch metrics', status: 'complete', details: 'is 9 s' },
        { type: 'markdown_text', text: 'Cold starts ' },
      ],
    });
    await web.chat.appendStream({ channel: 'C0GENERAL', ts, chunks: [{ type: 'task_update', id: 'logs', title: 'Searched logs', status: 'error', output: 'no access' }] });
    await web.chat.stopStream({ channel: 'C0GENERAL', ts, chunks: [{ type: 'markdown_text', text: 'explain most of it.' }, { type: 'blocks', blocks: [FEEDBACK_BLOCK] }] });

    const stream = slack.stream('C0GENERAL', ts);
    expect(stream).toMatchObject({ state: 'stopped', endedBy: 'app', taskDisplayMode: 'plan', mode: 'chunks', planTitle: 'Looking into it' });
    expect(stream?.text).toBe('Cold starts explain most of it.');
    expect(slack.streamedText('C0GENERAL', ts)).toBe('Cold starts explain most of it.');
    expect(slack.message('C0GENERAL', ts)?.text).toBe('Cold starts explain most of it.');
    const tasks = slack.streamTasks('C0GENERAL', ts);
    expect(tasks.map((task) => [task.id, task.title, task.status])).toEqual([
      ['metrics', 'Read CloudWatch metrics', 'complete'],
      ['logs', 'Searched logs', 'error'],
    ]);
    expect(tasks[0]).toMatchObject({ details: 'Duration p99 is 9 s', sources: [{ type: 'url', text: 'CloudWatch' }] });
    expect(tasks[0]?.updates.map((update) => [update.method, update.status])).toEqual([
      ['chat.startStream', 'in_progress'],
      ['chat.appendStream', 'complete'],
      ['chat.appendStream', 'complete'],
    ]);
    expect(tasks[1]).toMatchObject({ output: 'no access' });
    // Every chunk, in order, with the time it arrived: what was shown, and when.
    const events = stream?.events ?? [];
    expect(events.map((event) => `${event.method}:${event.chunk.type}`)).toEqual([
      'chat.startStream:plan_update',
      'chat.startStream:task_update',
      'chat.startStream:task_update',
      'chat.appendStream:task_update',
      'chat.appendStream:task_update',
      'chat.appendStream:markdown_text',
      'chat.appendStream:task_update',
      'chat.stopStream:markdown_text',
      'chat.stopStream:blocks',
    ]);
    expect(events.map((event) => event.at)).toEqual([...events.map((event) => event.at)].sort((a, b) => a - b));
    expect(stream?.stoppedAt).toBeGreaterThanOrEqual(stream?.startedAt ?? Number.POSITIVE_INFINITY);
    expect(slack.streamChunks('C0GENERAL', ts)).toHaveLength(9);
  });

  it('validates chunks as Slack does', async () => {
    const web = client();
    const question = slack.addMessage('D0DM', { text: 'stream please' });
    const start = (chunks: unknown[], extra: Record<string, unknown> = {}) =>
      errorOf(web.chat.startStream({ channel: 'D0DM', thread_ts: question.ts, chunks: chunks as never, ...extra }));
    expect(await start([{ type: 'task_update', id: 't', title: 'x', status: 'done' }])).toBe('invalid_chunks');
    expect(await start([{ type: 'task_update', title: 'no id', status: 'pending' }])).toBe('invalid_chunks');
    expect(await start([{ type: 'task_update', id: 't', title: 'x'.repeat(257), status: 'pending' }])).toBe('invalid_chunks');
    expect(await start([{ type: 'task_update', id: 't', title: 'x', status: 'pending', sources: [{ type: 'url', url: 'ftp://x', text: 'x' }] }])).toBe('invalid_chunks');
    expect(await start([{ type: 'plan_update' }])).toBe('invalid_chunks');
    expect(await start([{ type: 'thinking', text: 'hm' }])).toBe('invalid_chunks');
    expect(await start([{ type: 'markdown_text', text: 'x'.repeat(12_001) }])).toBe('msg_too_long');
    expect(await start([{ type: 'blocks', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '' } }] }])).toBe('invalid_blocks');
    expect(await start([{ type: 'blocks', blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })) }])).toBe('msg_blocks_too_many');
    expect(await start([], { task_display_mode: 'gantt' })).toBe('invalid_arguments');
    const refused = await platformError(web.chat.startStream({ channel: 'D0DM', thread_ts: question.ts, chunks: [{ type: 'task_update', id: 't', title: 'x', status: 'done' } as never] }));
    expect(refused.data.response_metadata?.messages?.[0]).toMatch(/\[json-pointer:\/chunks\/0\/status\]/);

    const { ts } = await web.chat.startStream({ channel: 'D0DM', thread_ts: question.ts, markdown_text: 'Hello' });
    const streamTs = ts ?? '';
    const append = (args: Record<string, unknown>) => errorOf(web.apiCall('chat.appendStream', { channel: 'D0DM', ts: streamTs, ...args }));
    expect(await append({ markdown_text: 'a', chunks: [{ type: 'markdown_text', text: 'b' }] })).toBe('cannot_provide_both_markdown_text_and_chunks');
    expect(await append({})).toBe('markdown_text_or_chunks_required');
    expect(await errorOf(web.chat.stopStream({ channel: 'D0DM', ts: ts as string, blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })) }))).toBe('msg_blocks_too_many');
    // A refused call changes nothing; Slack's default tolerates a change of content kind.
    await web.chat.appendStream({ channel: 'D0DM', ts: ts as string, chunks: [{ type: 'markdown_text', text: ', world' }] });
    expect(slack.streamedText('D0DM', ts as string)).toBe('Hello, world');
    expect(await errorOf(web.chat.appendStream({ channel: 'D0DM', ts: question.ts, markdown_text: 'x' }))).toBe('message_not_owned_by_app');
  });

  it('refuses to change the kind of content mid-stream when strictStreamingMode is on', async () => {
    const strict = await startFakeSlack({ strictStreamingMode: true });
    try {
      const web = new WebClient('xoxb-test', { slackApiUrl: strict.url, retryConfig: { retries: 0 }, logger: quiet });
      const question = strict.addMessage('D0DM', { text: 'hi' });
      const byChunks = await web.chat.startStream({ channel: 'D0DM', thread_ts: question.ts, chunks: [{ type: 'task_update', id: 'a', title: 'A', status: 'pending' }] });
      expect(await errorOf(web.chat.appendStream({ channel: 'D0DM', ts: byChunks.ts as string, markdown_text: 'text' }))).toBe('streaming_mode_mismatch');
      await web.chat.appendStream({ channel: 'D0DM', ts: byChunks.ts as string, chunks: [{ type: 'markdown_text', text: 'text' }] });
      const byText = await web.chat.startStream({ channel: 'D0DM', thread_ts: question.ts, markdown_text: 'Hi' });
      expect(await errorOf(web.chat.stopStream({ channel: 'D0DM', ts: byText.ts as string, chunks: [{ type: 'markdown_text', text: '!' }] }))).toBe('streaming_mode_mismatch');
      await web.chat.stopStream({ channel: 'D0DM', ts: byText.ts as string, markdown_text: '!' });
      expect(strict.streamedText('D0DM', byText.ts as string)).toBe('Hi!');
    } finally {
      await strict.close();
    }
  });

  it('answers stopped_by_user once the person pressed Stop', async () => {
    const web = client();
    const question = slack.addMessage('D0DM', { text: 'long answer please' });
    const { ts } = await web.chat.startStream({ channel: 'D0DM', thread_ts: question.ts, markdown_text: 'Step 1' });
    slack.stopStreamAsUser('D0DM', ts as string);
    expect(await errorOf(web.chat.appendStream({ channel: 'D0DM', ts: ts as string, markdown_text: 'Step 2' }))).toBe('stopped_by_user');
    expect(await errorOf(web.chat.stopStream({ channel: 'D0DM', ts: ts as string }))).toBe('message_not_in_streaming_state');
    expect(slack.stream('D0DM', ts as string)).toMatchObject({ state: 'stopped', endedBy: 'user', text: 'Step 1' });
  });
});

describe('markdown_text, markdown blocks and feedback buttons', () => {
  it('posts and updates with markdown_text, alone', async () => {
    const web = client();
    const posted = await web.chat.postMessage({ channel: 'C0GENERAL', markdown_text: '**S3** is object storage.' });
    expect(posted.message).toMatchObject({ text: '**S3** is object storage.' });
    const ts = posted.ts as string;
    await web.chat.update({ channel: 'C0GENERAL', ts, markdown_text: '*S3* stores objects.' });
    expect(slack.message('C0GENERAL', ts)?.text).toBe('*S3* stores objects.');
    expect(slack.callsTo('chat.update').at(-1)?.args.markdown_text).toBe('*S3* stores objects.');
    const conflicting: Record<string, unknown> = { channel: 'C0GENERAL', markdown_text: 'x', text: 'y' };
    expect(await errorOf(web.apiCall('chat.postMessage', conflicting))).toBe('markdown_text_conflict');
    expect(await errorOf(web.apiCall('chat.update', { channel: 'C0GENERAL', ts, markdown_text: 'x', blocks: [{ type: 'divider' }] }))).toBe('markdown_text_conflict');
    expect(await errorOf(web.chat.postMessage({ channel: 'C0GENERAL', markdown_text: 'x'.repeat(12_001) }))).toBe('msg_too_long');
  });

  it('accepts markdown blocks up to 12,000 characters per message in all', async () => {
    const web = client();
    const half = 'x'.repeat(6_000);
    await web.chat.postMessage({ channel: 'C0GENERAL', text: 'fallback', blocks: [{ type: 'markdown', text: half }, { type: 'markdown', text: half }] });
    const tooMuch = await platformError(
      web.chat.postMessage({ channel: 'C0GENERAL', text: 'fallback', blocks: [{ type: 'markdown', text: half }, { type: 'markdown', text: `${half}x` }] }),
    );
    expect(tooMuch.data.error).toBe('invalid_blocks');
    expect(tooMuch.data.response_metadata?.messages?.[0]).toMatch(/12001/);
    const unknown = await platformError(web.chat.postMessage({ channel: 'C0GENERAL', text: 'x', blocks: [{ type: 'sparkles' }] as never }));
    expect(unknown.data.error).toBe('invalid_blocks');
    expect(unknown.data.response_metadata?.messages).toEqual(['[ERROR] unsupported type: sparkles [json-pointer:/blocks/0/type]']);
  });

  it('validates a context_actions block holding feedback_buttons', async () => {
    const web = client();
    const posted = await web.chat.postMessage({ channel: 'C0GENERAL', text: 'answer', blocks: [FEEDBACK_BLOCK] as never });
    expect(posted.message?.blocks).toEqual([FEEDBACK_BLOCK]);
    const broken = (change: (element: Record<string, unknown>) => void) => {
      const block = structuredClone(FEEDBACK_BLOCK);
      change(block.elements[0] as Record<string, unknown>);
      return errorOf(web.chat.postMessage({ channel: 'C0GENERAL', text: 'answer', blocks: [block] as never }));
    };
    expect(await broken((element) => delete element.negative_button)).toBe('invalid_blocks');
    expect(await broken((element) => ((element.positive_button as Record<string, unknown>).text = { type: 'mrkdwn', text: 'yes' }))).toBe('invalid_blocks');
    expect(await broken((element) => ((element.positive_button as Record<string, unknown>).text = { type: 'plain_text', text: 'y'.repeat(76) }))).toBe('invalid_blocks');
    expect(await broken((element) => delete (element.negative_button as Record<string, unknown>).value)).toBe('invalid_blocks');
    expect(await broken((element) => ((element.positive_button as Record<string, unknown>).accessibility_label = 'l'.repeat(76)))).toBe('invalid_blocks');
    expect(await broken((element) => (element.type = 'button'))).toBe('invalid_blocks');
    const six = { ...FEEDBACK_BLOCK, elements: Array.from({ length: 6 }, () => FEEDBACK_BLOCK.elements[0]) };
    expect(await errorOf(web.chat.postMessage({ channel: 'C0GENERAL', text: 'answer', blocks: [six] as never }))).toBe('invalid_blocks');
  });
});

describe('assistant thread status', () => {
  it('records each status with its loading messages, and clears it when the bot replies', async () => {
    const web = client();
    const question = slack.addMessage('D0DM', { text: 'what is IAM?' });
    await web.assistant.threads.setStatus({
      channel_id: 'D0DM',
      thread_ts: question.ts,
      status: 'is thinking…',
      loading_messages: ['Reading the docs…', 'Checking IAM…'],
    });
    expect(slack.threadStatus('D0DM', question.ts)).toBe('is thinking…');
    await web.chat.postMessage({ channel: 'D0DM', thread_ts: question.ts, text: 'IAM controls access.' });
    expect(slack.threadStatus('D0DM', question.ts)).toBe('');
    await web.assistant.threads.setStatus({ channel_id: 'D0DM', thread_ts: question.ts, status: '' });
    expect(slack.statusHistory('D0DM', question.ts).map((change) => [change.status, change.by, change.loadingMessages?.length])).toEqual([
      ['is thinking…', 'setStatus', 2],
      ['', 'reply', undefined],
      ['', 'setStatus', undefined],
    ]);
    const eleven = Array.from({ length: 11 }, (_, i) => `message ${i}`);
    expect(await errorOf(web.assistant.threads.setStatus({ channel_id: 'D0DM', thread_ts: question.ts, status: 'x', loading_messages: eleven }))).toBe(
      'invalid_arguments',
    );
    expect(await errorOf(web.assistant.threads.setStatus({ channel_id: 'D0DM', thread_ts: 'nonsense', status: 'x' }))).toBe('invalid_thread_ts');
    expect(slack.statusHistory('D0DM', question.ts)).toHaveLength(3);
  });
});

describe('views.publish (Home tab)', () => {
  const home = (blocks: unknown[]) => ({ type: 'home' as const, blocks: blocks as never });

  it('keeps the Home tab each person was shown, and checks it as Slack checks views', async () => {
    const web = client();
    const first = await web.views.publish({ user_id: 'U0ALICE', view: home([{ type: 'header', text: { type: 'plain_text', text: 'Your AWS questions' } }]) });
    expect(first.view).toMatchObject({ type: 'home', team_id: 'T0TEST', app_id: 'A0TEST', bot_id: 'BBOT', blocks: [{ type: 'header' }] });
    const second = await web.views.publish({ user_id: 'U0ALICE', hash: first.view?.hash, view: home([{ type: 'divider' }, FEEDBACK_BLOCK]) });
    expect(second.view?.id).toBe(first.view?.id);
    expect(slack.homeView('U0ALICE')?.blocks).toEqual([{ type: 'divider' }, FEEDBACK_BLOCK]);
    expect(slack.homeViewHistory('U0ALICE')).toHaveLength(2);
    expect(slack.homeView('U0BOB')).toBeUndefined();

    const hundred = Array.from({ length: 100 }, () => ({ type: 'divider' }));
    await web.views.publish({ user_id: 'U0BOB', view: home(hundred) });
    const tooMany = await platformError(web.views.publish({ user_id: 'U0BOB', view: home([...hundred, { type: 'divider' }]) }));
    expect(tooMany.data.error).toBe('invalid_arguments');
    expect(tooMany.data.response_metadata?.messages).toEqual(['[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]']);
    const badText = await platformError(web.views.publish({ user_id: 'U0BOB', view: home([{ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3_001) } }]) }));
    expect(badText.data.response_metadata?.messages).toEqual(['[ERROR] must be less than 3001 characters [json-pointer:/view/blocks/0/text/text]']);
    expect(await errorOf(web.views.publish({ user_id: 'U0BOB', view: home([{ type: 'nonsense' }]) }))).toBe('invalid_arguments');
    expect(await errorOf(web.views.publish({ user_id: 'U0BOB', view: { type: 'modal', blocks: [] } as never }))).toBe('invalid_arguments');
    expect(await errorOf(web.views.publish({ user_id: 'U0ALICE', hash: '1.stale', view: home([]) }))).toBe('hash_conflict');
    expect(slack.homeViewHistory('U0BOB')).toHaveLength(1);
  });

  it('answers not_enabled when the app has no Home tab', async () => {
    const noHome = await startFakeSlack({ homeTabEnabled: false });
    try {
      const web = new WebClient('xoxb-test', { slackApiUrl: noHome.url, retryConfig: { retries: 0 }, logger: quiet });
      expect(await errorOf(web.views.publish({ user_id: 'U0ALICE', view: home([]) }))).toBe('not_enabled');
    } finally {
      await noHome.close();
    }
  });
});

describe('channels the bot is not in', () => {
  it('lets a test put messages where the bot is not, which the bot can neither read nor answer until invited', async () => {
    const web = client();
    const alarm = slack.addMessage('C0NOTIN', { text: 'is prod down?' });
    const info = await web.conversations.info({ channel: 'C0NOTIN' });
    expect(info.channel).toMatchObject({ id: 'C0NOTIN', is_member: false, is_private: false });
    expect(await errorOf(web.conversations.replies({ channel: 'C0NOTIN', ts: alarm.ts }))).toBe('not_in_channel');
    expect(await errorOf(web.conversations.history({ channel: 'C0NOTIN' }))).toBe('not_in_channel');
    expect(await errorOf(web.chat.postMessage({ channel: 'C0NOTIN', thread_ts: alarm.ts, text: 'on it' }))).toBe('not_in_channel');
    expect(await errorOf(web.chat.startStream({ channel: 'C0NOTIN', thread_ts: alarm.ts, recipient_user_id: 'U0ALICE', recipient_team_id: 'T0TEST' }))).toBe(
      'not_in_channel',
    );

    slack.setBotMember('C0NOTIN', true);
    const thread = await web.conversations.replies({ channel: 'C0NOTIN', ts: alarm.ts });
    expect(thread.messages?.map((message) => message.text)).toEqual(['is prod down?']);
    slack.setBotMember('C0NOTIN', false);
  });

  it('hides private conversations the bot is not in (channel_not_found)', async () => {
    const web = client();
    slack.addChannel({ id: 'G0SECRET', name: 'secret', type: 'group', isMember: false });
    const secret = slack.addMessage('G0SECRET', { text: 'private talk' });
    expect(await errorOf(web.conversations.info({ channel: 'G0SECRET' }))).toBe('channel_not_found');
    expect(await errorOf(web.conversations.replies({ channel: 'G0SECRET', ts: secret.ts }))).toBe('channel_not_found');
    expect(await errorOf(web.chat.postMessage({ channel: 'G0SECRET', text: 'hi' }))).toBe('channel_not_found');
  });

  it('posts into public channels without membership given chat:write.public', async () => {
    const publicWriter = await startFakeSlack({ scopes: ['chat:write', 'chat:write.public', 'channels:history'] });
    try {
      const web = new WebClient('xoxb-test', { slackApiUrl: publicWriter.url, retryConfig: { retries: 0 }, logger: quiet });
      await expect(web.chat.postMessage({ channel: 'C0NOTIN', text: 'announcement' })).resolves.toMatchObject({ ok: true });
      const question = publicWriter.addMessage('C0NOTIN', { text: 'q' });
      expect(await errorOf(web.conversations.replies({ channel: 'C0NOTIN', ts: question.ts }))).toBe('not_in_channel');
    } finally {
      await publicWriter.close();
    }
  });
});

describe('messages from other bots', () => {
  it('stores a CloudWatch alarm from AWS Chatbot as a bot_message with its attachment, readable like any message', async () => {
    const web = client();
    const alarm = slack.addBotMessage('C0GENERAL', cloudWatchAlarmNotification({ alarmName: 'prod-api-5xx', region: 'eu-west-1' }));
    expect(alarm).toMatchObject({ subtype: 'bot_message', bot_id: AWS_CHATBOT.botId, app_id: AWS_CHATBOT.appId, text: '', bot_profile: { name: 'AWS Chatbot' } });
    expect(alarm.user).toBeUndefined();
    const thread = await web.conversations.replies({ channel: 'C0GENERAL', ts: alarm.ts });
    const read = thread.messages?.[0] as SlackMessage | undefined;
    expect(read?.attachments).toEqual([
      expect.objectContaining({ id: 1, color: '#D13212', title: expect.stringContaining('CloudWatch Alarm | prod-api-5xx | eu-west-1') as unknown }),
    ]);
    const event = messageEventFor(alarm, 'C0GENERAL');
    expect(event).toMatchObject({ type: 'message', subtype: 'bot_message', channel: 'C0GENERAL', channel_type: 'channel', event_ts: alarm.ts, attachments: [{ id: 1 }] });

    const asAppUser = slack.addBotMessage('C0GENERAL', { botId: 'B0OTHER', appId: 'A0OTHER', botUserId: 'U0OTHERBOT', botName: 'Deploy bot', text: 'deployed v42' });
    expect(asAppUser).toMatchObject({ user: 'U0OTHERBOT', bot_id: 'B0OTHER', text: 'deployed v42' });
    expect(asAppUser.subtype).toBeUndefined();
  });
});

describe('request builders, as a real Bolt app receives them', () => {
  let receiver: ExpressReceiver;
  let server: Server;
  let eventsUrl = '';
  const received: Array<{ kind: string; body: unknown }> = [];

  beforeAll(async () => {
    receiver = new ExpressReceiver({ signingSecret: SIGNING_SECRET });
    const app = new App({ receiver, token: 'xoxb-test', clientOptions: { slackApiUrl: slack.url, retryConfig: { retries: 0 } } });
    app.shortcut<MessageShortcut>('explain_alarm', async ({ ack, shortcut }) => {
      await ack();
      received.push({ kind: 'shortcut', body: shortcut });
    });
    app.action<BlockAction<FeedbackButtonsAction>>({ type: 'block_actions', action_id: 'answer_feedback' }, async ({ ack, action, body }) => {
      await ack();
      received.push({ kind: 'feedback', body: { action, body } });
    });
    app.event('app_home_opened', ({ event }) => {
      received.push({ kind: 'home', body: event });
      return Promise.resolve();
    });
    app.event('message', ({ event }) => {
      received.push({ kind: 'message', body: event });
      return Promise.resolve();
    });
    server = await receiver.start(0);
    eventsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  });

  afterAll(async () => {
    await receiver.stop();
  });

  it('routes a message shortcut on another bot’s message to app.shortcut with the whole message', async () => {
    const alarm = slack.addBotMessage('C0GENERAL', cloudWatchAlarmNotification({ alarmName: 'db-cpu' }));
    const response = await sendShortcut(eventsUrl, SIGNING_SECRET, messageShortcut({ callbackId: 'explain_alarm', message: alarm }));
    expect(response.status).toBe(200);
    const shortcut = (await slack.waitFor(() => received.find((r) => r.kind === 'shortcut')))?.body as MessageShortcut;
    expect(shortcut).toMatchObject({ type: 'message_action', callback_id: 'explain_alarm', message_ts: alarm.ts, channel: { id: 'C0GENERAL', name: 'general' } });
    expect(shortcut.message).toMatchObject({ ts: alarm.ts, bot_id: AWS_CHATBOT.botId, attachments: [{ id: 1 }] });
  });

  it('routes a feedback_buttons click with the pressed button’s value', async () => {
    const answer = await client().chat.postMessage({ channel: 'C0GENERAL', text: 'answer', blocks: [FEEDBACK_BLOCK] as never });
    const message = slack.message('C0GENERAL', answer.ts as string) as SlackMessage;
    const response = await sendShortcut(eventsUrl, SIGNING_SECRET, feedbackButtonsClick({ message, button: 'negative' }));
    expect(response.status).toBe(200);
    const { action } = (await slack.waitFor(() => received.find((r) => r.kind === 'feedback')))?.body as { action: FeedbackButtonsAction };
    expect(action).toMatchObject({ type: 'feedback_buttons', action_id: 'answer_feedback', block_id: 'feedback', value: 'bad', text: { type: 'plain_text', text: '👎' } });
    const plain = await client().chat.postMessage({ channel: 'C0GENERAL', text: 'no buttons' });
    expect(() => feedbackButtonsClick({ message: plain.message as SlackMessage, button: 'positive' })).toThrow(/no feedback_buttons/);
  });

  it('delivers app_home_opened (with the published view) and another bot’s message events', async () => {
    await client().views.publish({ user_id: 'U0BOB', view: { type: 'home', blocks: [{ type: 'divider' }] } });
    const view = slack.homeView('U0BOB') as unknown as Record<string, unknown>;
    expect((await sendEvent(eventsUrl, SIGNING_SECRET, appHomeOpened({ user: 'U0BOB', tab: 'home', view }))).status).toBe(200);
    const opened = (await slack.waitFor(() => received.find((r) => r.kind === 'home')))?.body;
    expect(opened).toMatchObject({ type: 'app_home_opened', user: 'U0BOB', tab: 'home', view: { type: 'home', blocks: [{ type: 'divider' }] } });
    expect(appHomeOpened({ tab: 'messages', view })).not.toHaveProperty('view');

    const alarm = slack.addBotMessage('C0GENERAL', cloudWatchAlarmNotification({ alarmName: 'queue-depth', state: 'OK' }));
    expect((await sendEvent(eventsUrl, SIGNING_SECRET, messageEventFor(alarm, 'C0GENERAL'))).status).toBe(200);
    const event = (await slack.waitFor(() => received.find((r) => r.kind === 'message')))?.body;
    expect(event).toMatchObject({ subtype: 'bot_message', bot_id: AWS_CHATBOT.botId, ts: alarm.ts, attachments: [{ color: '#1D8102' }] });
  });
});
