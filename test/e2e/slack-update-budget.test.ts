import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultResponder, lastUserText } from '../fakes/anthropic.js';
import { BOT_USER, startStack, type Asked, type Stack } from './stack.js';

/**
 * Issue 4: chat.update is rate-limited per workspace, not per message. Twenty answers stream at
 * once against a fake Slack that enforces Slack's Tier 3 limit (50 calls a minute per workspace)
 * on chat.update: every final answer must show up promptly and none may be lost, while the
 * intermediate updates thin out. Its own file (and stack) so that no other test has spent the
 * workspace's budget first.
 */
const ANSWERS = 20;
const CHANNELS = Array.from({ length: 10 }, (_, index) => `C0LOAD${index}`);
const UPDATES_PER_MINUTE = 50;

let stack: Stack;

beforeAll(async () => {
  // Questions are spread over channels: posting is limited per channel (about one a second),
  // and this test is about the per-workspace limit of chat.update.
  stack = await startStack({
    slack: { channels: CHANNELS.map((id) => ({ id, name: id.toLowerCase(), type: 'channel' as const })) },
    // All twenty stream at the same time (the default, 16, would queue four of them).
    env: { WORKER_CONCURRENCY: String(ANSWERS) },
  });
});
afterAll(async () => {
  await stack?.stop();
});

const answerFor = (question: string) =>
  `Here is the answer to ${question.replace(/\W+/g, ' ').trim()}. ` + 'It streams for a few seconds, the way a real answer does, sentence after sentence. '.repeat(4);

describe('twenty answers streaming at once in one workspace', () => {
  it('shows every final answer within a few seconds of its last token and loses none, while intermediate updates slow down', async () => {
    stack.slack.setRateLimit('chat.update', UPDATES_PER_MINUTE);
    stack.anthropic.setResponder((body) => ({ text: answerFor(lastUserText(body)), chunkSize: 12, tokenDelayMs: 90 }));

    const asked: Asked[] = await Promise.all(
      Array.from({ length: ANSWERS }, (_, index) => stack.mention(`<@${BOT_USER}> question number ${index}`, { channel: CHANNELS[index % CHANNELS.length]! })),
    );
    for (const question of asked) expect(question.response.status).toBe(200);
    const answers = await Promise.all(asked.map((question) => stack.finalAnswer(question, 30_000)));
    stack.anthropic.setResponder(defaultResponder);

    const requests = stack.anthropic.messageRequests();
    const delays: number[] = [];
    for (const [index, answer] of answers.entries()) {
      const expected = answerFor(`U0ALICE question number ${index}`);
      expect(answer.text).toBe(expected.trim());
      const request = requests.find((candidate) => lastUserText(candidate.body ?? {}).endsWith(`question number ${index}`))!;
      const shownAt = stack.slack.history(asked[index]!.channel, answer.ts).find((version) => version.text === answer.text)!.at;
      delays.push(shownAt - request.lastTokenAt!);
    }
    const updates = stack.slack.callsTo('chat.update');
    const rejected = updates.filter((call) => call.status === 429).length;
    const intermediate = updates.filter((call) => call.ok).length - ANSWERS;
    console.info(`final answer delays after the last token (ms): ${delays.sort((a, b) => a - b).join(', ')}; intermediate updates: ${intermediate}; 429s: ${rejected}`);

    expect(Math.max(...delays)).toBeLessThan(3000);
    // Every answer streams for ~3 s at a 200 ms cadence: alone, each would be updated ~15 times
    // (300 calls). Sharing 50 a minute, intermediate updates give way to the finals.
    expect(intermediate).toBeLessThan(UPDATES_PER_MINUTE - ANSWERS);
    expect(rejected).toBe(0);
  });
});
