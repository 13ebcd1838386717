import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultResponder, lastUserText } from '../fakes/anthropic.js';
import type { SlackCall } from '../fakes/slack.js';
import { BOT_USER, isFinal, startStack, type Asked, type Stack } from './stack.js';

/**
 * chat.update is rate-limited per workspace, not per message. Twenty answers stream at once
 * against a fake Slack that enforces the limit over a sliding window, half of them thinking long
 * enough to show "Thinking…" first (so their first words need a chat.update too). Slack's clock
 * runs ten times faster here (a 6-second window, the bot told the same), so that the finals, the
 * first texts and the intermediate updates the answers want do not all fit in one window.
 * Asserted: every answer complete, none lost or doubled, no 429 storm, and the order of
 * priorities read from Slack's own log: an update other than a final only ever used room that
 * the finals of the answers in flight did not need. How fast things appear is the benchmark's
 * business (BENCHMARKS.md), not this test's. Its own file (and stack) so that no other test has
 * spent the workspace's budget first.
 */
const ANSWERS = 20;
const CHANNELS = Array.from({ length: 10 }, (_, index) => `C0LOAD${index}`);
const TIME_SCALE = 10;
const WINDOW_MS = 60_000 / TIME_SCALE;
/** Calls per window: fewer than the 20 finals, the 10 slow answers' first texts and their intermediate updates want together. */
const UPDATES_PER_WINDOW = 25;

let stack: Stack;

beforeAll(async () => {
  // Questions are spread over channels: posting is limited per channel (about one a second),
  // and this test is about the per-workspace limit of chat.update.
  stack = await startStack({
    slack: { channels: CHANNELS.map((id) => ({ id, name: id.toLowerCase(), type: 'channel' as const })), rateLimitTimeScale: TIME_SCALE },
    // All twenty stream at the same time (the default, 16, would queue four of them).
    env: { WORKER_CONCURRENCY: String(ANSWERS), SLACK_UPDATES_PER_MINUTE: String(UPDATES_PER_WINDOW), SLACK_RATE_WINDOW_MS: String(WINDOW_MS) },
  });
});
afterAll(async () => {
  await stack?.stop();
});

const answerFor = (question: string) =>
  `Here is the answer to ${question.replace(/\W+/g, ' ').trim()}. ` + 'It streams for a few seconds, the way a real answer does, sentence after sentence. '.repeat(8);

describe('twenty answers streaming at once in one workspace', () => {
  it('completes every answer exactly once, without a 429 storm, and never spends a final’s room on another update', async () => {
    stack.slack.setRateLimit('chat.update', UPDATES_PER_WINDOW);
    stack.anthropic.setResponder((body) => {
      const question = lastUserText(body);
      const number = Number(/question number (\d+)/.exec(question)?.[1] ?? 0);
      // Every other answer thinks past the receipt delay, so "Thinking…" is posted first.
      return { text: answerFor(question), chunkSize: 12, tokenDelayMs: 90, thinkingMs: number % 2 === 0 ? 2500 : 0 };
    });

    const asked: Asked[] = await Promise.all(
      Array.from({ length: ANSWERS }, (_, index) => stack.mention(`<@${BOT_USER}> question number ${index}`, { channel: CHANNELS[index % CHANNELS.length]! })),
    );
    for (const question of asked) expect(question.response.status).toBe(200);
    const answers = await Promise.all(asked.map((question) => stack.finalAnswer(question, 60_000)));
    stack.anthropic.setResponder(defaultResponder);

    // Complete, once each.
    for (const [index, answer] of answers.entries()) {
      expect(answer.text).toBe(answerFor(`U0ALICE question number ${index}`).trim());
      const botMessages = stack.slack.messagesIn(asked[index]!.channel, asked[index]!.ts).filter((message) => message.user === BOT_USER && message.ts !== asked[index]!.ts);
      expect(botMessages).toHaveLength(1);
      expect(isFinal(botMessages[0]!)).toBe(true);
    }
    const thinkingFirst = answers.filter((answer, index) => stack.slack.history(asked[index]!.channel, answer.ts)[0]!.text.includes('Thinking'));
    expect(thinkingFirst.length).toBeGreaterThan(0);

    // No 429 storm: the scheduler counts as Slack counts.
    const updates = stack.slack.callsTo('chat.update');
    expect(updates.filter((call) => call.status === 429).length).toBeLessThanOrEqual(2);
    expect(stack.slack.callsTo('chat.postMessage').filter((call) => call.status === 429)).toHaveLength(0);

    // Finals first: whenever an update other than a final went through, the window's calls so
    // far plus the finals still owed by answers in flight fitted in Slack's limit.
    const answerTs = new Set(answers.map((answer) => answer.ts));
    const accepted = updates.filter((call) => call.ok && answerTs.has(String(call.args.ts)));
    const finalCall = new Map<string, SlackCall>();
    for (const [index, answer] of answers.entries()) {
      const call = accepted.find((candidate) => candidate.args.ts === answer.ts && candidate.args.text === answer.text);
      // An answer posted whole needs no final update.
      if (call) finalCall.set(answer.ts, call);
      else expect(stack.slack.history(asked[index]!.channel, answer.ts)).toHaveLength(1);
    }
    const postedAt = new Map(answers.map((answer, index) => [answer.ts, stack.slack.history(asked[index]!.channel, answer.ts)[0]!.at]));
    const others = accepted.filter((call) => ![...finalCall.values()].includes(call));
    for (const other of others) {
      const inWindow = accepted.filter((call) => call.at > other.at - WINDOW_MS && call.at <= other.at).length;
      // In flight: posted well before (its registration came before its post) and finished after.
      const owed = [...finalCall.entries()].filter(([ts, final]) => postedAt.get(ts)! < other.at - 500 && final.at > other.at).length;
      expect(inWindow + owed, `update at ${other.at}`).toBeLessThanOrEqual(UPDATES_PER_WINDOW);
    }
    // The room the finals left was used.
    expect(others.length).toBeGreaterThan(0);
  });
});
