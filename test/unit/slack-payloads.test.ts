import { Writable } from 'node:stream';
import type { AnyMiddlewareArgs } from '@slack/bolt';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { buildConversation } from '../../src/core/conversation.js';
import { checkSlackPayload } from '../../src/slack/payloads.js';
import { maskQuestion } from '../../src/slack/secret-warning.js';
import { MALFORMED_COMMAND_TEXT, refuseMalformedPayloads } from '../../src/slack/validate-payloads.js';
import {
  appHomeOpened,
  appMention,
  assistantThreadStarted,
  blockActions,
  commandFields,
  eventCallback,
  messageEvent,
  messageShortcut,
  nowTs,
} from '../support/slack-requests.js';

/** Slack's requests are checked against their shapes at the edge, before any listener reads them. */
const TS = '1700000000.000100';
const mention = (fields: Record<string, unknown> = {}) => eventCallback({ ...appMention({ channel: 'C0GENERAL', user: 'U0ALICE', text: '<@UBOT> hi', ts: TS }), ...fields });
const click = (value: string, extra: Record<string, unknown> = {}) => ({
  ...blockActions({ message: { ts: TS, thread_ts: TS }, actionId: 'answer_stop', value }),
  ...extra,
});

describe('the shapes Slack sends', () => {
  it('pass as the request builders write them (events, commands, clicks, shortcuts)', () => {
    const payloads: unknown[] = [
      mention(),
      eventCallback(messageEvent({ channel: 'D0DM', user: 'U0ALICE', text: 'hello', ts: nowTs() })),
      eventCallback(messageEvent({ channel: 'C0GENERAL', user: 'UBOT', text: '', ts: nowTs(), bot_id: 'BBOT', subtype: 'bot_message' })),
      eventCallback(messageEvent({ channel: 'G0SECRET', user: 'W0ENTERPRISE', text: 'reply', ts: nowTs(), thread_ts: TS })),
      eventCallback(assistantThreadStarted({ user: 'U0ALICE', channel: 'D0DM', thread_ts: TS })),
      eventCallback(appHomeOpened()),
      eventCallback({ type: 'reaction_added', user: 'U0ALICE', item: { type: 'message', channel: 'C0GENERAL', ts: TS } }),
      commandFields({ text: 'what is S3?' }),
      commandFields({ text: '' }),
      click(`q-T0TEST-C0GENERAL-${TS}`),
      messageShortcut({ callbackId: 'ask_about_message', message: { ts: TS, text: 'ERROR 500' } }),
      { type: 'url_verification', challenge: 'abc' },
    ];
    for (const payload of payloads) expect(checkSlackPayload(payload), JSON.stringify(payload).slice(0, 120)).toEqual({ ok: true });
  });

  it('refuse a command whose text came twice (an array) and say where', () => {
    expect(checkSlackPayload({ ...commandFields(), text: ['what is', 'S3?'] })).toEqual({ ok: false, kind: 'command', problems: [{ path: 'text', code: 'invalid_type' }] });
  });

  it('refuse an event whose text is a number, or whose ids and ts are not Slack’s', () => {
    expect(checkSlackPayload(mention({ text: 42 }))).toEqual({ ok: false, kind: 'event', problems: [{ path: 'event.text', code: 'invalid_type' }] });
    for (const fields of [{ channel: 'general' }, { channel: '' }, { ts: '1700000000' }, { ts: 'now' }, { user: 'alice' }, { thread_ts: 1700000000.0001 }, { team: 'T0TEST-CA' }]) {
      const check = checkSlackPayload(mention(fields));
      expect(check.ok, JSON.stringify(fields)).toBe(false);
    }
    expect(checkSlackPayload({ ...mention(), team_id: 'T0TEST:1' }).ok).toBe(false);
  });

  it('refuse commands from nowhere Slack names', () => {
    for (const fields of [{ team_id: 'T0TEST-CA' }, { channel_id: 'C0GENERAL\r\n' }, { user_id: '' }, { trigger_id: 'x'.repeat(300) }, { response_url: 'javascript:alert(1)' }]) {
      expect(checkSlackPayload(commandFields(fields as never)).ok, JSON.stringify(fields).slice(0, 80)).toBe(false);
    }
  });

  it('refuse a click whose value is longer than Slack allows or whose user is no Slack user', () => {
    expect(checkSlackPayload(click('q'.repeat(100_000)))).toMatchObject({ ok: false, kind: 'action', problems: [{ path: 'actions.0.value', code: 'too_big' }] });
    expect(checkSlackPayload(click('x', { user: { id: 'alice' } })).ok).toBe(false);
    expect(checkSlackPayload(click('x', { team: { id: 'not a team' } })).ok).toBe(false);
    expect(checkSlackPayload(click('x', { actions: 'answer_stop' })).ok).toBe(false);
    // The value's own form (an answer's job id) is each button's business: a made-up one passes here.
    expect(checkSlackPayload(click('*')).ok).toBe(true);
  });
});

describe('the edge middleware', () => {
  function capture() {
    const lines: Array<Record<string, unknown>> = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    return { logger: pino({}, stream), lines };
  }

  async function run(body: unknown) {
    const { logger, lines } = capture();
    const acks: unknown[][] = [];
    let passed = false;
    const args = {
      body,
      ack: async (...response: unknown[]) => {
        acks.push(response);
      },
      next: async () => {
        passed = true;
      },
    } as unknown as AnyMiddlewareArgs & { next: () => Promise<void> };
    await refuseMalformedPayloads(logger)(args as never);
    return { passed, acks, lines };
  }

  it('answers a malformed slash command in its own ephemeral response and goes no further', async () => {
    const { passed, acks, lines } = await run({ ...commandFields(), text: ['a', 'b'] });
    expect(passed).toBe(false);
    expect(acks).toEqual([[{ response_type: 'ephemeral', text: MALFORMED_COMMAND_TEXT }]]);
    expect(lines).toEqual([expect.objectContaining({ level: 40, msg: 'malformed Slack request refused', kind: 'command', name: '/aws', problems: [{ path: 'text', code: 'invalid_type' }] })]);
  });

  it('acknowledges a malformed click and drops it without logging its value', async () => {
    const { passed, acks, lines } = await run(click('v'.repeat(100_000)));
    expect(passed).toBe(false);
    expect(acks).toEqual([[]]);
    expect(JSON.stringify(lines)).not.toContain('vvvvvvvvvv');
  });

  it('lets a well-formed request through untouched', async () => {
    const { passed, acks, lines } = await run(commandFields({ text: 'what is S3?' }));
    expect(passed).toBe(true);
    expect(acks).toEqual([]);
    expect(lines).toEqual([]);
  });
});

describe('a question longer than MAX_QUESTION_CHARS', () => {
  const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

  it('is kept only as far as it is read, and the answer still says it was cut', () => {
    const max = 200;
    const masked = maskQuestion(`${'why? '.repeat(60)}${'x'.repeat(3_800_000)}`, max);
    expect(masked.text).toHaveLength(max + 1);
    const conversation = buildConversation([{ ts: TS, user: 'U0ALICE', text: masked.text }], { botUserId: 'UBOT', questionTs: TS, tokenBudget: 100_000, maxMessageChars: max });
    expect(conversation.questionTruncated).toBe(true);
  });

  it('masks a key that straddles the cut, and a short question is kept whole', () => {
    const max = 120;
    const text = `${'a'.repeat(max - 10)} aws_secret_access_key = ${AWS_SECRET} and more`;
    const masked = maskQuestion(text, max);
    expect(masked.found).toContain('aws_secret_access_key');
    expect(masked.text).not.toContain(AWS_SECRET.slice(0, 5));
    expect(maskQuestion('what is S3?', max)).toEqual({ text: 'what is S3?', found: [] });
    const conversation = buildConversation([{ ts: TS, user: 'U0ALICE', text: 'what is S3?' }], { botUserId: 'UBOT', questionTs: TS, tokenBudget: 100_000, maxMessageChars: max });
    expect(conversation.questionTruncated).toBe(false);
  });
});
