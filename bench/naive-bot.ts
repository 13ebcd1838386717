/**
 * The baseline: a Slack bot built the way most examples build one. The Bolt handler itself calls
 * the model and keeps the answer message up to date on a fixed one-second timer; no queue, no
 * shared rate budget, the Web API client's default retries. Started by the bench exactly like the
 * real bot (a child process configured through its environment), against the same fakes and load.
 */
import type { AddressInfo, Server } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import { App, LogLevel } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';

const UPDATE_EVERY_MS = 1000;

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const slackApiUrl = process.env.SLACK_API_URL;
const app = new App({
  token: env('SLACK_BOT_TOKEN'),
  signingSecret: env('SLACK_SIGNING_SECRET'),
  logLevel: LogLevel.ERROR,
  ...(slackApiUrl ? { clientOptions: { slackApiUrl } } : {}),
});
const anthropic = new Anthropic({ apiKey: env('ANTHROPIC_API_KEY'), ...(process.env.ANTHROPIC_BASE_URL ? { baseURL: process.env.ANTHROPIC_BASE_URL } : {}) });
const model = process.env.ANTHROPIC_MODEL ?? 'claude-haiku-4-5';

const log = (msg: string, fields: Record<string, unknown> = {}): void => {
  process.stdout.write(`${JSON.stringify({ level: 30, time: Date.now(), msg, ...fields })}\n`);
};

/** Posts "Thinking…", streams the model into a string, and shows that string every second. */
async function answer(client: WebClient, channel: string, threadTs: string | undefined, question: string): Promise<void> {
  const placeholder = await client.chat.postMessage({ channel, text: 'Thinking…', ...(threadTs ? { thread_ts: threadTs } : {}) });
  const ts = placeholder.ts as string;
  let text = '';
  let shown = '';
  const timer = setInterval(() => {
    if (text === shown || text === '') return;
    shown = text;
    client.chat.update({ channel, ts, text: shown }).catch((error: unknown) => log('update failed', { err: String(error) }));
  }, UPDATE_EVERY_MS);
  try {
    const stream = anthropic.messages.stream({ model, max_tokens: 1000, messages: [{ role: 'user', content: question }] });
    stream.on('text', (delta) => {
      text += delta;
    });
    await stream.finalMessage();
  } finally {
    clearInterval(timer);
  }
  await client.chat.update({ channel, ts, text });
}

app.event('app_mention', async ({ event, client }) => {
  await answer(client, event.channel, event.thread_ts ?? event.ts, event.text).catch((error: unknown) => log('answer failed', { err: String(error) }));
});

app.command('/aws', async ({ command, ack, client }) => {
  await ack();
  await answer(client, command.channel_id, undefined, command.text).catch((error: unknown) => log('answer failed', { err: String(error) }));
});

const server = (await app.start(Number(process.env.PORT ?? 3000))) as Server;
// PORT=0 lets the OS choose: the line says which port that was.
log('listening for Slack requests', { port: (server.address() as AddressInfo).port });
log('ready');

process.on('SIGTERM', () => {
  void app.stop().finally(() => process.exit(0));
});
