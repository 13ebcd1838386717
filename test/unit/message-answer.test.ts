import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CADENCE } from '../../src/core/cadence.js';
import { readThreadOnce, ThreadCache } from '../../src/answer/thread-cache.js';
import { THINKING_STATUS_TEXT, type AnswerView } from '../../src/model/answer.js';
import { createLogger } from '../../src/ops/logger.js';
import { RedisKeys } from '../../src/ops/redis-keys.js';
import { MessageAnswer } from '../../src/publish/message-answer.js';
import { SlackBudget, slackWriteBudgets } from '../../src/publish/slack-budget.js';
import { SlackMessages, type AnswerPlace } from '../../src/publish/slack-messages.js';
import { createSlackClient } from '../../src/publish/slack-web.js';
import { startFakeSlack, type FakeSlack } from '../fakes/slack.js';
import { startRedis, type RedisServer } from '../support/redis.js';

/**
 * How a new answer's message comes to be, against the fake Slack and a real Redis: with its first
 * words (one chat.postMessage), whole when it is written at once (no chat.update at all), or as
 * "Thinking…" when the words are slow, which then costs the first text an update.
 */
const logger = createLogger({ logLevel: 'silent', logFormat: 'json' });
let slack: FakeSlack;
let server: RedisServer;
let redis: Redis;
let messages: SlackMessages;
let job = 0;

beforeAll(async () => {
  [slack, server] = await Promise.all([startFakeSlack(), startRedis()]);
  redis = new Redis(server.url);
  const client = createSlackClient({ botToken: 'xoxb-test', apiUrl: slack.url });
  messages = new SlackMessages(client, new SlackBudget(redis, new RedisKeys('message-answer-test'), slackWriteBudgets(50, 60_000)), logger);
});
afterAll(async () => {
  messages?.close();
  redis?.disconnect();
  await Promise.all([slack?.close(), server?.stop()]);
});

function newAnswer(options: { askedAt?: number; placeholderAfterMs?: number; teamId?: string } = {}) {
  const question = slack.addMessage('C0GENERAL', { user: 'U0ALICE', text: 'How do I tag instances?' });
  job += 1;
  const place: AnswerPlace = { teamId: options.teamId ?? 'T0TEST', channel: 'C0GENERAL', threadTs: question.ts, jobId: `q-${job}` };
  const posted: string[] = [];
  const answer = new MessageAnswer(
    messages,
    place,
    { askedAt: options.askedAt ?? Date.now(), onPosted: async (ts) => void posted.push(ts) },
    { cadence: { ...DEFAULT_CADENCE, intervalMs: 100 }, maxMessageChars: 3900, ...(options.placeholderAfterMs !== undefined ? { placeholderAfterMs: options.placeholderAfterMs } : {}) },
    logger,
  );
  const botMessages = () => slack.messagesIn('C0GENERAL', question.ts).filter((message) => message.ts !== question.ts);
  return { answer, posted, botMessages, calls: () => slack.calls.filter((call) => call.args.thread_ts === question.ts || posted.includes(String(call.args.ts))) };
}

const view = (text: string, status?: string): AnswerView => ({ text, status, steps: [] });
const done = (markdown: string) => ({ markdown, state: 'done' as const, sources: [], steps: [] });

describe('a new answer', () => {
  it('written at once is posted whole: one chat.postMessage, no update', async () => {
    const { answer, posted, botMessages, calls } = newAnswer();
    answer.show(view('Use tags'));
    answer.show(view('Use tags on every instance.'));
    await answer.finish(done('Use tags on every instance.'));
    expect(botMessages()).toHaveLength(1);
    expect(botMessages()[0]!.text).toBe('Use tags on every instance.');
    expect(calls().map((call) => call.method)).toEqual(['chat.postMessage']);
    expect(posted).toEqual([botMessages()[0]!.ts]);
  });

  it('is posted with its first words, and the rest arrives as the final update', async () => {
    const { answer, botMessages, calls } = newAnswer();
    answer.show(view('Use tags'));
    const first = await slack.waitFor(() => botMessages()[0]);
    expect(slack.history('C0GENERAL', first.ts)[0]!.text).toBe('Use tags');
    answer.show(view('Use tags on every instance, and a tag policy.'));
    await answer.finish(done('Use tags on every instance, and a tag policy.'));
    expect(botMessages()).toHaveLength(1);
    expect(botMessages()[0]!.text).toBe('Use tags on every instance, and a tag policy.');
    expect(calls()[0]!.method).toBe('chat.postMessage');
    expect(calls().filter((call) => call.method === 'chat.update').at(-1)!.args.text).toBe('Use tags on every instance, and a tag policy.');
  });

  it('shows "Thinking…" when no words came within the receipt delay, then its first words', async () => {
    const { answer, botMessages } = newAnswer({ placeholderAfterMs: 100 });
    answer.show(view('', THINKING_STATUS_TEXT));
    const placeholder = await slack.waitFor(() => botMessages()[0]);
    expect(placeholder.text).toBe(THINKING_STATUS_TEXT);
    answer.show(view('Tags first.'));
    await slack.waitFor(() => slack.history('C0GENERAL', placeholder.ts).some((version) => version.text === 'Tags first.'));
    await answer.finish(done('Tags first. Then a policy.'));
    expect(botMessages()).toHaveLength(1);
    expect(botMessages()[0]!.text).toBe('Tags first. Then a policy.');
  });

  it('asked long ago (it waited in the queue) shows "Thinking…" as soon as its job starts', async () => {
    const { answer, botMessages } = newAnswer({ askedAt: Date.now() - 60_000 });
    const placeholder = await slack.waitFor(() => botMessages()[0]);
    expect(placeholder.text).toBe(THINKING_STATUS_TEXT);
    await answer.finish(done('Done.'));
    expect(botMessages()[0]!.text).toBe('Done.');
  });

  it('that showed a look-up first shows its first words promptly, although the scheduler paces its other updates', async () => {
    // Ten answers in flight: the scheduler paces each answer's intermediate updates about 12 s apart.
    const budget = new SlackBudget(redis, new RedisKeys('message-answer-test'), slackWriteBudgets(50, 60_000));
    for (let other = 0; other < 10; other += 1) await budget.answerStarted('T0BUSY', `busy-${other}`);
    const { answer, botMessages } = newAnswer({ teamId: 'T0BUSY' });
    const search = (status: 'in_progress' | 'complete') => ({ id: 'search', title: 'Searching AWS docs: tags', status, sources: [] });
    answer.show({ text: '', status: undefined, steps: [search('in_progress')] });
    const message = await slack.waitFor(() => botMessages()[0]);
    answer.show({ text: '', status: undefined, steps: [search('complete')] });
    await slack.waitFor(() => slack.history('C0GENERAL', message.ts).length >= 2 || undefined);
    answer.show({ text: 'Tag every instance.', status: undefined, steps: [search('complete')] });
    // Well before the 12 s the pace would impose on another intermediate update.
    await slack.waitFor(() => slack.history('C0GENERAL', message.ts).some((version) => version.text === 'Tag every instance.') || undefined, 5_000);
    await answer.finish(done('Tag every instance.'));
  });
});

describe('an answer whose message exists already (it said "in line" while the question waited)', () => {
  async function inLineAnswer(options: { placeholderAfterMs?: number } = {}) {
    const question = slack.addMessage('C0GENERAL', { user: 'U0ALICE', text: 'How do I tag instances?' });
    job += 1;
    const place: AnswerPlace = { teamId: 'T0TEST', channel: 'C0GENERAL', threadTs: question.ts, jobId: `q-${job}` };
    const receipt = await messages.slack.chat.postMessage({ channel: place.channel, thread_ts: question.ts, text: 'In line.' });
    const ts = receipt.ts!;
    const answer = new MessageAnswer(messages, place, ts, { cadence: { ...DEFAULT_CADENCE, intervalMs: 100 }, maxMessageChars: 3900, ...options }, logger);
    return { answer, ts, updates: () => slack.calls.filter((call) => call.method === 'chat.update' && call.args.ts === ts) };
  }

  it('written at once gets its final update alone: no "Thinking…", no first-words update', async () => {
    const { answer, ts, updates } = await inLineAnswer();
    answer.show(view('', THINKING_STATUS_TEXT));
    answer.show(view('Use tags'));
    answer.show(view('Use tags on every instance.'));
    await answer.finish(done('Use tags on every instance.'));
    expect(updates().map((call) => call.args.text)).toEqual(['Use tags on every instance.']);
    expect(slack.history('C0GENERAL', ts).map((version) => version.text)).toEqual(['In line.', 'Use tags on every instance.']);
  });

  it('shows "Thinking…" in place of "in line" when the first words are slow to come, then the words', async () => {
    const { answer, ts, updates } = await inLineAnswer({ placeholderAfterMs: 100 });
    answer.show(view('', THINKING_STATUS_TEXT));
    await slack.waitFor(() => updates().find((call) => call.args.text === THINKING_STATUS_TEXT));
    answer.show(view('Tags first.'));
    await slack.waitFor(() => updates().find((call) => call.args.text === 'Tags first.'));
    await answer.finish(done('Tags first. Then a policy.'));
    expect(slack.history('C0GENERAL', ts).map((version) => version.text)).toEqual(['In line.', THINKING_STATUS_TEXT, 'Tags first.', 'Tags first. Then a policy.']);
  });
});

describe('an answer written again where an earlier run of its job left more follow-ups than it needs', () => {
  it('deletes the extra ones, records the rest, and the cached thread forgets them', async () => {
    const keys = new RedisKeys('message-answer-follow-ups');
    const cache = new ThreadCache(redis, keys, 60, { userId: 'UBOT', botId: undefined });
    const cachedMessages = new SlackMessages(messages.slack, new SlackBudget(redis, keys, slackWriteBudgets(50, 60_000)), logger, cache);
    const question = slack.addMessage('C0GENERAL', { user: 'U0ALICE', text: 'How do I tag instances?' });
    job += 1;
    const place: AnswerPlace = { teamId: 'T0TEST', channel: 'C0GENERAL', threadTs: question.ts, jobId: `q-${job}` };
    try {
      const post = async (text: string) => (await cachedMessages.slack.chat.postMessage({ channel: place.channel, thread_ts: question.ts, text })).ts!;
      const [first, second, third] = [await post('Part one.'), await post('Part two.'), await post('Part three.')];
      await readThreadOnce(cachedMessages.slack, cache, place, question.ts);
      const recorded: string[][] = [];
      const answer = new MessageAnswer(cachedMessages, place, first, { cadence: DEFAULT_CADENCE, maxMessageChars: 3900, followUpTs: [second, third], onFollowUps: async (ts) => void recorded.push(ts) }, logger);

      await answer.finish(done('Use tags.'));

      expect(slack.messagesIn('C0GENERAL', question.ts).map((message) => message.text)).toEqual(['How do I tag instances?', 'Use tags.']);
      expect(recorded).toEqual([[]]);
      expect((await cache.get(place, question.ts))?.map((message) => message.text)).toEqual(['How do I tag instances?', 'Use tags.']);
    } finally {
      cachedMessages.close();
    }
  });
});
