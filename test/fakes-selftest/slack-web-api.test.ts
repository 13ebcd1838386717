/**
 * The fake Slack driven by the real @slack/web-api WebClient: if these pass, the bot's own
 * WebClient (through Bolt) will see the same wire behaviour it sees in production.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, WebClient, type ConversationsRepliesResponse, type WebAPIPlatformError, type WebAPIRateLimitedError } from '@slack/web-api';
import { startFakeSlack, type FakeSlack } from '../fakes/slack.js';

let slack: FakeSlack;

beforeAll(async () => {
  slack = await startFakeSlack({ repliesPageSize: 3 });
});

afterAll(async () => {
  await slack.close();
});

const client = (options: ConstructorParameters<typeof WebClient>[1] = {}, token = 'xoxb-test'): WebClient =>
  new WebClient(token, { slackApiUrl: slack.url, retryConfig: { retries: 0 }, ...options });

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
    const updated = await web.chat.update({ channel: 'C0GENERAL', ts, text: 'S3 is object storage.' });
    expect(updated).toMatchObject({ ok: true, channel: 'C0GENERAL', ts, text: 'S3 is object storage.' });
    // Blocks are kept when an update passes none, as in Slack.
    expect(slack.message('C0GENERAL', ts)).toMatchObject({ text: 'S3 is object storage.', blocks: [{ type: 'section' }], metadata: { event_type: 'answer' } });
    expect(slack.history('C0GENERAL', ts).map((v) => v.text)).toEqual(['thinking…', 'S3 is object storage.']);
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
