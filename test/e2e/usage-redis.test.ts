import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ModelError } from '../../src/model/errors.js';
import type { LoopEvent, LoopRequest, LoopResult, ModelLoop } from '../../src/model/model-loop.js';
import { createLogger } from '../../src/ops/logger.js';
import { RedisKeys } from '../../src/ops/redis-keys.js';
import { AnswerCache } from '../../src/reuse/answer-cache.js';
import { FeedbackStore } from '../../src/usage/feedback-store.js';
import { InflightAnswers } from '../../src/reuse/inflight.js';
import { Limits } from '../../src/usage/limits.js';
import { sharedAnswers } from '../../src/reuse/shared-answers.js';
import { totalsOf } from '../../src/core/usage-tally.js';
import { UsageStore } from '../../src/usage/usage-store.js';
import { startRedis, type RedisServer } from '../support/redis.js';

/**
 * The Redis side of usage accounting against a real redis-server: the atomic admission script,
 * the daily aggregates, feedback votes, and answer sharing between concurrent identical questions.
 */
let server: RedisServer;
let redis: Redis;
const keys = new RedisKeys('usage-test');
const logger = createLogger({ logLevel: 'silent', logFormat: 'json' });

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url, { maxRetriesPerRequest: null });
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});
beforeEach(async () => {
  await redis.flushall();
});

/** Noon (UTC) today: day hashes expire relative to the real clock. */
const NOW = Math.floor(Date.now() / 86_400_000) * 86_400_000 + 12 * 3600_000;
const TODAY = new Date(NOW).toISOString().slice(0, 10);
const asked = (userId: string, receivedAt = NOW) => ({ teamId: 'T1', userId, receivedAt });
const noBudgets = { userQuestionsPerMinute: 3, userDailyTokenBudget: 0, workspaceDailyTokenBudget: 0 };

describe('the question rate', () => {
  it('admits a person’s questions up to the limit per minute, by when they were asked', async () => {
    const limits = new Limits(redis, keys, noBudgets);
    for (const [index, at] of [NOW - 50_000, NOW - 20_000, NOW - 1000].entries()) {
      expect(await limits.admit(asked('U1', at), `job-${index}`, NOW)).toEqual({ kind: 'admitted' });
    }
    expect(await limits.admit(asked('U1'), 'job-3', NOW)).toEqual({ kind: 'rate_limited', retryAtMs: NOW + 10_000, perMinute: 3 });
    // Someone else is not affected; a job already admitted is admitted again without counting twice.
    expect(await limits.admit(asked('U2'), 'job-x', NOW)).toEqual({ kind: 'admitted' });
    expect(await limits.admit(asked('U1', NOW - 1000), 'job-2', NOW)).toEqual({ kind: 'admitted' });
    // Ten seconds later the oldest question has left the window.
    expect(await limits.admit(asked('U1', NOW + 10_001), 'job-4', NOW + 10_001)).toEqual({ kind: 'admitted' });
  });

  it('counts questions asked later too, when workers take them out of order', async () => {
    const limits = new Limits(redis, keys, noBudgets);
    const results = [];
    for (const offset of [10_000, 20_000, 30_000, 40_000]) results.push(await limits.admit(asked('U1', NOW - offset), `job-${offset}`, NOW));
    expect(results.map((result) => result.kind)).toEqual(['admitted', 'admitted', 'admitted', 'rate_limited']);
  });

  it('lets exactly the limit through when many questions arrive at once on many workers', async () => {
    const workers = Array.from({ length: 5 }, () => new Redis(server.url, { maxRetriesPerRequest: null }));
    try {
      const results = await Promise.all(Array.from({ length: 12 }, (_, index) => new Limits(workers[index % 5]!, keys, noBudgets).admit(asked('U1'), `job-${index}`, NOW)));
      expect(results.filter((result) => result.kind === 'admitted')).toHaveLength(3);
    } finally {
      for (const worker of workers) worker.disconnect();
    }
  });
});

describe('daily budgets', () => {
  const usage = (input: number, output: number) => ({ inputTokens: input, outputTokens: output, cacheReadTokens: 50_000, cacheWriteTokens: 0 });
  const record = (store: UsageStore, userId: string, input: number, output: number) =>
    store.record({ teamId: 'T1', channel: 'C1', userId, model: 'claude-haiku-4-5', usage: usage(input, output), servedFrom: 'model', costNano: 1000, firstTokenMs: 500, durationMs: 1500, toolCalls: 0, declined: false }, NOW);

  it('refuse a person over their budget and everyone once the workspace is over its own', async () => {
    const store = new UsageStore(redis, keys, 90);
    const limits = new Limits(redis, keys, { userQuestionsPerMinute: 0, userDailyTokenBudget: 1000, workspaceDailyTokenBudget: 1500 });
    await record(store, 'U1', 700, 200);
    // 900 of 1,000: still admitted (cache reads do not count).
    expect(await limits.admit(asked('U1'), 'a', NOW)).toEqual({ kind: 'admitted' });
    await record(store, 'U1', 100, 50);
    expect(await limits.admit(asked('U1'), 'b', NOW)).toEqual({ kind: 'user_budget', budget: 1000 });
    expect(await limits.admit(asked('U2'), 'c', NOW)).toEqual({ kind: 'admitted' });
    await record(store, 'U2', 500, 100);
    expect(await limits.admit(asked('U3'), 'd', NOW)).toEqual({ kind: 'workspace_budget', budget: 1500 });
    // Tomorrow is a new day.
    expect(await limits.admit(asked('U1', NOW + 24 * 3600_000), 'e', NOW + 24 * 3600_000)).toEqual({ kind: 'admitted' });
  });

  it('keep one hash per workspace and day, expiring after the retention period', async () => {
    const store = new UsageStore(redis, keys, 90);
    await record(store, 'U1', 700, 200);
    await record(store, 'U2', 10, 20);
    expect(await redis.keys('usage-test:usage:*')).toEqual([`usage-test:usage:T1:${TODAY}`]);
    expect(await redis.ttl(`usage-test:usage:T1:${TODAY}`)).toBeGreaterThan(90 * 24 * 3600);
    const tally = await store.tally('T1', 30, NOW);
    expect(totalsOf(tally, 'total')).toMatchObject({ questions: 2, input: 710, output: 220, cacheRead: 100_000, costNano: 2000 });
    expect(totalsOf(tally, 'user:U2')).toMatchObject({ questions: 1, input: 10 });
  });
});

describe('feedback', () => {
  it('keeps one vote per person and answer, which they can change', async () => {
    const feedback = new FeedbackStore(redis, keys, 90);
    const vote = (userId: string, jobId: string, value: 'up' | 'down') => feedback.vote({ teamId: 'T1', jobId, userId, vote: value }, NOW);
    expect(await vote('U1', 'q-1', 'up')).toEqual({ previous: undefined, current: 'up' });
    expect(await vote('U1', 'q-1', 'up')).toEqual({ previous: 'up', current: 'up' });
    expect(await feedback.counts('T1', 30, NOW)).toEqual({ up: 1, down: 0 });
    expect(await vote('U1', 'q-1', 'down')).toEqual({ previous: 'up', current: 'down' });
    await vote('U2', 'q-1', 'up');
    await vote('U1', 'q-2', 'up');
    expect(await feedback.counts('T1', 30, NOW)).toEqual({ up: 2, down: 1 });
    // A vote changed on a later day moves from the day it was counted in.
    await feedback.vote({ teamId: 'T1', jobId: 'q-2', userId: 'U1', vote: 'down' }, NOW + 24 * 3600_000);
    expect(await feedback.counts('T1', 1, NOW)).toEqual({ up: 1, down: 1 });
    expect(await feedback.counts('T1', 30, NOW + 24 * 3600_000)).toEqual({ up: 1, down: 2 });
  });
});

describe('identical first questions at once', () => {
  const request = (author: string): LoopRequest => ({
    system: 'You are an AWS expert.',
    turns: [{ role: 'user', content: `<@${author}>: How do I   set up ECS?` }],
    tools: [],
    asker: { teamId: 'T1', channel: 'C1', userId: author },
    endUserId: `T1-${author}`,
  });
  const settings = { model: 'claude-haiku-4-5', modelSettings: [0.7, 1000] };

  /** A model loop that is not the SDK: the sharing protocol only sees the events. */
  function scriptedLoop(deltas: string[], delayMs: number, failAfter?: number): { calls: number; loop: ModelLoop } {
    const model = {
      calls: 0,
      loop: async function* (): AsyncGenerator<LoopEvent> {
        model.calls += 1;
        let text = '';
        const result = (status: LoopResult['status']): LoopEvent => ({
          type: 'done',
          result: { status, text, calls: [{ model: 'claude-haiku-4-5', usage: { inputTokens: 10, outputTokens: 20, cacheReadTokens: 0, cacheWriteTokens: 0 } }], model: 'claude-haiku-4-5', sources: [], toolCalls: 0, reusableForSeconds: Number.POSITIVE_INFINITY, ...(status === 'failed' ? { error: new ModelError('overloaded', 'overloaded') } : {}) },
        });
        for (const [index, delta] of deltas.entries()) {
          if (failAfter === index) {
            yield result('failed');
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, delayMs));
          text += delta;
          yield { type: 'text', text: delta };
        }
        yield result('answered');
      },
    };
    return model;
  }

  async function collect(events: AsyncGenerator<LoopEvent>): Promise<{ text: string; result: LoopResult | undefined; restarted: boolean }> {
    let text = '';
    let result: LoopResult | undefined;
    let restarted = false;
    for await (const event of events) {
      if (event.type === 'text') text += event.text;
      if (event.type === 'retrying') {
        text = text.slice(0, event.keepChars);
        restarted = true;
      }
      if (event.type === 'done') result = event.result;
    }
    return { text, result, restarted };
  }

  it('share one model call, each re-addressed to its asker, and the next one is served from the cache', async () => {
    const deps = { cache: new AnswerCache(redis, keys, 60), inflight: new InflightAnswers(redis, keys, logger), logger };
    const model = scriptedLoop(['Hi <@U0A', 'LICE>, create', ' a cluster', ' first.'], 60);
    const ask = (jobId: string, userId: string) => collect(sharedAnswers(model.loop, deps, { jobId, userId }, settings)(request(userId)));
    const [alice, bob, carol] = await Promise.all([ask('j1', 'U0ALICE'), ask('j2', 'U0BOB'), ask('j3', 'U0CAROL')]);
    expect(model.calls).toBe(1);
    expect(alice.text).toBe('Hi <@U0ALICE>, create a cluster first.');
    expect(bob.text).toBe('Hi <@U0BOB>, create a cluster first.');
    expect(carol.text).toBe('Hi <@U0CAROL>, create a cluster first.');
    const served = [alice, bob, carol].map(({ result }) => result?.servedFrom ?? 'model');
    expect(served.sort()).toEqual(['model', 'shared', 'shared']);

    const later = await ask('j4', 'U0DAVE');
    expect(model.calls).toBe(1);
    expect(later.text).toBe('Hi <@U0DAVE>, create a cluster first.');
    expect(later.result).toMatchObject({ status: 'answered', servedFrom: 'cache', calls: [] });
    expect(await redis.keys('usage-test:answer-inflight:*')).toEqual([]);
  });

  it('let a follower answer on its own when the leader fails', async () => {
    const deps = { cache: new AnswerCache(redis, keys, 60), inflight: new InflightAnswers(redis, keys, logger), logger };
    const failing = scriptedLoop(['one', ' two', ' three'], 50, 2);
    const working = scriptedLoop(['fine'], 1);
    const leader = collect(sharedAnswers(failing.loop, deps, { jobId: 'j1', userId: 'U0ALICE' }, settings)(request('U0ALICE')));
    // The leader has claimed the question once its model loop runs; only then does the follower ask.
    await expect.poll(() => failing.calls, { interval: 5 }).toBe(1);
    const follower = collect(sharedAnswers(working.loop, deps, { jobId: 'j2', userId: 'U0BOB' }, settings)(request('U0BOB')));
    expect((await leader).result?.status).toBe('failed');
    const alone = await follower;
    expect(alone.text).toBe('fine');
    // It followed the leader, and started again on its own when the leader failed.
    expect(alone.restarted).toBe(true);
    expect(alone.result?.servedFrom).toBeUndefined();
    expect(failing.calls).toBe(1);
    expect(working.calls).toBe(1);
    // Nothing was cached from the failure: the next asker leads and calls the model itself.
    const next = await collect(sharedAnswers(working.loop, deps, { jobId: 'j3', userId: 'U0CAROL' }, settings)(request('U0CAROL')));
    expect(next.result?.servedFrom).toBeUndefined();
    expect(working.calls).toBe(2);
  });

  it('leave no stream behind an answer nobody followed, and stream to a follower who comes mid-answer before the answer ends', async () => {
    const inflight = new InflightAnswers(redis, keys, logger, { heartbeatMs: 50, staleMs: 2000, pollMs: 20, flushMs: 10 });
    const deps = { cache: new AnswerCache(redis, keys, 60), inflight, logger };
    const ask = (loop: ModelLoop, jobId: string, userId: string, question: string) =>
      sharedAnswers(loop, deps, { jobId, userId }, settings)({ ...request(userId), turns: [{ role: 'user', content: `<@${userId}>: ${question}` }] });

    const alone = await collect(ask(scriptedLoop(['Use', ' tags.'], 1).loop, 'j-alone', 'U0ALICE', 'How do I tag instances?'));
    expect(alone.text).toBe('Use tags.');
    expect(await redis.keys('usage-test:answer-stream:j-alone*')).toEqual([]);

    const slow = scriptedLoop(['Create', ' a', ' cluster', ' first,', ' then', ' a', ' service.'], 150);
    let leaderEnded = false;
    const leader = collect(ask(slow.loop, 'j-lead', 'U0ALICE', 'How do I start with ECS?')).finally(() => (leaderEnded = true));
    await expect.poll(() => slow.calls, { interval: 5 }).toBe(1);
    const follower = ask(slow.loop, 'j-follow', 'U0BOB', 'How do I start with ECS?');
    const first = await follower.next();
    expect(first.value).toMatchObject({ type: 'text' });
    expect(leaderEnded).toBe(false);
    const rest = await collect(follower);
    expect(((first.value as { text: string }).text + rest.text)).toBe('Create a cluster first, then a service.');
    expect(rest.result?.servedFrom).toBe('shared');
    expect(slow.calls).toBe(1);
    await leader;
  });

  it('give up a leader that went silent', async () => {
    const inflight = new InflightAnswers(redis, keys, logger, { heartbeatMs: 50, staleMs: 300, pollMs: 20, flushMs: 10 });
    // A leader that claimed the question and died: its claim is there, its stream never grows.
    await redis.set(keys.inflightAnswer('h'), 'dead-stream', 'PX', 300);
    const follower = await inflight.claim('h', 'j2', 'U0BOB');
    expect(follower?.role).toBe('follower');
    const events = follower!.role === 'follower' ? follower!.events() : undefined;
    expect((await events!.next()).value).toEqual({ type: 'failed', kind: 'silent' });
  });
});
