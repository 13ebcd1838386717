/**
 * The support helpers: a real redis-server that can be stopped and restarted, requests signed
 * so that Bolt's own verifySlackRequest accepts them, and the bot launcher's failure reporting.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySlackRequest } from '@slack/bolt';
import { Redis } from 'ioredis';
import { startRedis, type RedisServer } from '../support/redis.js';
import {
  SIGNING_SECRET,
  appMention,
  blockActions,
  sendAction,
  sendCommand,
  sendEvent,
  sendUrlVerification,
} from '../support/slack-requests.js';
import { startBot } from '../support/bot.js';

describe('startRedis', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('runs a private server that survives stop and restart on the same port', async () => {
    expect(redis.port).not.toBe(6379);
    const client = new Redis(redis.url, { maxRetriesPerRequest: 0, retryStrategy: () => 50, lazyConnect: true });
    client.on('error', () => undefined);
    await client.connect();
    await client.set('k', 'v');
    expect(await client.get('k')).toBe('v');

    await redis.stop();
    await expect(client.get('k')).rejects.toThrow();

    await redis.restart();
    await expect(client.ping()).resolves.toBe('PONG');
    expect(await client.get('k')).toBeNull(); // persistence is off
    client.disconnect();
  });
});

interface Captured {
  headers: IncomingHttpHeaders;
  body: string;
}

describe('signed Slack requests', () => {
  const captured: Captured[] = [];
  let url = '';
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      captured.push({ headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const verify = (request: Captured): void =>
    verifySlackRequest({
      signingSecret: SIGNING_SECRET,
      body: request.body,
      headers: {
        'x-slack-signature': String(request.headers['x-slack-signature']),
        'x-slack-request-timestamp': Number(request.headers['x-slack-request-timestamp']),
      },
    });

  it('signs events so that Bolt verifies them, and a bad signature fails', async () => {
    const event = appMention({ channel: 'C0GENERAL', user: 'U0ALICE', text: '<@UBOT> hi', ts: '1700000000.000100' });
    const result = await sendEvent(url, SIGNING_SECRET, event, { eventId: 'Ev0TEST0001', retryNum: 1, retryReason: 'http_timeout' });
    expect(result).toMatchObject({ status: 200, json: { ok: true } });
    expect(result.ms).toBeGreaterThan(0);
    const sent = captured.at(-1) as Captured;
    expect(() => verify(sent)).not.toThrow();
    expect(JSON.parse(sent.body)).toMatchObject({
      type: 'event_callback',
      event_id: 'Ev0TEST0001',
      team_id: 'T0TEST',
      authorizations: [{ user_id: 'UBOT', is_bot: true }],
      event: { type: 'app_mention', text: '<@UBOT> hi' },
    });
    expect(sent.headers['x-slack-retry-num']).toBe('1');

    await sendEvent(url, SIGNING_SECRET, event, { badSignature: true });
    expect(() => verify(captured.at(-1) as Captured)).toThrow();
    await sendEvent(url, SIGNING_SECRET, event, { timestamp: Math.floor(Date.now() / 1000) - 600 });
    expect(() => verify(captured.at(-1) as Captured)).toThrow(/stale|old|timestamp/i);
  });

  it('sends commands and actions as signed form bodies', async () => {
    await sendCommand(url, SIGNING_SECRET, { text: 'ec2 pricing', response_url: 'http://127.0.0.1:1/response/x' });
    const command = captured.at(-1) as Captured;
    expect(() => verify(command)).not.toThrow();
    expect(command.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(command.body))).toMatchObject({ command: '/aws', text: 'ec2 pricing', user_id: 'U0ALICE' });

    await sendAction(url, SIGNING_SECRET, blockActions({ message: { ts: '1700000000.000200', text: 'answer' }, actionId: 'feedback_up', value: 'up' }));
    const action = captured.at(-1) as Captured;
    expect(() => verify(action)).not.toThrow();
    const payload = JSON.parse(new URLSearchParams(action.body).get('payload') ?? '{}') as Record<string, unknown>;
    expect(payload).toMatchObject({ type: 'block_actions', actions: [{ action_id: 'feedback_up', value: 'up' }] });

    await sendUrlVerification(url, SIGNING_SECRET, 'challenge-123');
    expect(JSON.parse((captured.at(-1) as Captured).body)).toMatchObject({ type: 'url_verification', challenge: 'challenge-123' });
  });
});

describe('startBot', () => {
  it('rejects with the bot’s own output when it exits before ready', async () => {
    // The default wait for "ready": under load, tsx alone can take longer than 15 s to bring the
    // bot to its configuration error, and a wait that ends first reports a timeout, not the exit.
    await expect(startBot({ LOG_FORMAT: 'json' })).rejects.toThrow(/bot exited[\s\S]*--- bot output ---/);
  });
});
