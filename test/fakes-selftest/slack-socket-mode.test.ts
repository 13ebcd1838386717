/**
 * The fake's Socket Mode side driven by the real @slack/socket-mode client (undici WebSocket):
 * hello, an envelope and its ack, and a reconnect after Slack asks the client to go.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogLevel, SocketModeClient } from '@slack/socket-mode';
import { startFakeSlack, type FakeSlack } from '../fakes/slack.js';
import { appMention, eventCallback } from '../support/slack-requests.js';

let slack: FakeSlack;
let client: SocketModeClient;

beforeAll(async () => {
  slack = await startFakeSlack({ socketPingIntervalMs: 300 });
  client = new SocketModeClient({
    appToken: 'xapp-test',
    logLevel: LogLevel.ERROR,
    // The client pings every clientPingTimeout/3 ms and waits clientPingTimeout × failures before
    // reconnecting; short values keep the test quick and make a missing pong show within a second.
    clientPingTimeout: 600,
    serverPingTimeout: 1_000,
    clientOptions: { slackApiUrl: slack.url, retryConfig: { retries: 0 } },
  });
});

afterAll(async () => {
  await client.disconnect();
  await slack.close();
});

describe('fake Slack Socket Mode with the real SocketModeClient', () => {
  it('connects through apps.connections.open with the app token', async () => {
    await client.start();
    expect(slack.socketConnections).toBe(1);
    expect(slack.callsTo('apps.connections.open')[0]).toMatchObject({ ok: true, token: 'xapp-test' });
  });

  it('keeps the connection through client and server ping/pong', async () => {
    // Without pongs the client would drop the socket after four pings (~800 ms); without server
    // pings, after serverPingTimeout (1 s) from the first one.
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    expect(slack.socketConnectionsTotal).toBe(1);
    expect(slack.socketConnections).toBe(1);
  });

  it('delivers an events_api envelope and receives the ack', async () => {
    const received = new Promise<{ event: { type: string; text: string }; retry_num: number }>((resolve) => {
      client.once('app_mention', (args: { ack: () => Promise<void>; event: { type: string; text: string }; retry_num: number }) => {
        void args.ack().then(() => resolve(args));
      });
    });
    const event = appMention({ channel: 'C0GENERAL', user: 'U0ALICE', text: '<@UBOT> hello', ts: '1700000000.000100' });
    const ack = await slack.sendEnvelope('events_api', eventCallback(event));
    expect((await received).event).toMatchObject({ type: 'app_mention', text: '<@UBOT> hello' });
    expect(ack.envelope_id).toBe(slack.sentEnvelopes.at(-1)?.envelope_id);
  });

  it('returns the payload an app acks a slash command with', async () => {
    client.once('slash_commands', ({ ack }: { ack: (body: object) => Promise<void> }) => {
      void ack({ text: 'working on it' });
    });
    const ack = await slack.sendEnvelope('slash_commands', { command: '/aws', text: 'help' });
    expect(ack.payload).toEqual({ text: 'working on it' });
  });

  it('reconnects with a fresh apps.connections.open after a disconnect request', async () => {
    await slack.disconnectSocket('refresh_requested');
    await slack.waitForSocket(2, 5_000);
    expect(slack.callsTo('apps.connections.open')).toHaveLength(2);
    client.once('app_mention', ({ ack }: { ack: () => Promise<void> }) => void ack());
    const event = appMention({ channel: 'C0GENERAL', user: 'U0ALICE', text: '<@UBOT> again', ts: '1700000000.000200' });
    await expect(slack.sendEnvelope('events_api', eventCallback(event))).resolves.toMatchObject({ envelope_id: expect.any(String) });
  });
});
