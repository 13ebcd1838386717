import type Anthropic from '@anthropic-ai/sdk';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ModelRequest } from '../../src/model/claude.js';
import { ModelError } from '../../src/model/errors.js';
import { createLogger } from '../../src/ops/logger.js';
import { RedisKeys } from '../../src/ops/redis-keys.js';
import { AnswerCache } from '../../src/usage/answer-cache.js';
import { FeedbackStore } from '../../src/usage/feedback-store.js';
import { InflightAnswers } from '../../src/usage/inflight.js';
import { Limits } from '../../src/usage/limits.js';
import { sharedModelStream, type AnswerStreamEvent, type ModelStreamFn } from '../../src/usage/shared-model-stream.js';
import { totalsOf } from '../../src/usage/usage-fields.js';
import { UsageStore } from '../../src/usage/usage-store.js';
import { startRedis, type RedisServer } from '../support/redis.js';

/**
 * The Redis side of usage accounting against a real redis-server: the atomic admission script,
 * the daily aggregates, feedback votes, and answer sharing between concurrent identical questions.
 */
let server: RedisServer;
let redis: Redis;
const keys = new RedisKeys('usage-test');
const logger = createLogger({ logLevel: 'silent', logFormat: 'json', dashboard: undefined });

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
    store.record({ teamId: 'T1', channel: 'C1', userId, model: 'claude-haiku-4-5', usage: usage(input, output), servedFrom: 'model', costNano: 1000, firstTokenMs: 500, durationMs: 1500 }, NOW);

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
  const request = (author: string, signal?: AbortSignal): ModelRequest => ({
    system: 'You are an AWS expert.',
    turns: [{ role: 'user', content: `<@${author}>: How do I   set up ECS?` }],
    model: 'claude-haiku-4-5',
    temperature: 0.7,
    maxTokens: 1000,
    ...(signal ? { signal } : {}),
  });
  const client = {} as Anthropic;

  /** A model stream that is not the SDK: the sharing protocol only sees the events. */
  function scriptedModel(deltas: string[], delayMs: number, failAfter?: number): { calls: number; stream: ModelStreamFn } {
    const model = {
      calls: 0,
      stream: async function* (): AsyncGenerator<AnswerStreamEvent> {
        model.calls += 1;
        for (const [index, text] of deltas.entries()) {
          if (failAfter === index) throw new ModelError('overloaded', 'overloaded');
          await new Promise((resolve) => setTimeout(resolve, delayMs));
          yield { type: 'text', text };
        }
        yield { type: 'done', usage: { inputTokens: 10, outputTokens: 20, cacheReadTokens: 0, cacheWriteTokens: 0 }, stopReason: 'end_turn', model: 'claude-haiku-4-5-20251001', requestId: 'req_1' };
      },
    };
    return model;
  }

  async function collect(stream: AsyncGenerator<AnswerStreamEvent>): Promise<{ text: string; done: AnswerStreamEvent | undefined }> {
    let text = '';
    let done: AnswerStreamEvent | undefined;
    for await (const event of stream) {
      if (event.type === 'text') text += event.text;
      else done = event;
    }
    return { text, done };
  }

  it('share one model call, each re-addressed to its asker, and the next one is served from the cache', async () => {
    const deps = { cache: new AnswerCache(redis, keys, 60), inflight: new InflightAnswers(redis, keys, logger), logger };
    const model = scriptedModel(['Hi <@U0A', 'LICE>, create', ' a cluster', ' first.'], 60);
    const ask = (jobId: string, userId: string) => collect(sharedModelStream(model.stream, deps, { jobId, userId })(client, request(userId)));
    const [alice, bob, carol] = await Promise.all([ask('j1', 'U0ALICE'), ask('j2', 'U0BOB'), ask('j3', 'U0CAROL')]);
    expect(model.calls).toBe(1);
    expect(alice.text).toBe('Hi <@U0ALICE>, create a cluster first.');
    expect(bob.text).toBe('Hi <@U0BOB>, create a cluster first.');
    expect(carol.text).toBe('Hi <@U0CAROL>, create a cluster first.');
    const served = [alice, bob, carol].map(({ done }) => (done && 'servedFrom' in done ? done.servedFrom : 'model'));
    expect(served.sort()).toEqual(['model', 'shared', 'shared']);

    const later = await ask('j4', 'U0DAVE');
    expect(model.calls).toBe(1);
    expect(later.text).toBe('Hi <@U0DAVE>, create a cluster first.');
    expect(later.done).toMatchObject({ type: 'done', servedFrom: 'cache', usage: { inputTokens: 0, outputTokens: 0 } });
    expect(await redis.keys('usage-test:answer-inflight:*')).toEqual([]);
  });

  it('let a follower retry on its own when the leader fails', async () => {
    const deps = { cache: new AnswerCache(redis, keys, 60), inflight: new InflightAnswers(redis, keys, logger), logger };
    const failing = scriptedModel(['one', ' two', ' three'], 50, 2);
    const leader = collect(sharedModelStream(failing.stream, deps, { jobId: 'j1', userId: 'U0ALICE' })(client, request('U0ALICE')));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const follower = collect(sharedModelStream(failing.stream, deps, { jobId: 'j2', userId: 'U0BOB' })(client, request('U0BOB')));
    await expect(leader).rejects.toMatchObject({ kind: 'overloaded' });
    await expect(follower).rejects.toMatchObject({ kind: 'stream_interrupted', retryable: true });
    expect(failing.calls).toBe(1);
    // Nothing was cached; the retry leads and calls the model itself.
    const working = scriptedModel(['fine'], 1);
    const retry = await collect(sharedModelStream(working.stream, deps, { jobId: 'j2', userId: 'U0BOB' })(client, request('U0BOB')));
    expect(retry.text).toBe('fine');
    expect(working.calls).toBe(1);
  });

  it('give up a leader that went silent', async () => {
    const inflight = new InflightAnswers(redis, keys, logger, { heartbeatMs: 50, staleMs: 300, pollMs: 20, flushMs: 10 });
    // A leader that claimed the question and died: its claim is there, its stream never grows.
    await redis.set(keys.inflightAnswer('h'), 'dead-stream', 'PX', 300);
    const follower = await inflight.claim('h', 'j2', 'U0BOB');
    expect(follower?.role).toBe('follower');
    const started = Date.now();
    const events = follower!.role === 'follower' ? follower!.events() : undefined;
    await expect(events!.next()).rejects.toMatchObject({ kind: 'stream_interrupted' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });
});
